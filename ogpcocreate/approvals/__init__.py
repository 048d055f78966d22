"""Tripartite approval: acts that need one approval from each seat of the secretariat."""
