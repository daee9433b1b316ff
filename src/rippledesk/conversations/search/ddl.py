"""The statements that create and drop the search indexes, per database vendor.

Table names are spelled out rather than read from the models: a migration must keep creating
the same objects even after the models move on.
"""

from __future__ import annotations

# (index table, base table, indexed columns)
_FTS_TABLES = (
    ("rd_message_fts", "conversations_message", ("body",)),
    ("rd_customer_fts", "customers_customer", ("display_name",)),
    ("rd_identity_fts", "customers_identity", ("handle", "display_name")),
)
MESSAGE_FTS = "rd_message_fts"
# One row, ``paused`` always 0 since bulk writers drop the insert triggers for their
# transaction instead (search/bulk.py: a trigger that merely skips rows still makes SQLite keep
# a statement journal). The triggers of migration 0007 still read it, so it stays.
FTS_CONTROL = "rd_fts_control"
# PostgreSQL: the stored tsvector of each message's body (migration 0021; docs/adr/0004).
MESSAGE_DOCUMENT = "rd_search_doc"
CUSTOMER_FTS = "rd_customer_fts"
IDENTITY_FTS = "rd_identity_fts"
# unicode61 folds case; remove_diacritics 2 lets "cafe" find "café".
_TOKENIZE = "unicode61 remove_diacritics 2"
# Bytes of new index entries an FTS5 table gathers in memory before it writes them out as a
# segment (SQLite's default: 1 MiB). A bulk import indexes 50,000 rows per statement
# (search/bulk.py); with 16 MiB those make a few large segments instead of many small ones
# that FTS5 then merges: the indexing of a 200,000-row import took 0.78-0.86 s instead of
# 0.99-1.16 s (64 MiB: no better). Small transactions never reach either limit.
HASH_SIZE = 16 * 1024 * 1024


def sqlite_hash_size() -> list[str]:
    """Set ``HASH_SIZE`` on every SQLite full-text index (kept in the index's config table)."""
    return [
        f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {HASH_SIZE})"
        for fts, _, _ in _FTS_TABLES
    ]


def control_statements() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {FTS_CONTROL} "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), paused INTEGER NOT NULL DEFAULT 0)",
        f"INSERT OR IGNORE INTO {FTS_CONTROL} (id, paused) VALUES (1, 0)",
    ]


def _sqlite_insert_trigger(fts: str, base: str, columns: tuple[str, ...]) -> str:
    """Index each inserted row (bulk writers drop this trigger and index their rows at once)."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    return (
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {base} "
        f"WHEN coalesce((SELECT paused FROM {FTS_CONTROL} WHERE id = 1), 0) = 0 BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
    )


def sqlite_pausable_triggers() -> list[str]:
    """Replace the insert triggers of a database indexed before they could pause."""
    statements = control_statements()
    for fts, base, columns in _FTS_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {fts}_ai")
        statements.append(_sqlite_insert_trigger(fts, base, columns))
    return statements


def sqlite_tables() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(index table, base table, indexed columns) of every SQLite full-text index."""
    return _FTS_TABLES


def _sqlite_create(fts: str, base: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{base}', "
        f"content_rowid='id', tokenize='{_TOKENIZE}')",
        f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {cols} FROM {base}",
        _sqlite_insert_trigger(fts, base, columns),
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {base} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {base} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def _postgres_create(fts: str, base: str, columns: tuple[str, ...]) -> list[str]:
    document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return [f"CREATE INDEX {fts} ON {base} USING gin (to_tsvector('simple', {document}))"]


def postgres_document(columns: tuple[str, ...], alias: str) -> str:
    """The indexed expression, exactly as the index has it, so the planner can use the index."""
    return " || ' ' || ".join(f"coalesce({alias}.{c}, '')" for c in columns)


def create_statements(vendor: str) -> list[str]:
    statements: list[str] = control_statements() if vendor == "sqlite" else []
    for fts, base, columns in _FTS_TABLES:
        if vendor == "sqlite":
            statements += _sqlite_create(fts, base, columns)
        elif vendor == "postgresql":
            statements += _postgres_create(fts, base, columns)
    return statements


def drop_statements(vendor: str) -> list[str]:
    statements: list[str] = []
    for fts, _, _ in _FTS_TABLES:
        if vendor == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")]
            statements.append(f"DROP TABLE IF EXISTS {fts}")
        elif vendor == "postgresql":
            statements.append(f"DROP INDEX IF EXISTS {fts}")
    if vendor == "sqlite":
        statements.append(f"DROP TABLE IF EXISTS {FTS_CONTROL}")
    return statements
