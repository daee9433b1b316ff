"""The physical reference for ``ingest.py``: the same rows stored with bare ``sqlite3``.

Run as ``python benchmarks/ingest_bare.py {csv|twcs} {min|schema} INPUT DB``, where DB is a
SQLite file or a ``postgres://`` URL of an empty database. It reads the input
file with the ``csv`` module, builds one message-like tuple per row (external id, channel,
author, body, raw time, parent id, direction) and ``executemany``-inserts them in transactions
of 2,000 rows into a WAL-mode database with ``synchronous=NORMAL``, the settings the product
uses. No customers, identities or conversations, no time parsing, no validation: this is the
floor a Python importer on one core cannot beat.

``min`` is a table with an integer primary key and the unique ``(channel, external_id)`` key
that idempotent imports need; ``schema`` is the real ``conversations_message`` DDL with all its
secondary indexes (foreign keys are not enforced, as in SQLite by default). On PostgreSQL the
same tables are created with ``bigserial`` keys and rows go in with ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

BATCH = 2000
_NOW = "2026-01-01 00:00:00"
_MIN_DDL = (
    "CREATE TABLE message (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
    "updated_at TEXT NOT NULL, direction TEXT NOT NULL, author_name TEXT NOT NULL, "
    "body TEXT NOT NULL, external_id TEXT, in_reply_to_external_id TEXT NOT NULL, "
    "sent_at TEXT NOT NULL, channel TEXT NOT NULL, conversation_id INTEGER NOT NULL, "
    "UNIQUE (channel, external_id))",
)
_SCHEMA_DDL = (
    'CREATE TABLE message ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
    '"created_at" datetime NOT NULL, "updated_at" datetime NOT NULL, '
    '"direction" varchar(8) NOT NULL, "author_name" varchar(200) NOT NULL, '
    '"body" text NOT NULL, "external_id" varchar(255) NULL, '
    '"in_reply_to_external_id" varchar(255) NOT NULL, "sent_at" datetime NOT NULL, '
    '"channel" varchar(200) NOT NULL, "conversation_id" bigint NOT NULL, '
    '"author_identity_id" bigint NULL, "author_user_id" bigint NULL, '
    "UNIQUE (channel, external_id))",
    "CREATE INDEX m_identity ON message (author_identity_id)",
    "CREATE INDEX m_user ON message (author_user_id)",
    "CREATE INDEX m_channel ON message (channel)",
    "CREATE INDEX m_conversation ON message (conversation_id)",
    "CREATE INDEX m_conv_sent ON message (conversation_id, sent_at)",
)
_INSERT = (
    "INSERT OR IGNORE INTO message (created_at, updated_at, direction, author_name, body, "
    "external_id, in_reply_to_external_id, sent_at, channel, conversation_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
Row = tuple[str, str, str, str, str, str, str, str, str, int]


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[Row]:
    header = next(reader)
    text, name, airline, created = (
        header.index(c) for c in ("text", "name", "airline", "tweet_created")
    )
    for number, values in enumerate(reader):
        key = "\x1f".join([values[airline], values[name], values[created], values[text]])
        digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:24]
        yield (
            _NOW,
            _NOW,
            "inbound",
            values[name],
            values[text],
            "row:" + digest,
            "",
            values[created],
            values[airline],
            number,
        )


def _twcs_rows(reader: Iterator[list[str]]) -> Iterator[Row]:
    next(reader)
    for number, (tweet, author, inbound, created, text, _, parent) in enumerate(reader):
        direction = "inbound" if inbound == "True" else "outbound"
        yield (_NOW, _NOW, direction, author, text, tweet, parent, created, "x", number)


def _rows(kind: str, reader: Iterator[list[str]]) -> Iterator[Row]:
    return _csv_rows(reader) if kind == "csv" else _twcs_rows(reader)


def run_sqlite(kind: str, table: str, source: Path, db: str) -> int:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in _SCHEMA_DDL if table == "schema" else _MIN_DDL:
        connection.execute(statement)
    with source.open(encoding="utf-8", newline="") as handle:
        batch: list[Row] = []
        for row in _rows(kind, csv.reader(handle)):
            batch.append(row)
            if len(batch) >= BATCH:
                _flush_sqlite(connection, batch)
        _flush_sqlite(connection, batch)
    # duplicated rows of the source are ignored, as the importer skips them
    stored = int(connection.execute("SELECT COUNT(*) FROM message").fetchone()[0])
    connection.close()
    return stored


def _flush_sqlite(connection: sqlite3.Connection, batch: list[Row]) -> None:
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(_INSERT, batch)
    connection.execute("COMMIT")
    batch.clear()


def run_postgres(kind: str, table: str, source: Path, url: str) -> int:
    import psycopg  # noqa: PLC0415 - needed (and installed) only where PostgreSQL is measured

    ddl = [
        s.replace("integer NOT NULL PRIMARY KEY AUTOINCREMENT", "bigserial PRIMARY KEY")
        .replace("INTEGER PRIMARY KEY AUTOINCREMENT", "bigserial PRIMARY KEY")
        .replace("datetime", "text")
        for s in (_SCHEMA_DDL if table == "schema" else _MIN_DDL)
    ]
    insert = _INSERT.replace("INSERT OR IGNORE", "INSERT").replace("?", "%s")
    insert += " ON CONFLICT (channel, external_id) DO NOTHING"
    with psycopg.connect(url) as connection:
        for statement in ddl:
            connection.execute(statement)
        connection.commit()
        with source.open(encoding="utf-8", newline="") as handle, connection.cursor() as cursor:
            batch: list[Row] = []
            for row in _rows(kind, csv.reader(handle)):
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(insert, batch)
                    connection.commit()
                    batch.clear()
            cursor.executemany(insert, batch)
            connection.commit()
        found = connection.execute("SELECT COUNT(*) FROM message").fetchone()
    return int(found[0]) if found else 0


def main(argv: list[str]) -> None:
    if len(argv) != 4 or argv[0] not in {"csv", "twcs"} or argv[1] not in {"min", "schema"}:
        raise SystemExit("usage: ingest_bare.py {csv|twcs} {min|schema} INPUT DB-PATH-OR-URL")
    kind, table, source, location = argv[0], argv[1], Path(argv[2]), argv[3]
    started = time.perf_counter()
    if location.startswith(("postgres://", "postgresql://")):
        stored = run_postgres(kind, table, source, location)
    else:
        stored = run_sqlite(kind, table, source, location)
    print(json.dumps({"rows": stored, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1:])
