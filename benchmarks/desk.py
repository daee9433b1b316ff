"""The agent desk at scale: inbox, search and conversation page server times on a big desk.

Usage: ``python benchmarks/desk.py [--backend sqlite|postgres] [--messages 2000000]
[--conversations 400000] [--requests 200] [--keep | --reuse PATH]``. Seeds a fresh database
(``desk_seed``; SQLite in a temp ``RIPPLEDESK_DATA_DIR``, PostgreSQL as a new database on the
``DATABASE_URL`` server, dropped afterwards unless ``--keep``), then times each read in-process
(``desk_cases``): for an agent (two granted channels) and a manager, a warm-up, then
``--requests`` requests per case with varied parameters; p50/p95/p99/max in milliseconds and the
SQL queries of one request. HTTP cases run when their routes resolve. Targets: inbox p95 <= 20
ms, search p95 <= 100 ms, conversation page p95 <= 50 ms. Writes ``benchmarks/out/desk-*.json``.
Exits 1 when a request fails, 0 otherwise (missed targets are reported, not fatal, unless
``--strict``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest_backends import PostgresTarget, machine

HERE = Path(__file__).resolve().parent
TARGETS_MS = {"inbox": 20.0, "search": 100.0, "conversation": 50.0}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=2_000_000)
    parser.add_argument("--conversations", type=int, default=400_000)
    parser.add_argument("--customers", type=int, help="default: 3/4 of --conversations")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per case")
    parser.add_argument("--source", type=Path, help="airline tweets CSV (see ingest_data.py)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument(
        "--reuse", help="a kept database: SQLite data dir, or PostgreSQL URL; skips seeding"
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--cases", help='only these cases, comma-separated names: "web inbox,web conversation"'
    )
    parser.add_argument("--roles", default="agent,manager", help="agent, manager or both")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if not 1 <= args.conversations <= args.messages:
        parser.error("need 1 <= --conversations <= --messages")
    args.customers = args.customers or max(1, args.conversations * 3 // 4)
    args.roles = [role.strip() for role in args.roles.split(",")]
    if not args.roles or any(role not in ("agent", "manager") for role in args.roles):
        parser.error("--roles takes agent, manager or agent,manager")
    return args


class Database:
    """Where this run's database lives; set up before Django reads its settings."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.backend, self.keep, self.reused = args.backend, args.keep, bool(args.reuse)
        self.server = os.environ.get("DATABASE_URL", "")
        self.dir: Path | None = None
        self.pg: PostgresTarget | None = None
        if args.backend == "sqlite":
            self.dir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="rd-desk-"))
            os.environ.pop("DATABASE_URL", None)
            os.environ["RIPPLEDESK_DATA_DIR"] = str(self.dir)
            self.location = str(self.dir)
        else:
            if not self.server:
                raise SystemExit("--backend postgres needs DATABASE_URL (any database on it)")
            if args.reuse:
                self.location = args.reuse
            else:
                self.pg = PostgresTarget(self.server)
                self.location = self.pg.url
            os.environ["DATABASE_URL"] = self.location

    def close(self) -> None:
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
        if self.keep or self.reused:
            print(f"kept database: --reuse {self.location}", file=sys.stderr)
        elif self.pg is not None:
            self.pg.close()
        elif self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "rippledesk.settings"
    import django  # noqa: PLC0415

    django.setup()
    from django.conf import settings  # noqa: PLC0415

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # quiets WhiteNoise


def seed_or_load(args: argparse.Namespace, texts: Any) -> Any:
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from desk_seed import Desk, Sizes, seed  # noqa: PLC0415
    from rippledesk.conversations.models import Conversation, Message  # noqa: PLC0415
    from rippledesk.workspaces.models import Role, Team, User, Workspace  # noqa: PLC0415

    if not args.reuse:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate = time.perf_counter() - started
        desk = seed(Sizes(args.messages, args.conversations, args.customers), texts)
        desk.seconds = {"migrate": round(migrate, 2), **desk.seconds}
        return desk
    started = time.perf_counter()
    call_command(
        "migrate", verbosity=0
    )  # a kept desk gets the code's new indexes, as in an upgrade
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"migrate + ANALYZE of the kept database: {time.perf_counter() - started:.1f} s")
    workspace = Workspace.objects.get(slug="airlines")
    staff = User.objects.filter(memberships__workspace=workspace).order_by("pk")
    return Desk(
        workspace.slug,
        list(workspace.channels.order_by("pk").values_list("pk", flat=True)),
        list(Team.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True)),
        list(staff.filter(memberships__role=Role.AGENT).values_list("pk", flat=True)),
        list(staff.filter(memberships__role=Role.MANAGER).values_list("pk", flat=True)),
        Conversation.objects.filter(workspace=workspace).count(),
        Message.objects.count(),
        [texts.name(i) for i in range(1, 5001)],
    )


