"""Action plans: the two- or three-year plan a co-creation process produces."""
