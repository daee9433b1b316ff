"""Index a bulk load's new rows in one statement per table instead of one trigger per row.

On SQLite the insert triggers (``search/ddl.py``) index every row as it is written, whoever
writes it. A bulk import writes thousands of rows per transaction. Inside its transaction it
drops the insert triggers and, before the transaction commits, indexes every row above the
highest id seen at the start with one ``INSERT ... SELECT`` per index and creates the triggers
again from the definitions it read. Ids only grow (AUTOINCREMENT) and SQLite has one writer at
a time, so those rows are exactly the ones written meanwhile. DDL is transactional on SQLite: a
rollback brings the triggers back too, and no other connection ever sees them missing.

Dropping the triggers, rather than having them skip rows, matters: a table with an insert
trigger makes SQLite keep a statement journal for every multi-row insert into it, a copy of
each page the statement changes, spilled to a temporary file past 64 KiB.

Nested uses (a writer's batch inside an import's commit group) leave the work to the outermost
one. PostgreSQL maintains its GIN indexes itself: nothing to do there.
"""

from __future__ import annotations

from types import TracebackType

from django.db import connection

from rippledesk.conversations.search.ddl import sqlite_tables
from rippledesk.core.readahead import writing

# Below this many rows the triggers are cheaper than dropping and recreating them.
MIN_ROWS = 32
# Set on the connection while a BatchIndex holds its triggers.
_ACTIVE = "_rd_batch_index_active"


class BatchIndex:
    """``with BatchIndex(rows):`` around inserts, inside their transaction.

    ``rows=None`` is for a whole commit group, whose size is not known up front.
    """

    def __init__(self, rows: int | None = None) -> None:
        self.enabled = (
            connection.vendor == "sqlite"
            and (rows is None or rows >= MIN_ROWS)
            and not getattr(connection, _ACTIVE, False)
        )
        self._before: dict[str, int] = {}
        self._triggers: list[str] = []

    def __enter__(self) -> BatchIndex:
        if not self.enabled:
            return self
        names = [f"{fts}_ai" for fts, _, _ in sqlite_tables()]
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
                names,
            )
            found = dict(cursor.fetchall())
            if len(found) != len(names):  # not an indexed database (yet): leave it alone
                self.enabled = False
                return self
            for _, base, _ in sqlite_tables():
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {base}")
                self._before[base] = int(cursor.fetchone()[0])
            for name in names:
                cursor.execute(f"DROP TRIGGER {name}")
            self._triggers = [found[name] for name in names]
        setattr(connection, _ACTIVE, True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.enabled:
            return
        setattr(connection, _ACTIVE, False)
        if kind is not None:
            # The transaction is rolling back, and the dropped triggers with it.
            return
        with connection.cursor() as cursor:
            for fts, base, columns in sqlite_tables():
                cols = ", ".join(columns)
                with writing():
                    cursor.execute(
                        f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {cols} FROM {base} "
                        "WHERE id > %s",
                        [self._before[base]],
                    )
            for sql in self._triggers:
                cursor.execute(sql)
