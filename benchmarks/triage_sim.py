"""Triage simulation: does ripple-risk routing answer the dangerous messages first, at what cost?

Replays the busiest day of real airline tweets (their own timestamps, minute resolution) to a
team of N agents. Each tweet is analysed by the product's analysis stack (ripple risk and
priority, exactly as the desk stores them). An agent who is free takes the next waiting tweet
under the policy being tested and spends a handle time drawn from a log-normal distribution
(median 4 minutes, 90th percentile about 11 minutes; an assumption, stated in the results),
with the same draws for every policy. Reported per policy:

- median and 90th percentile first-response time (FRT) over all tweets;
- FRT of the riskiest tenth (by ripple risk), median and mean;
- reach-weighted waiting time: the mean wait weighted by ripple risk, so a minute lost on a
  message that can spread far counts more.

Usage: .venv/bin/python benchmarks/triage_sim.py [--agents N] [--day DD-MM-YYYY] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import math
import os
import random
import statistics
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RIPPLEDESK_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCES = [SHARED / "airline-tweets" / "train.csv", ROOT / "data" / "airline-tweets" / "sample.csv"]
HANDLE_MEDIAN_MIN = 4.0
HANDLE_SIGMA = 0.8  # log-normal spread: p90 = median * e^(1.2816 * sigma) ≈ 11 min
SEED = 20150222


@dataclass
class Tweet:
    arrived_at: datetime
    text: str
    retweets: int
    ripple_risk: float = 0.0
    priority: str = "normal"


def load_day(day: str | None) -> tuple[str, list[Tweet], Path]:
    source = next(p for p in SOURCES if p.is_file())
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_day: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_day.setdefault(row["tweet_created"][:10], []).append(row)
    chosen = day or max(by_day, key=lambda d: len(by_day[d]))
    tweets = [
        Tweet(
            arrived_at=datetime.strptime(r["tweet_created"], "%d-%m-%Y %H.%M"),
            text=r["text"],
            retweets=int(float(r.get("retweet_count") or 0)),
        )
        for r in by_day[chosen]
    ]
    return chosen, sorted(tweets, key=lambda t: t.arrived_at), source


def analyse(tweets: list[Tweet]) -> None:
    from rippledesk.analysis.pipeline import get_analyzer  # noqa: PLC0415
    from rippledesk.analysis.types import Engagement, MessageContext  # noqa: PLC0415

    contexts = [
        MessageContext(visibility="public_post", engagement=Engagement(shares=t.retweets))
        for t in tweets
    ]
    results = get_analyzer().analyze([t.text for t in tweets], contexts)
    for tweet, result in zip(tweets, results, strict=True):
        tweet.ripple_risk, tweet.priority = result.ripple_risk, result.priority


def simulate(
    tweets: list[Tweet],
    agents: int,
    policy: str,
    handle_minutes: list[float],
    aging_minutes: float = 1440.0,
) -> list[float]:
    """Wait in minutes of each tweet (index order) before an agent picks it up."""
    from rippledesk.triage.policy import Waiting, queue_key  # noqa: PLC0415

    free_at = [0.0] * agents  # minutes since the first arrival
    start = tweets[0].arrived_at
    arrivals = [(t.arrived_at - start).total_seconds() / 60 for t in tweets]
    waits = [0.0] * len(tweets)
    queue: list[tuple[tuple[float, ...], int]] = []
    nxt = 0
    heapq.heapify(free_at)
    while nxt < len(tweets) or queue:
        now = heapq.heappop(free_at)
        if not queue:
            now = max(now, arrivals[nxt])
        while nxt < len(tweets) and arrivals[nxt] <= now:
            t = tweets[nxt]
            item = Waiting(t.arrived_at, t.ripple_risk, t.priority, nxt)
            key = queue_key(policy, item, aging_minutes)  # type: ignore[arg-type]
            heapq.heappush(queue, (key, nxt))
            nxt += 1
        _, index = heapq.heappop(queue)
        waits[index] = now - arrivals[index]
        heapq.heappush(free_at, now + handle_minutes[index])
    return waits


def summarise(tweets: list[Tweet], waits: list[float]) -> dict[str, float]:
    order = sorted(range(len(tweets)), key=lambda i: -tweets[i].ripple_risk)
    top = order[: max(1, len(order) // 10)]
    weights = [t.ripple_risk for t in tweets]
    ordered = sorted(waits)
    return {
        "median_frt_min": statistics.median(waits),
        "p90_frt_min": ordered[int(0.9 * (len(ordered) - 1))],
        "max_frt_min": ordered[-1],
        "riskiest_tenth_median_min": statistics.median(waits[i] for i in top),
        "riskiest_tenth_mean_min": statistics.fmean(waits[i] for i in top),
        "reach_weighted_wait_min": sum(w * x for w, x in zip(weights, waits, strict=True))
        / max(sum(weights), 1e-9),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--agents", type=int, default=0, help="team size (default: ~90%% busy)")
    parser.add_argument("--day", default=None, help="DD-MM-YYYY (default: the busiest day)")
    parser.add_argument(
        "--aging",
        type=float,
        action="append",
        default=None,
        help="minutes of waiting worth the whole risk scale for the aged policy (repeatable; "
        "default 1440)",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    django.setup()
    day, tweets, source = load_day(args.day)
    analyse(tweets)
    rng = random.Random(SEED)
    handle = [HANDLE_MEDIAN_MIN * math.exp(rng.gauss(0, HANDLE_SIGMA)) for _ in tweets]
    span = (tweets[-1].arrived_at - tweets[0].arrived_at).total_seconds() / 60 + 1
    agents = args.agents or max(1, math.ceil(sum(handle) / span / 0.9))
    results: dict[str, Any] = {
        "day": day,
        "source": str(
            source.relative_to(source.parents[2]) if SHARED in source.parents else source.name
        ),
        "tweets": len(tweets),
        "agents": agents,
        "utilisation": sum(handle) / (span * agents),
        "handle_minutes": {"median": HANDLE_MEDIAN_MIN, "sigma": HANDLE_SIGMA, "seed": SEED},
        "policies": {},
    }
    for policy in ("fifo", "risk", "priority"):
        results["policies"][policy] = summarise(tweets, simulate(tweets, agents, policy, handle))
    for aging in args.aging or [1440.0]:
        waits = simulate(tweets, agents, "aged", handle, aging)
        results["policies"][f"aged {aging:g}"] = summarise(tweets, waits)
    fifo = results["policies"]["fifo"]
    print(f"{day}: {len(tweets)} tweets, {agents} agents, {results['utilisation']:.0%} busy")
    head = (
        f"{'policy':9} {'median':>8} {'p90':>8} {'max':>8} {'top10% med':>11} {'top10% mean':>12}"
    )
    print(f"{head} {'reach-wt':>9}  top 10% speed-up vs FIFO, median change")
    for policy, row in results["policies"].items():
        speed = fifo["riskiest_tenth_mean_min"] / max(row["riskiest_tenth_mean_min"], 1e-9)
        change = row["median_frt_min"] / max(fifo["median_frt_min"], 1e-9) - 1
        print(
            f"{policy:9} {row['median_frt_min']:8.1f} {row['p90_frt_min']:8.1f} "
            f"{row['max_frt_min']:8.1f} "
            f"{row['riskiest_tenth_median_min']:11.1f} {row['riskiest_tenth_mean_min']:12.1f} "
            f"{row['reach_weighted_wait_min']:9.1f}  {speed:5.1f}x, {change:+.1%}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
