"""Moderation: reports on comments, hiding with a public reason, the public moderation log."""
