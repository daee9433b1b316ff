"""One transaction around several import batches.

Each batch of an import is written atomically, but committing every batch is costly on SQLite:
a commit writes every page the batch dirtied to the WAL, and with random keys (hashed message
ids, customer handles, times) a batch of 10,000 rows dirties most leaf pages of half a dozen
indexes. Committing every 50,000 rows instead writes each of those pages once per 50,000 rows,
while the rows in Python memory stay one batch.

Batches inside a group join its transaction rather than open savepoints of their own
(``transaction.atomic(savepoint=False)`` in the writers). While a savepoint is open SQLite
copies every page it changes to a sub-journal in a temporary file, so that it could roll back
to it: 1.2 GB of temporary-file writes for a 200,000-row CSV import, where the database itself
ends at 270 MB. Nothing rolls back to a batch anyway: a batch that fails ends the import, and
the group's transaction rolls back with it. The price: a crash or a failing batch loses up to
one group of rows (imports are idempotent, so re-running the file stores them), and other
writers wait for the database lock up to one group's time, well within the 20 s lock timeout.

``around`` is a context manager factory entered when each group's transaction begins and left
just before it commits, for work that belongs to the whole group (see
``conversations.search.bulk.BatchIndex``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from django.db import transaction

from rippledesk.core.readahead import writing

# Rows per transaction of a bulk import.
GROUP_ROWS = 50_000


class CommitGroup:
    """Context manager: a transaction that commits and reopens every ``rows`` rows."""

    def __init__(
        self,
        rows: int = GROUP_ROWS,
        around: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.rows = rows
        self.pending = 0
        self._around = around
        self._atomic: transaction.Atomic | None = None
        self._inner: AbstractContextManager[Any] | None = None

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
        if self._around is not None:
            try:
                inner = self._around()
                inner.__enter__()
            except BaseException as exc:
                self._atomic.__exit__(type(exc), exc, exc.__traceback__)
                self._atomic = None
                raise
            self._inner = inner

    def _end(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        inner, self._inner = self._inner, None
        atomic, self._atomic = self._atomic, None
        try:
            if inner is not None:
                inner.__exit__(kind, error, trace)
        except BaseException as exc:
            if atomic is not None:
                atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        if atomic is not None:
            with writing():
                atomic.__exit__(kind, error, trace)
