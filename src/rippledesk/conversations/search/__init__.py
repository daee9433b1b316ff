"""Full-text search over messages and customers, on SQLite FTS5 or PostgreSQL text search."""
