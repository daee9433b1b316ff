"""Bulk import throughput of ``rippledesk import``, next to a bare ``sqlite3`` insert.

Usage: ``python benchmarks/ingest.py [--rows 200000] [--small-rows 50000] [--repeat 1]``
(``make bench``). Builds two inputs from real airline tweets (see ``ingest_data.py``): a generic
CSV for ``rippledesk import csv`` and a TWCS file for ``rippledesk import twcs``, each at two
sizes. Every measured run is a fresh subprocess on a freshly migrated database; its wall time
(interpreter and Django start-up included), CPU time, the messages it stored and its peak RSS
are recorded. Peak RSS comes from ``wait4`` and is never below this runner's RSS at fork time,
so inputs are built in a child process and the runner stays around 21 MiB. ``ingest_bare.py``
stores the same rows with bare ``sqlite3`` in the same run as the physical reference. With
``DATABASE_URL`` set, everything is repeated on that PostgreSQL server in throw-away databases.

Prints a table and writes ``benchmarks/out/ingest.json``. Exits 1 when a command fails (an
import exiting 1 only rejected some rows, which is counted, not a failure), 0 otherwise; the
throughput goal is reported but does not change the exit code unless ``--fail-below`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest_backends import PostgresTarget, SqliteTarget, Target, machine
from ingest_data import REPO, Built, find_source

KINDS = ("csv", "twcs")
GOAL = 20_000  # messages per second on one process
HERE = Path(__file__).resolve().parent
CSV_OPTIONS = (
    "--text-column",
    "text",
    "--author-column",
    "name",
    "--channel-column",
    "airline",
    "--time-column",
    "tweet_created",
)
_SUMMARY = re.compile(
    r"read (?P<read>[\d,]+) rows; .*?(?P<present>[\d,]+) already present; "
    r"(?P<rejected>[\d,]+) rejected(?:; (?P<warnings>[\d,]+) warnings)?"
)


@dataclass
class Run:
    """One subprocess: its exit code, wall time and peak resident set size."""

    argv: list[str]
    returncode: int
    seconds: float
    cpu_seconds: float  # user + system time of the child: less sensitive to a busy machine
    peak_rss_mib: float
    stdout: str
    stderr: str


def measure(argv: list[str], env: dict[str, str], logs: Path, name: str) -> Run:
    """Run ``argv`` to completion; ``wait4`` gives this child's own ``ru_maxrss`` (KiB)."""
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        argv,
        process.returncode,
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


@dataclass
class Case:
    """All repeats of one measurement, summarised by the median wall time."""

    backend: str
    kind: str  # "import", "startup" (import of a header-only file) or "bare"
    path: str  # "csv" or "twcs" (the input), plus the bare table variant
    rows_in_file: int
    stored: int = 0
    conversations: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)
    returncodes: list[int] = field(default_factory=list)
    failure: str = ""
    command: str = ""

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def median_cpu_seconds(self) -> float:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else 0.0

    @property
    def per_second(self) -> float:
        return self.stored / self.median_seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["median_seconds"] = round(self.median_seconds, 3)
        data["median_cpu_seconds"] = round(self.median_cpu_seconds, 3)
        data["per_second"] = round(self.per_second, 1)
        data["max_peak_rss_mib"] = round(max(self.peak_rss_mib, default=0.0), 1)
        return data


def find_cli() -> list[str]:
    """The product CLI: beside this interpreter, in the repo's venv, or on PATH."""
    candidates = [Path(sys.executable).with_name("rippledesk"), REPO / ".venv/bin/rippledesk"]
    for candidate in candidates:
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("rippledesk")
    if found:
        return [found]
    raise SystemExit("the rippledesk CLI is not installed; run `pip install -e .` first")


