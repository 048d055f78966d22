"""Calls for proposals: their themes, their timeline of phases, publication by the secretariat."""
