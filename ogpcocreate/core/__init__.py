"""Services every feature uses: database base, permissions, participation log, mail outbox, errors."""
