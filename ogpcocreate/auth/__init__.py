"""Accounts: registration, e-mail confirmation, log in and out, password reset, profile, language."""