@dataclass
class Bench:
    cli: list[str]
    repeat: int
    workdir: Path
    backends: dict[str, Callable[[str], Target]]
    batch_size: int | None
    cases: list[Case] = field(default_factory=list)

    def import_case(self, backend: str, path: str, built: Built, kind: str = "import") -> Case:
        # Storage throughput only: analysis is measured on its own in benchmarks/analysis.py.
        argv = [*self.cli, "import", path, str(built.path), "--analysis", "later"]
        if path == "csv":
            argv += CSV_OPTIONS
        if self.batch_size:
            argv += ["--batch-size", str(self.batch_size)]
        case = Case(backend, kind, path, built.rows, command=" ".join(argv))
        for attempt in range(self.repeat):
            tag = f"{backend}-{path}-{built.rows}-{attempt}"
            target = self.backends[backend](tag)
            try:
                self._import_once(case, target, argv, tag)
            finally:
                target.close()
            if case.failure:
                break
        self.cases.append(case)
        return case

    def _import_once(self, case: Case, target: Target, argv: list[str], tag: str) -> None:
        env = target.env()
        migrate = measure([*self.cli, "migrate", "-v", "0"], env, self.workdir, f"{tag}-migrate")
        if migrate.returncode != 0:
            case.failure = f"migrate exited {migrate.returncode}: {migrate.stderr[-2000:]}"
            return
        run = measure(argv, env, self.workdir, tag)
        case.returncodes.append(run.returncode)
        if run.returncode not in (0, 1):
            case.failure = f"import exited {run.returncode}: {run.stderr[-2000:]}"
            return
        case.seconds.append(run.seconds)
        case.cpu_seconds.append(run.cpu_seconds)
        case.peak_rss_mib.append(run.peak_rss_mib)
        case.stored, case.conversations = target.counts()
        summary = _SUMMARY.search(run.stdout)
        if summary is None:
            case.failure = (
                f"import exited {run.returncode} without a summary line: {run.stderr[-1000:]}"
            )
            return
        case.rows_rejected = int(summary["rejected"].replace(",", ""))
        case.warnings = int((summary["warnings"] or "0").replace(",", ""))

    def bare_case(self, backend: str, path: str, table: str, built: Built) -> Case:
        case = Case(backend, "bare", f"{path}/{table}", built.rows)
        for attempt in range(self.repeat):
            tag = f"{backend}-bare-{path}-{table}-{built.rows}-{attempt}"
            target = self.backends[backend](tag)
            try:
                argv = [sys.executable, str(HERE / "ingest_bare.py"), path, table]
                argv += [str(built.path), target.bare_location()]
                case.command = " ".join([*argv[:4], "INPUT", "DB"])
                run = measure(argv, target.env(), self.workdir, tag)
            finally:
                target.close()
            case.returncodes.append(run.returncode)
            if run.returncode != 0:
                case.failure = f"bare insert exited {run.returncode}: {run.stderr[-2000:]}"
                break
            case.seconds.append(run.seconds)
            case.cpu_seconds.append(run.cpu_seconds)
            case.peak_rss_mib.append(run.peak_rss_mib)
            case.stored = int(json.loads(run.stdout)["rows"])
        self.cases.append(case)
        return case


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000, help="rows per input (full size)")
    parser.add_argument(
        "--small-rows",
        type=int,
        default=50_000,
        help="rows of the second, smaller size (peak memory must not grow with size); 0 skips",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; median reported")
    parser.add_argument(
        "--backend",
        choices=["all", "sqlite", "postgres"],
        default="all",
        help="all = SQLite, plus PostgreSQL when DATABASE_URL is set",
    )
    parser.add_argument("--source", type=Path, help="airline tweets CSV (default: see docs)")
    parser.add_argument("--batch-size", type=int, help="pass --batch-size to the imports")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "ingest.json")
    parser.add_argument("--fail-below", type=float, default=0.0, help="exit 1 below this msg/s")
    parser.add_argument("--keep", action="store_true", help="keep inputs and logs (prints where)")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1 or args.small_rows < 0:
        parser.error("--rows and --repeat must be at least 1, --small-rows at least 0")
    return args


def _bare_rate(cases: list[Case], case: Case, variant: str) -> float:
    """Rows/s of the bare insert of the same input, backend and size."""
    for other in cases:
        same = (other.backend, other.rows_in_file) == (case.backend, case.rows_in_file)
        if same and other.kind == "bare" and other.path == f"{case.path}/{variant}":
            return other.per_second
    return 0.0


def startup_seconds(cases: list[Case], backend: str) -> float:
    """Median wall time of importing a header-only file: interpreter, Django, run bookkeeping."""
    found = [c for c in cases if c.kind == "startup" and c.backend == backend and c.seconds]
    return found[0].median_seconds if found else 0.0


def net_rate(cases: list[Case], case: Case) -> float:
    """Messages per second once the fixed start-up cost is taken off an import's wall time."""
    if case.kind != "import":
        return 0.0
    net = case.median_seconds - startup_seconds(cases, case.backend)
    return case.stored / net if case.seconds and net > 0 else 0.0


