"""Votes: participants choose priority themes or adopt final commitments, where a call allows it."""
