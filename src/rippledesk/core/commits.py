"""One transaction around several import batches.

Each batch of an import is written atomically, but committing every batch is costly on SQLite:
a commit writes every page the batch dirtied to the WAL, and with random keys (hashed message
ids, customer handles, times) a batch of 10,000 rows dirties most leaf pages of half a dozen
indexes. Committing every 50,000 rows instead writes each of those pages once per 50,000 rows,
while the rows in Python memory stay one batch. Batches inside a group are savepoints, so a
batch that fails still rolls back alone. The price: a crash loses up to one group of rows
(imports are idempotent, so re-running the file stores them), and other writers wait for the
database lock up to one group's time, well within the 20 s lock timeout.
"""

from __future__ import annotations

from types import TracebackType

from django.db import transaction

# Rows per transaction of a bulk import.
GROUP_ROWS = 50_000


class CommitGroup:
    """Context manager: a transaction that commits and reopens every ``rows`` rows."""

    def __init__(self, rows: int = GROUP_ROWS) -> None:
        self.rows = rows
        self.pending = 0
        self._atomic: transaction.Atomic | None = None

    def __enter__(self) -> CommitGroup:
        self._begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._end(kind, error, trace)

    def done(self, rows: int) -> None:
        """Count rows written; commit the group once it holds ``rows`` rows."""
        self.pending += rows
        if self.pending >= self.rows:
            self._end(None, None, None)
            self._begin()

    def _begin(self) -> None:
        self.pending = 0
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def _end(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            atomic.__exit__(kind, error, trace)
