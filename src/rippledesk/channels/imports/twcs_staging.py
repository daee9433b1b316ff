"""A per-connection temporary table where a TWCS import parks its rows.

Temporary tables live outside the database's journal (SQLite: the temp store; PostgreSQL: no
WAL), so staging, resolving and discarding millions of rows costs a fraction of a regular
table, and nothing is left behind if the process dies. Times are kept as ISO text in UTC, which
sorts in time order on both backends and parses back with ``datetime.fromisoformat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from rippledesk.core.sql import bulk_cursor, sqlite_datetime_text

NAME = "rd_twcs_stage"
COLUMNS = ("line", "tweet_id", "author_id", "inbound", "created_at", "text", "parent_id")


def stage_time(moment: datetime) -> str:
    """ISO text in UTC with its offset, as ``datetime.fromisoformat`` reads it back.

    Built by ``sqlite_datetime_text`` (cached pieces) rather than ``isoformat``, which costs
    microseconds per call and runs once per staged row.
    """
    return sqlite_datetime_text(moment) + "+00:00"


class StagingTable:
    """Create, fill, query and drop the staging table on the default connection."""

    def create(self) -> None:
        self.drop()
        self.execute(
            f"CREATE TEMPORARY TABLE {NAME} (line INTEGER NOT NULL, tweet_id TEXT NOT NULL, "
            "author_id TEXT NOT NULL, inbound INTEGER NOT NULL, created_at TEXT NOT NULL, "
            "text TEXT NOT NULL, parent_id TEXT NOT NULL, root_id TEXT NOT NULL DEFAULT '')"
        )

    def index_tweets(self) -> None:
        """Index for reply lookups; built once, after the rows are in.

        One sort-based build of the whole index costs a fraction of maintaining it through
        hundreds of thousands of inserts in random id order.
        """
        self.execute(f"CREATE INDEX {NAME}_tweet ON {NAME} (tweet_id)")

    def index_roots(self) -> None:
        """Index for reading threads back; built once, after the roots are known."""
        self.execute(f"CREATE INDEX {NAME}_root ON {NAME} (root_id, created_at, line)")

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        """Add one batch of rows in one transaction.

        Outside a transaction each row would commit on its own, and a commit of the temp
        database costs time in proportion to its page cache (50x slower with a 64 MiB cache).
        """
        if rows:
            with transaction.atomic(savepoint=False), bulk_cursor() as (cursor, mark):
                marks = ", ".join([mark] * len(COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {NAME} ({', '.join(COLUMNS)}) VALUES ({marks})", rows
                )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement written with ``%s`` placeholders; return the rows it changed."""
        with bulk_cursor() as (cursor, mark):
            cursor.execute(sql.replace("%s", mark), list(params))
            return int(cursor.rowcount)

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query written with ``%s`` placeholders."""
        with bulk_cursor() as (cursor, mark):
            cursor.execute(sql.replace("%s", mark), list(params))
            return [tuple(row) for row in cursor.fetchall()]

    def drop(self) -> None:
        self.execute(f"DROP TABLE IF EXISTS {NAME}")
