"""An independent reading of a TWCS file, used as the expected answer in tests.

Written separately from the importer (plain dicts, recursion, the standard library's
statistics) so that agreement between the two means something.
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Thread:
    root: str
    tweets: list[dict[str, str]] = field(default_factory=list)

    def when(self, tweet: dict[str, str]) -> datetime:
        return datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")

    @property
    def brand(self) -> str | None:
        ordered = sorted(self.tweets, key=self.when)
        return next((t["author_id"] for t in ordered if t["inbound"] == "False"), None)

    @property
    def first_response_seconds(self) -> float | None:
        ordered = sorted(self.tweets, key=self.when)
        inbound = [self.when(t) for t in ordered if t["inbound"] == "True"]
        if not inbound:
            return None
        replies = [self.when(t) for t in ordered if t["inbound"] == "False"]
        after = [r for r in replies if r >= inbound[0]]
        return (after[0] - inbound[0]).total_seconds() if after else None


def read_threads(path: Path) -> dict[str, Thread]:
    """Threads keyed by root tweet id; a root is a tweet whose parent is absent from the file."""
    with path.open(encoding="utf-8", newline="") as handle:
        tweets = {row["tweet_id"]: row for row in csv.DictReader(handle)}

    def root_of(tweet_id: str) -> str:
        parent = tweets[tweet_id]["in_response_to_tweet_id"]
        return root_of(parent) if parent in tweets else tweet_id

    threads: dict[str, Thread] = {}
    for tweet_id, row in tweets.items():
        threads.setdefault(root_of(tweet_id), Thread(root_of(tweet_id))).tweets.append(row)
    return threads


def p90(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def median(values: list[float]) -> float:
    return statistics.median(values)