def measure(case: Any, rng: random.Random, requests: int, warmup: int) -> dict[str, Any]:
    from django.db import connection  # noqa: PLC0415

    from rippledesk.conversations.queries import percentile  # noqa: PLC0415

    for _ in range(warmup):
        case.run(rng)
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: the test Client's request_started signal resets its log.
    with connection.execute_wrapper(count):
        case.run(rng)
    times, cpu = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.thread_time()
        case.run(rng)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
    times.sort()
    cpu.sort()
    result = {
        "case": case.name,
        "kind": case.kind,
        "requests": requests,
        "queries": len(statements),
        **{f"p{int(q * 100)}_ms": round(percentile(times, q) or 0.0, 2) for q in (0.5, 0.95, 0.99)},
        "max_ms": round(times[-1], 2),
        # CPU time of this thread: Django, plus SQLite's own work (in-process); PostgreSQL's
        # work is in the server process and not in it. Far below the wall time = waiting.
        "cpu_p50_ms": round(percentile(cpu, 0.5) or 0.0, 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95) or 0.0, 2),
        "target_p95_ms": TARGETS_MS[case.kind],
    }
    result["met"] = result["p95_ms"] <= result["target_p95_ms"]
    return result


def run_cases(desk: Any, texts: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    from desk_cases import Domain, Http, visible_numbers, words  # noqa: PLC0415
    from rippledesk.workspaces.access import access_seat  # noqa: PLC0415
    from rippledesk.workspaces.models import User  # noqa: PLC0415

    wordlist = words(texts.inbound, desk.customer_names)
    wanted = {name.strip() for name in args.cases.split(",")} if args.cases else None
    roles = {"agent": desk.agent_ids[0], "manager": desk.manager_ids[0]}
    results = []
    for role in args.roles:
        user_id = roles[role]
        user = User.objects.get(pk=user_id)
        rng = random.Random(f"{role}-numbers")
        numbers = visible_numbers(access_seat(user, desk.slug), rng, desk.conversations)
        domain = Domain(user, desk, wordlist, numbers)
        http = Http(domain)
        for case in [*domain.cases(), *http.cases()]:
            if wanted is not None and case.name not in wanted:
                continue
            print(f"{role}: {case.name} ...", file=sys.stderr)
            row = measure(case, random.Random(f"{role}-{case.name}"), args.requests, args.warmup)
            results.append({"role": role, **row})
        results.append({"role": role, "http_statuses": dict(http.statuses)})
    return results


def table(results: list[dict[str, Any]]) -> str:
    head = f"{'role':<8}{'case':<20}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'SQL':>5}"
    head += f"{'cpu50':>7}{'cpu95':>7}"
    lines = [head + "  target p95 (ms)", "-" * (len(head) + 17)]
    for r in results:
        if "case" not in r:
            continue
        verdict = "met" if r["met"] else "MISSED"
        lines.append(
            f"{r['role']:<8}{r['case']:<20}{r['requests']:>5}{r['p50_ms']:>8.1f}"
            f"{r['p95_ms']:>8.1f}{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['queries']:>5}"
            f"{r['cpu_p50_ms']:>7.1f}{r['cpu_p95_ms']:>7.1f}"
            f"  <= {r['target_p95_ms']:.0f} {verdict}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    host = machine(os.environ.get("DATABASE_URL", "") if args.backend == "postgres" else "")
    database = Database(args)
    try:
        setup_django()
        from desk_text import Texts  # noqa: PLC0415

        texts = Texts(args.source)
        started = time.perf_counter()
        desk = seed_or_load(args, texts)
        seed_seconds = round(time.perf_counter() - started, 1)
        print(f"seeded/loaded in {seed_seconds} s: {desk.seconds}", file=sys.stderr)
        results = run_cases(desk, texts, args)
    finally:
        database.close()
    failed = {k: v for r in results for k, v in r.get("http_statuses", {}).items()}
    bad = {k: v for k, v in failed.items() if not k.endswith(" 200")}
    report = {
        "benchmark": "desk",
        "command": " ".join(["python", "benchmarks/desk.py", *(argv or sys.argv[1:])]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "backend": args.backend,
        "machine": {**host, "loadavg_1_5_15_after": list(os.getloadavg())},
        "source": {"path": str(texts.path), "rows": texts.source_rows},
        "sizes": {"messages": desk.messages, "conversations": desk.conversations},
        "seeded": not args.reuse,
        "seed_seconds": seed_seconds,
        "seed_stages": desk.seconds,
        "results": results,
    }
    out = args.out or HERE / "out" / f"desk-{args.backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{args.backend}: {desk.messages:,} messages in {desk.conversations:,} conversations")
    if not args.reuse:
        print(f"seeding took {seed_seconds:.1f} s: {desk.seconds}")
    print(table(results))
    if bad:
        print(f"non-200 HTTP answers: {bad}", file=sys.stderr)
    print(f"wrote {out}")
    missed = [r for r in results if r.get("met") is False]
    return 1 if bad or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
