"""Organisations: creation, members and invitations, verification by the secretariat, public directory."""
