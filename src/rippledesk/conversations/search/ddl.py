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
CUSTOMER_FTS = "rd_customer_fts"
IDENTITY_FTS = "rd_identity_fts"
# unicode61 folds case; remove_diacritics 2 lets "cafe" find "café".
_TOKENIZE = "unicode61 remove_diacritics 2"


def _sqlite_create(fts: str, base: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{base}', "
        f"content_rowid='id', tokenize='{_TOKENIZE}')",
        f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {cols} FROM {base}",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {base} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
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
    statements: list[str] = []
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
    return statements
