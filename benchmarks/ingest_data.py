"""Benchmark inputs for ``ingest.py``, built from real airline tweets.

There is no real TWCS-format file on the benchmark machines, so both inputs are derived from the
"Twitter US Airline Sentiment" rows (real texts, real author handles, real airline, real minute
of posting) and scaled up by repeating the source:

* the generic CSV input repeats the source rows; copy ``k > 0`` appends ``" ~k"`` to the text
  and ``"_k"`` to the author handle, so each copy hashes to new message ids and brings new
  customers (rows that were exact duplicates in the source stay duplicates inside each copy);
* the TWCS input turns every source row into a thread with a synthetic reply structure (see
  :func:`_thread`): the real tweet, a templated brand reply, and sometimes a real follow-up
  from the same customer and a second brand reply. Rows are written newest first within a
  thread and threads are shuffled, so children precede their parents as in the real file.

Everything is deterministic for a given seed. ``ingest.py`` runs this module as a script
(``python benchmarks/ingest_data.py {csv|twcs} ROWS OUT [--source FILE]``) so that the benchmark
process itself stays small: a child's peak RSS as ``wait4`` reports it is never below the RSS
of the parent at the moment it forked.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = (
    Path("/work/shared/data/airline-tweets/train.csv"),
    REPO / "data" / "airline-tweets" / "sample.csv",
)
CSV_COLUMNS = ("text", "name", "airline", "tweet_created")
TWCS_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
# The airline column names the airline; the brand handle the tweet is addressed to is the first
# mention that is a known airline handle ("Delta" rows mostly address @JetBlue in this file).
_HANDLES = ("united", "USAirways", "AmericanAir", "SouthwestAir", "JetBlue", "VirginAmerica")
_BY_LOWER = {h.lower(): h for h in _HANDLES}
_BY_AIRLINE = {
    "United": "united",
    "US Airways": "USAirways",
    "American": "AmericanAir",
    "Southwest": "SouthwestAir",
    "Delta": "JetBlue",
    "Virgin America": "VirginAmerica",
}
_MENTION = re.compile(r"@(\w+)")
# Synthetic brand replies: the only invented texts in the inputs.
_REPLIES = (
    "@{who} We're sorry for the trouble. Please follow and DM us your confirmation number so "
    "we can look into this.",
    "@{who} Thanks for reaching out. Our team is checking on this now and will update you as "
    "soon as we hear back.",
    "@{who} We hear you, and we apologise for the wait today. Send us a DM with the details "
    "and we'll make it right.",
    "@{who} Glad to hear it! Thanks for flying with us, see you on board again soon.",
    "@{who} That's not the experience we want for you. Which flight were you on?",
    "@{who} Our agents at the airport can help with rebooking; you can also call us any time.",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Each copy of the source is shifted by this much so copies do not overlap in time.
_COPY_SHIFT = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class SourceRow:
    text: str
    name: str
    airline: str
    created: str  # as written in the file: DD-MM-YYYY HH.MM (UTC)
    values: dict[str, str]  # every original column, for the generic CSV input


@dataclass(frozen=True, slots=True)
class Built:
    path: Path
    rows: int  # data rows written (header excluded)
    threads: int = 0  # TWCS only
    copies: int = 0  # how many passes over the source it took
    source_rows: int = 0

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "path": str(self.path)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Built:
        return cls(
            Path(str(data["path"])),
            int(str(data["rows"])),
            int(str(data["threads"])),
            int(str(data["copies"])),
            int(str(data["source_rows"])),
        )


def find_source(explicit: Path | None) -> Path:
    """The source of real rows: ``explicit``, else the full training file, else the sample."""
    if explicit is not None:
        if not explicit.is_file():
            raise SystemExit(f"--source {explicit}: no such file")
        return explicit
    for candidate in SOURCES:
        if candidate.is_file():
            return candidate
    raise SystemExit("no airline tweets found; pass --source (a Twitter US Airline CSV)")


def read_source(path: Path) -> tuple[list[str], list[SourceRow]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}")
        rows = [
            SourceRow(r["text"], r["name"], r["airline"], r["tweet_created"], r)
            for r in reader
            if r["text"].strip() and r["name"].strip()
        ]
    if not rows:
        raise SystemExit(f"{path}: no usable rows")
    return header, rows


def build_csv(header: list[str], source: list[SourceRow], rows: int, out: Path) -> Built:
    """The source rows, repeated with a per-copy suffix until ``rows`` rows are written."""
    written = 0
    copy = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        while written < rows:
            for row in source:
                if written >= rows:
                    break
                values = dict(row.values)
                if copy:
                    values["text"] = f"{row.text} ~{copy}"
                    values["name"] = f"{row.name}_{copy}"
                writer.writerow([values[c] for c in header])
                written += 1
            copy += 1
    return Built(out, written, copies=copy)


def _brand(row: SourceRow) -> str:
    for handle in _MENTION.findall(row.text):
        if handle.lower() in _BY_LOWER:
            return _BY_LOWER[handle.lower()]
    return _BY_AIRLINE.get(row.airline, "united")


def _twitter_time(moment: datetime) -> str:
    """``Tue Oct 31 22:10:47 +0000 2017`` without depending on the C library's locale."""
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )


