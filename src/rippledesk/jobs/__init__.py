"""Background jobs: one API (``enqueue``) over a database queue, or inline in tests."""
