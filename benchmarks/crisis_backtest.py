"""Crisis detection backtest: replay nine days of real airline tweets through the desk's detector.

1. **Replay (the product, end to end).** The training part of the airline tweets
   (``airline-tweets/train.csv``; nothing else of that data set) is imported in time order into
   a throwaway SQLite desk, one X channel account per airline, and analysed by the shipped
   stack, as on ingest. Each analysis is then dated to its tweet's time (as live traffic would
   be) and the crisis tick (``do_evaluate``) runs every ``--step`` minutes of simulated time
   from the first tweet to two hours after the last. Every incident it opens is reported
   (topic, airline, start, size, peak against expected).
2. **Alarms on quiet stretches.** A "quiet day" of an airline is a whole UTC day after the
   warm-up whose message count lies within 25 % of that airline's median day; incidents that
   start on one are counted per quiet airline-day. They are an upper bound on false alarms (a
   quiet day can still hold a real flare-up).
3. **Method comparison** on the same counts, replayed without a database
   (``detect.replay``): the shipped test against a plain Poisson test (dispersion fixed at 1),
   counted as alarming series-runs (spiking buckets of one series no more than an hour apart).
4. **Synthetic null and power.** Poisson traffic at constant rates (nothing to find): alarm
   buckets per series-day against the nominal bound; then one injected spike of k times the
   rate: the share detected.

Usage: .venv/bin/python benchmarks/crisis_backtest.py [--step 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RIPPLEDESK_SHARED_DATA", ROOT.parent / "shared" / "data"))
TRAIN = SHARED / "airline-tweets" / "train.csv"
SAMPLE = ROOT / "data" / "airline-tweets" / "sample.csv"
SEED = 20150222


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        sent = datetime.strptime(row["tweet_created"], "%d-%m-%Y %H.%M").replace(tzinfo=UTC)
        row["sent"] = sent.isoformat()
    rows.sort(key=lambda r: r["sent"])
    return rows


def setup_django(data_dir: str) -> None:
    os.environ["RIPPLEDESK_DATA_DIR"] = data_dir
    os.environ["RIPPLEDESK_JOBS"] = "inline"  # alerts are tried (and skipped: no mail server)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)


def import_tweets(rows: list[dict[str, str]], workdir: Path) -> tuple[Any, float]:
    from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions  # noqa: PLC0415
    from rippledesk.workspaces.actions import do_get_or_create_workspace  # noqa: PLC0415

    path = workdir / "tweets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "name", "airline", "time"])
        for row in rows:
            sent = datetime.fromisoformat(row["sent"])
            writer.writerow([row["text"], row["name"], row["airline"], f"{sent:%Y-%m-%d %H:%M}"])
    workspace = do_get_or_create_workspace("airlines", "Airlines")
    started = time.perf_counter()
    columns = RowColumns(text="text", author="name", channel="airline", time="time")
    report = RowImporter(workspace, path, columns, RowOptions()).run()
    print(
        f"imported {report.messages_added} messages ({report.messages_present} repeats, "
        f"{report.rows_rejected} rejected) of {len(rows)} rows in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return workspace, time.perf_counter() - started


def date_analyses_to_tweets() -> None:
    from django.db.models import F  # noqa: PLC0415

    from rippledesk.analysis.models import MessageAnalysis  # noqa: PLC0415

    rows = list(MessageAnalysis.objects.annotate(sent=F("message__sent_at")))
    for row in rows:
        row.created_at = row.sent + timedelta(seconds=30)
    MessageAnalysis.objects.bulk_update(rows, ["created_at"], batch_size=2000)


def replay_desk(workspace: Any, first: datetime, last: datetime, step: int) -> dict[str, Any]:
    from rippledesk.triage.crisis.evaluate import do_evaluate  # noqa: PLC0415
    from rippledesk.triage.crisis.models import CrisisSettings  # noqa: PLC0415

    CrisisSettings.objects.update_or_create(
        workspace=workspace, defaults={"watching_since": first, "updated_at": first}
    )
    at, end = first, last + timedelta(hours=2)
    ticks, spikes, started = 0, 0, time.perf_counter()
    durations = []
    while at <= end:
        t0 = time.perf_counter()
        outcome = do_evaluate(at)
        durations.append(time.perf_counter() - t0)
        assert not outcome.failed, outcome
        spikes += outcome.spikes
        ticks += 1
        at += timedelta(minutes=step)
    return {
        "ticks": ticks,
        "spiking_bucket_looks": spikes,
        "seconds": round(time.perf_counter() - started, 1),
        "tick_ms_median": round(statistics.median(durations) * 1000, 1),
        "tick_ms_p95": round(statistics.quantiles(durations, n=20)[-1] * 1000, 1),
    }


def incidents() -> list[dict[str, Any]]:
    from rippledesk.triage.crisis.describe import kinds_label, topic_label  # noqa: PLC0415
    from rippledesk.triage.crisis.models import Crisis, CrisisAlert  # noqa: PLC0415

    found = []
    for c in Crisis.objects.select_related("channel").order_by("started_at", "pk"):
        found.append(
            {
                "id": c.pk,
                "topic": topic_label(c.topic),
                "channel": c.channel.name if c.channel else "all airlines",
                "started": c.started_at.strftime("%Y-%m-%d %H:%M"),
                "minutes": int((c.last_seen_at - c.started_at).total_seconds() // 60),
                "messages": c.message_count,
                "negative": c.negative_count,
                "peak_authors": c.peak_count,
                "expected": round(c.peak_expected, 2),
                "kinds": kinds_label(c),
                "reopened": c.reopened_count,
            }
        )
    alerts = Counter(CrisisAlert.objects.values_list("status", flat=True))
    print(f"alerts: {dict(alerts)}")
    return found


def quiet_days(rows: list[dict[str, str]], warm_until: datetime) -> set[tuple[str, str]]:
    """(airline, day) pairs after the warm-up whose count is within 25 % of the median day,
    for airlines with at least 20 messages on their median day (whole days only)."""
    per_day: Counter[tuple[str, str]] = Counter()
    for row in rows:
        per_day[(row["airline"], row["sent"][:10])] += 1
    first_day, last_day = rows[0]["sent"][:10], rows[-1]["sent"][:10]
    # the first whole UTC day after the warm-up
    first_full = (warm_until + timedelta(hours=23, minutes=59)).date().isoformat()
    quiet = set()
    for airline in {a for a, _ in per_day}:
        days = {d: n for (a, d), n in per_day.items() if a == airline and first_day < d < last_day}
        if len(days) < 3:
            continue
        middle = statistics.median(days.values())
        if middle < 20:
            continue
        for day, count in days.items():
            if day >= first_full and abs(count - middle) <= 0.25 * middle:
                quiet.add((airline, day))
    return quiet


Counts = dict[tuple[str, int | None], dict[int, tuple[int, int]]]


def series_counts(first: int, last: int) -> tuple[Counts, Counts]:
    """Per series and bucket, as the tick counts them: (customers, negative customers), and
    for comparison (messages, negative messages)."""
    from rippledesk.triage.crisis.counting import analysed_since, tally  # noqa: PLC0415

    found = tally(analysed_since(0, datetime.now(UTC)), first, last)
    (per_series,) = found.values()  # one workspace
    customers = {
        (key.topic, key.channel_id): {b: (t.count, t.negatives) for b, t in buckets.items()}
        for key, buckets in per_series.items()
    }
    messages = {
        (key.topic, key.channel_id): {
            b: (len(t.message_ids), len(t.negative_ids)) for b, t in buckets.items()
        }
        for key, buckets in per_series.items()
    }
    return customers, messages


def runs(buckets: Iterable[int], gap: int) -> int:
    ordered = sorted(buckets)
    return sum(1 for i, b in enumerate(ordered) if i == 0 or b - ordered[i - 1] > gap)


def compare_methods(first: int, last: int, quiet_from: int, quiet_to: int) -> list[dict[str, Any]]:
    from rippledesk.triage.crisis.detect import Params, replay  # noqa: PLC0415

    customers, messages = series_counts(first, last)
    variants = {
        "shipped (customers, quasi-Poisson)": (customers, Params()),
        "plain Poisson (dispersion fixed at 1)": (customers, Params(max_dispersion=1.0)),
        "counting messages, not customers": (messages, Params()),
        "plain Poisson on messages": (messages, Params(max_dispersion=1.0)),
        "alpha 0.0001": (customers, Params(alpha=0.0001)),
        "at least 10 customers": (customers, Params(min_count=10)),
    }
    table = []
    for name, (counts, params) in variants.items():
        alarm_runs = quiet_runs = buckets = 0
        for series in counts.values():
            spiking = [
                b
                for b, v in replay(series, first, last, params)
                if v.spiking and b >= first + params.warmup
            ]
            buckets += len(spiking)
            alarm_runs += runs(spiking, params.quiet)
            quiet_runs += runs([b for b in spiking if quiet_from <= b < quiet_to], params.quiet)
        table.append(
            {
                "method": name,
                "series": len(counts),
                "alarm_buckets": buckets,
                "alarm_runs": alarm_runs,
                "runs_18_to_20_feb": quiet_runs,
            }
        )
    return table


def synthetic(seed: int) -> dict[str, Any]:
    """Constant-rate Poisson traffic: alarms per series-day; then injected spikes: power."""
    import numpy as np  # noqa: PLC0415

    from rippledesk.triage.crisis.detect import Params, replay, threshold  # noqa: PLC0415

    params = Params()
    rng = np.random.default_rng(seed)
    days, series_per_rate = 28, 20
    null = []
    for rate in (0.25, 1.0, 3.0, 10.0, 30.0):
        alarms = 0
        for _ in range(series_per_rate):
            counts = {}
            for b in range(days * 96):
                n = int(rng.poisson(rate))
                if n:
                    counts[b] = (n, int(rng.binomial(n, 0.35)))
            alarms += sum(
                1 for b, v in replay(counts, 0, days * 96 - 1, params) if v.spiking and b >= 96
            )
        judged = series_per_rate * (days - 1)
        null.append(
            {
                "rate_per_15min": rate,
                "alarm_buckets": alarms,
                "per_bucket": f"{alarms / (judged * 96):.5f}",
                "per_series_day": round(alarms / judged, 3),
                "threshold_count": threshold(rate, 1.0, params),
                "threshold_negative": threshold(rate * 0.35, 1.0, params),
                "bound_per_series_day": round(2 * params.alpha * 96, 3),
            }
        )
    power = []
    for rate in (1.0, 3.0, 10.0):
        for factor in (3, 5, 10):
            caught = 0
            trials = 100
            for _ in range(trials):
                counts = {b: (int(n), 0) for b, n in enumerate(rng.poisson(rate, 5 * 96)) if n}
                spike = 5 * 96 - 1
                counts[spike] = (int(rng.poisson(rate * factor)), 0)
                verdicts = dict(replay(counts, 0, spike, params))
                caught += verdicts[spike].volume
            power.append(
                {"rate_per_15min": rate, "spike": f"{factor}x", "detected": caught / trials}
            )
    return {"null": null, "power": power}


def print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("(none)")
        return
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=int, default=5, help="minutes of simulated time per tick")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "crisis.json")
    args = parser.parse_args()
    source = TRAIN if TRAIN.is_file() else SAMPLE
    rows = load(source)
    print(f"{len(rows)} tweets from {source}, {rows[0]['sent']} to {rows[-1]['sent']}")
    workdir = Path(tempfile.mkdtemp(prefix="rd-crisis-"))
    setup_django(str(workdir))
    from rippledesk.triage.crisis.detect import Params, bucket_of  # noqa: PLC0415

    workspace, import_seconds = import_tweets(rows, workdir)
    date_analyses_to_tweets()
    first = datetime.fromisoformat(rows[0]["sent"])
    last = datetime.fromisoformat(rows[-1]["sent"])
    replay_stats = replay_desk(workspace, first, last, args.step)
    print(f"replay: {replay_stats}")
    found = incidents()
    print(f"\n{len(found)} incidents")
    print_table(found)

    warm_until = first + timedelta(minutes=15 * Params().warmup)
    quiet = quiet_days(rows, warm_until)
    on_quiet = [i for i in found if (i["channel"], i["started"][:10]) in quiet]
    by_day: Counter[str] = Counter(i["started"][:10] for i in found)
    print(f"\nquiet airline-days: {len(quiet)}: {sorted(quiet)}")
    print(
        f"incidents starting on a quiet airline-day: {len(on_quiet)} "
        f"({len(on_quiet) / max(1, len(quiet)):.2f} per quiet airline-day)"
    )
    print(f"incidents per start day: {dict(sorted(by_day.items()))}")
    stretch = sum(n for day, n in by_day.items() if "2015-02-18" <= day <= "2015-02-21")
    print(f"incidents starting 18-21 February (4 days, the whole desk): {stretch}")

    quiet_from = bucket_of(datetime(2015, 2, 18, tzinfo=UTC))
    quiet_to = bucket_of(datetime(2015, 2, 21, tzinfo=UTC))
    methods = compare_methods(bucket_of(first), bucket_of(last), quiet_from, quiet_to)
    print("\nmethod comparison (alarming series-runs, no overlap suppression):")
    print_table(methods)
    simulated = synthetic(SEED)
    print("\nsynthetic null (28 days x 20 series per rate, constant Poisson):")
    print_table(simulated["null"])
    print("\nsynthetic power (one spike, 100 trials each):")
    print_table(simulated["power"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "source": str(source),
                "tweets": len(rows),
                "import_seconds": round(import_seconds, 1),
                "replay": replay_stats,
                "incidents": found,
                "quiet_airline_days": sorted(quiet),
                "incidents_on_quiet_days": on_quiet,
                "methods": methods,
                "synthetic": simulated,
            },
            indent=1,
        )
    )
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
