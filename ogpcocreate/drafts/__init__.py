"""Draft commitments, written in rounds: immutable versions, each stating the contributions it took in."""
