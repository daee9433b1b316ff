"""Where an import spends its time: SQL statement by statement, then Python function by function.

Usage: ``python benchmarks/ingest_profile.py {csv|twcs} FILE [import options ...]``, e.g. on an
input that ``ingest.py --keep`` left behind. Runs ``rippledesk import`` in this process on a
freshly migrated SQLite database in a temp dir (or on ``DATABASE_URL`` as it is, if set), with
``cProfile`` on and every SQL statement timed through Django's ``execute_wrapper``. Profiling
slows Python down (roughly 1.3x), so read shares, not absolute times. Not part of ``make bench``.

With the statement timer installed, ``core.sql.bulk_cursor`` uses Django's cursor instead of the
raw ``sqlite3`` one (so that the timer sees every statement), which adds Django's placeholder
rewriting to the bulk statements; a sampling profiler on the real command (e.g. ``py-spy
record -- rippledesk import ...``) shows the path the CLI takes.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

CSV_OPTIONS = ["--text-column", "text", "--author-column", "name"]
CSV_OPTIONS += ["--channel-column", "airline", "--time-column", "tweet_created"]
_ROWS = re.compile(r"\(%s(?:, %s)*\)(?:, \(%s(?:, %s)*\))*")


class SqlTimer:
    """Totals time, calls and rows per statement shape (values and IN lists folded)."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.totals[_ROWS.sub("(...)", sql[:600])[:120]]
            entry[0] += time.perf_counter() - started
            entry[1] += 1
            entry[2] += len(params) if many else 1

    def report(self, top: int) -> str:
        total = sum(v[0] for v in self.totals.values())
        lines = [f"SQL: {total:.2f} s in {sum(v[1] for v in self.totals.values()):,.0f} calls"]
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][0])[:top]
        for sql, (seconds, calls, rows) in ranked:
            lines.append(f"{seconds:7.2f} s {calls:6,.0f} calls {rows:9,.0f} rows  {sql}")
        return "\n".join(lines)


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in {"csv", "twcs"}:
        raise SystemExit("usage: ingest_profile.py {csv|twcs} FILE [import options ...]")
    made = ""
    if not os.environ.get("DATABASE_URL"):
        made = tempfile.mkdtemp(prefix="rippledesk-profile-")
        os.environ["RIPPLEDESK_DATA_DIR"] = made
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    import django  # noqa: PLC0415 - settings must be in the environment first
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    django.setup()
    call_command("migrate", verbosity=0)
    options = [*argv[1:], *(CSV_OPTIONS if argv[0] == "csv" else [])]
    timer = SqlTimer()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        profiler.enable()
        try:
            call_command("import", argv[0], *options, "--show-problems", "0")
        except SystemExit as exc:  # exit 1 = some rows rejected
            if exc.code not in (None, 0, 1):
                raise
        finally:
            profiler.disable()
    print(f"wall {time.perf_counter() - started:.2f} s (profiled)")
    print(timer.report(15))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(25)
    if made:
        shutil.rmtree(made, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
