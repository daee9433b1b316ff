"""Index a bulk batch's new rows in one statement per table instead of one trigger per row.

On SQLite the insert triggers (``search/ddl.py``) index every row as it is written, whoever
writes it. A bulk import writes thousands of rows per transaction; inside its transaction it
sets the control flag that makes the triggers skip, and at the end indexes every row above the
highest id seen at the start with one ``INSERT ... SELECT`` per index. Ids only grow
(AUTOINCREMENT) and SQLite has one writer at a time, so those rows are exactly the batch's. The
flag is back at 0 before the transaction commits, and a rollback undoes it too, so no other
connection ever sees it set. PostgreSQL maintains its GIN indexes itself: nothing to do.
"""

from __future__ import annotations

from types import TracebackType

from django.db import connection

from rippledesk.conversations.search.ddl import FTS_CONTROL, sqlite_tables

# Below this many rows the triggers are cheaper than the six statements of pausing them.
MIN_ROWS = 32


class BatchIndex:
    """``with BatchIndex(rows):`` around a batch's inserts, inside its transaction."""

    def __init__(self, rows: int) -> None:
        self.enabled = connection.vendor == "sqlite" and rows >= MIN_ROWS
        self._before: dict[str, int] = {}

    def __enter__(self) -> BatchIndex:
        if not self.enabled:
            return self
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {FTS_CONTROL} SET paused = 1 WHERE id = 1")
            if cursor.rowcount != 1:  # a database from before the flag: triggers as usual
                self.enabled = False
                return self
            for _, base, _ in sqlite_tables():
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {base}")
                self._before[base] = int(cursor.fetchone()[0])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.enabled:
            return
        with connection.cursor() as cursor:
            if kind is None:
                for fts, base, columns in sqlite_tables():
                    cols = ", ".join(columns)
                    cursor.execute(
                        f"INSERT INTO {fts}(rowid, {cols}) "
                        f"SELECT id, {cols} FROM {base} WHERE id > %s",
                        [self._before[base]],
                    )
            cursor.execute(f"UPDATE {FTS_CONTROL} SET paused = 0 WHERE id = 1")