@dataclass
class _Tweet:
    tweet_id: int
    author: str
    inbound: bool
    at: datetime
    text: str
    parent: int | None
    children: list[int]


def _thread(
    rng: random.Random, row: SourceRow, follow_up: SourceRow, copy: int, next_id: int
) -> list[_Tweet]:
    """One conversation: the real tweet C, a brand reply B to C; every third thread also a
    follow-up F to B by the same customer (the text of another real tweet), and every second
    follow-up a second brand reply B2 to F. Ids increase with time, like tweet ids do."""
    who = f"{row.name}_{copy}" if copy else row.name
    brand = _brand(row)
    start = datetime.strptime(row.created, "%d-%m-%Y %H.%M") + copy * _COPY_SHIFT
    start += timedelta(seconds=rng.randrange(60))
    tweets = [_Tweet(next_id, who, True, start, row.text, None, [])]
    plan = [False]  # author of each further tweet: False = brand, True = customer
    if rng.random() < 1 / 3:
        plan.append(True)
        if rng.random() < 1 / 2:
            plan.append(False)
    for inbound in plan:
        parent = tweets[-1]
        delay = timedelta(seconds=rng.randrange(60, 3 * 3600))
        text = follow_up.text if inbound else rng.choice(_REPLIES).format(who=who)
        tweet = _Tweet(
            parent.tweet_id + 1,
            who if inbound else brand,
            inbound,
            parent.at + delay,
            text,
            parent.tweet_id,
            [],
        )
        parent.children.append(tweet.tweet_id)
        tweets.append(tweet)
    return tweets


def build_twcs(source: list[SourceRow], rows: int, out: Path, seed: int = 20261125) -> Built:
    """Threads built from the source until ``rows`` tweets exist, written in TWCS format."""
    rng = random.Random(seed)
    threads: list[list[_Tweet]] = []
    total = 0
    next_id = 1_000_000_000
    copy = 0
    while total < rows:
        for index, row in enumerate(source):
            if total >= rows:
                break
            follow_up = source[(index * 7 + 1) % len(source)]
            thread = _thread(rng, row, follow_up, copy, next_id)
            thread = thread[: rows - total]
            next_id += 10
            threads.append(thread)
            total += len(thread)
        copy += 1
    rng.shuffle(threads)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TWCS_COLUMNS)
        for thread in threads:
            kept = {t.tweet_id for t in thread}
            for t in reversed(thread):
                writer.writerow(
                    [
                        t.tweet_id,
                        t.author,
                        "True" if t.inbound else "False",
                        _twitter_time(t.at),
                        t.text,
                        ",".join(str(c) for c in t.children if c in kept),
                        "" if t.parent is None else t.parent,
                    ]
                )
    return Built(out, total, threads=len(threads), copies=copy)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write one benchmark input from real tweets.")
    parser.add_argument("kind", choices=["csv", "twcs"])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path)
    args = parser.parse_args(argv)
    header, source = read_source(find_source(args.source))
    if args.kind == "csv":
        built = build_csv(header, source, args.rows, args.out)
    else:
        built = build_twcs(source, args.rows, args.out)
    built = Built(built.path, built.rows, built.threads, built.copies, len(source))
    print(json.dumps(built.as_json()))


if __name__ == "__main__":
    main()
