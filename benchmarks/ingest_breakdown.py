"""Where one CSV import's wall time goes, without a profiler's overhead.

Usage: ``python benchmarks/ingest_breakdown.py FILE [--batch-size 10000]`` on an airline-format
CSV (``ingest.py --keep`` leaves one behind), with ``RIPPLEDESK_DATA_DIR`` pointing at a freshly
migrated database. Runs ``rippledesk import csv FILE --text-column text --author-column name
--channel-column airline --time-column tweet_created --analysis later`` in this process (the
command itself, through ``call_command``) and prints, for the importing thread: wall time; CPU
time; time inside the read-ahead gate's ``writing()`` blocks (multi-row inserts, full-text
indexing, commits; the statements that release the GIL), wall and CPU; each model's
``insert_returning`` (statement and its Python); time spent waiting for parsed rows; and the
CPU time of the other threads (the read-ahead parser). Wall minus CPU of the importing thread
is time off the CPU: waiting for rows, for the GIL or for a core. Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import time
import types
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django

from ingest_profile import CSV_OPTIONS

totals: dict[str, float] = defaultdict(float)


def timed_writing(name: str, original: Callable[[], Any]) -> Callable[[], Any]:
    @contextlib.contextmanager
    def writing() -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        with original():
            yield
        totals[f"{name} wall"] += time.perf_counter() - wall
        totals[f"{name} cpu"] += time.thread_time() - cpu

    return writing


class TimedQueue(queue.Queue[Any]):
    """The read-ahead queue, counting how long the consumer blocks for rows."""

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        started = time.perf_counter()
        try:
            return super().get(block, timeout)
        finally:
            if block:
                totals["waiting for rows"] += time.perf_counter() - started


def install_timers() -> None:
    from rippledesk.conversations import bulk  # noqa: PLC0415
    from rippledesk.conversations.search import bulk as search_bulk  # noqa: PLC0415
    from rippledesk.core import commits, readahead, sql  # noqa: PLC0415

    # Patched where each module looked the names up (setattr: they are not public there).
    original = readahead.writing
    for module, name in ((sql, "inserts"), (search_bulk, "full-text"), (commits, "commits")):
        setattr(module, "writing", timed_writing(name, original))  # noqa: B010
    # The read-ahead module's own view of ``queue``; the stdlib module stays as it is.
    timed_queue = types.SimpleNamespace(Queue=TimedQueue, Full=queue.Full, Empty=queue.Empty)
    setattr(readahead, "queue", timed_queue)  # noqa: B010
    insert_returning = sql.insert_returning

    def timed_insert(model: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return insert_returning(model, *args, **kwargs)
        finally:
            totals[f"insert {model.__name__}"] += time.perf_counter() - started

    for module in (sql, bulk):
        setattr(module, "insert_returning", timed_insert)  # noqa: B010


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--batch-size", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    django.setup()
    install_timers()
    from django.core.management import call_command  # noqa: PLC0415

    options = [*CSV_OPTIONS, "--analysis", "later", "--batch-size", str(args.batch_size)]
    options += ["--show-problems", "0"]
    wall, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
    call_command("import", "csv", str(args.file), *options)  # the CLI's own path
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    others = time.process_time() - process - cpu
    print(f"importing thread: wall {wall:.2f} s, cpu {cpu:.2f} s, off the cpu {wall - cpu:.2f} s")
    for name, seconds in sorted(totals.items()):
        print(f"  {name}: {seconds:.2f} s")
    print(f"other threads (read-ahead parser): cpu {others:.2f} s")


if __name__ == "__main__":
    main()
