"""Search across the public record: one index table, SQLite FTS5 or PostgreSQL full-text behind it."""