def table(cases: list[Case]) -> str:
    header = (
        f"{'backend':<9}{'input':<6}{'rows':>9}{'stored':>9}{'wall s':>8}{'CPU s':>7}{'msg/s':>9}"
        f"{'net msg/s':>10}{'peak RSS MiB':>13}{'bare rows/s':>12}{'bare+idx':>10}{'ratio':>7}"
    )
    lines = [header, "-" * len(header)]
    for case in cases:
        if case.kind != "import":
            continue
        bare = _bare_rate(cases, case, "min")
        full = _bare_rate(cases, case, "schema")
        ratio = f"{case.per_second / bare:.0%}" if bare and case.seconds else "-"
        lines.append(
            f"{case.backend:<9}{case.path:<6}{case.rows_in_file:>9,}{case.stored:>9,}"
            f"{case.median_seconds:>8.1f}{case.median_cpu_seconds:>7.1f}"
            f"{case.per_second:>9,.0f}{net_rate(cases, case):>10,.0f}"
            f"{max(case.peak_rss_mib, default=0):>13.1f}{bare:>12,.0f}{full:>10,.0f}{ratio:>7}"
            + (f"  FAILED: {case.failure.splitlines()[0]}" if case.failure else "")
        )
    return "\n".join(lines)


def build(kind: str, rows: int, out: Path, source: Path) -> Built:
    """Write one input in a child process, keeping this process (the fork parent) small."""
    argv = [sys.executable, str(HERE / "ingest_data.py"), kind, str(rows), str(out)]
    done = subprocess.run([*argv, "--source", str(source)], check=True, capture_output=True)
    return Built.from_json(json.loads(done.stdout))


def run(args: argparse.Namespace, workdir: Path) -> tuple[Bench, dict[str, Any]]:
    source = find_source(args.source)
    postgres = os.environ.get("DATABASE_URL", "")
    if args.backend == "postgres" and not postgres:
        raise SystemExit("--backend postgres needs DATABASE_URL (postgres://user@host:port/db)")
    backends: dict[str, Callable[[str], Target]] = {}
    if args.backend in {"all", "sqlite"}:
        backends["sqlite"] = lambda tag: SqliteTarget(workdir, tag)
    if postgres and args.backend in {"all", "postgres"}:
        backends["postgres"] = lambda tag: PostgresTarget(postgres)
    bench = Bench(find_cli(), args.repeat, workdir, backends, args.batch_size)
    host = machine(postgres if "postgres" in backends else "")
    sizes = sorted({args.small_rows, args.rows} - {0})
    inputs: list[dict[str, Any]] = []
    print(f"source: {source}; work dir {workdir}", file=sys.stderr)
    empty = workdir / "header-only.csv"
    empty.write_text(",".join(("text", "name", "airline", "tweet_created")) + "\n")
    for backend in backends:
        print(f"{backend} start-up (header-only import) ...", file=sys.stderr)
        bench.import_case(backend, "csv", Built(empty, 0), kind="startup")
    for size in sizes:
        built = {kind: build(kind, size, workdir / f"{kind}-{size}.csv", source) for kind in KINDS}
        inputs += [{"input": kind, **b.as_json()} for kind, b in built.items()]
        for backend in backends:
            for path, data in built.items():
                print(f"{backend} import {path} {size:,} rows ...", file=sys.stderr)
                bench.import_case(backend, path, data)
                for variant in ("min", "schema"):
                    bench.bare_case(backend, path, variant, data)
    report = {
        "benchmark": "ingest",
        "command": " ".join(["python", "benchmarks/ingest.py", *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {**host, "loadavg_1_5_15_after": list(os.getloadavg())},
        "source": {"path": str(source), "rows": inputs[0]["source_rows"] if inputs else 0},
        "runner_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "params": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "goal_messages_per_second": GOAL,
        "inputs": inputs,
        "startup_seconds": {b: round(startup_seconds(bench.cases, b), 3) for b in backends},
        "cases": [
            {**c.as_json(), "net_per_second": round(net_rate(bench.cases, c), 1) or None}
            for c in bench.cases
        ],
    }
    return bench, report


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="rippledesk-bench-"))
    try:
        bench, report = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    failed = [c for c in bench.cases if c.failure]
    imports = [c for c in bench.cases if c.kind == "import" and not c.failure]
    slow = [c for c in imports if c.per_second < max(args.fail_below, 0.0)]
    report["ok"] = not failed and not slow
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(table(bench.cases))
    for backend, seconds in report["startup_seconds"].items():
        print(f"{backend}: start-up (import of a header-only file) {seconds:.2f} s")
    for case in imports:
        verdict = "met" if case.per_second >= GOAL else "NOT met"
        print(
            f"goal {GOAL:,} msg/s, {case.backend} {case.path} {case.rows_in_file:,} rows: "
            f"{case.per_second:,.0f} msg/s ({verdict}); {case.rows_rejected:,} rejected, "
            f"{case.warnings:,} warnings, {case.conversations:,} conversations"
        )
    for case in failed:
        print(f"FAILED {case.backend} {case.kind} {case.path}: {case.failure}", file=sys.stderr)
    print(f"wrote {args.out}" + (f"; kept {workdir}" if args.keep else ""))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
