"""Following subjects, notifications derived from the participation log, and e-mail digests."""
