"""Helpers for the crisis tests: real airline tweets stored by the real importer, as if live.

Texts come from the bundled sample (``data/airline-tweets/sample.csv``), sorted into pools by
what the shipped analysis stack says of them, so a test asking for "negative, lost luggage"
gets a message the desk itself will label that way. Messages are written through the CSV row
importer (which analyses them after commit, as on ingest); :func:`arrived_when_sent` then dates
their analysis to their sending time, which is what live traffic looks like to the detector.
"""

from __future__ import annotations

import csv
import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db.models import F
from django.utils import timezone

from rippledesk.analysis.actions import do_analyze_messages
from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.pipeline import get_analyzer
from rippledesk.channels.imports.rows import RowColumns, RowImporter, RowOptions
from rippledesk.conversations.models import Direction, Message
from rippledesk.triage.crisis.detect import BUCKET_SECONDS, bucket_of, bucket_start
from rippledesk.triage.crisis.evaluate import Outcome, do_evaluate
from rippledesk.triage.crisis.models import CrisisSettings
from rippledesk.workspaces.models import Workspace

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "airline-tweets" / "sample.csv"
COLUMNS = RowColumns(text="text", author="name", channel="airline", time="tweet_created")
BUCKET = timedelta(seconds=BUCKET_SECONDS)


@dataclass(frozen=True)
class Pools:
    negative: dict[str, tuple[str, ...]]  # topic -> texts
    calm: tuple[str, ...]  # neutral or positive, no topic


@functools.cache
def pools() -> Pools:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        texts = sorted({row["text"] for row in csv.DictReader(handle)})
    negative: dict[str, list[str]] = {}
    calm: list[str] = []
    for text, result in zip(texts, get_analyzer().analyze(texts), strict=True):
        if not result.analysable:
            continue
        if result.sentiment == "negative" and result.topic:
            negative.setdefault(result.topic, []).append(text)
        elif result.sentiment != "negative" and not result.topic:
            calm.append(text)
    return Pools({k: tuple(v) for k, v in negative.items()}, tuple(calm))


def cycle(texts: Sequence[str]) -> Iterator[str]:
    return itertools.cycle(texts)


@dataclass(frozen=True)
class Row:
    text: str
    channel: str
    at: datetime
    author: str = ""  # default: a customer of its own


_serial = itertools.count()


def store(workspace: Workspace, rows: Sequence[Row], tmp_path: Path) -> None:
    """Import ``rows`` (oldest first, so ids rise with time as they do live)."""
    path = tmp_path / f"crisis-{next(_serial)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "name", "airline", "tweet_created"])
        for i, row in enumerate(sorted(rows, key=lambda r: r.at)):
            author = row.author or f"customer{next(_serial)}_{i}"
            writer.writerow([row.text, author, row.channel, f"{row.at:%Y-%m-%d %H:%M}"])
    report = RowImporter(workspace, path, COLUMNS, RowOptions()).run()
    assert report.rows_rejected == 0, report
    # Inside a test transaction nothing commits, so the analysis that follows an import on
    # commit has not run: do it here (a no-op when it already ran).
    missing = Message.objects.filter(
        conversation__workspace=workspace, direction=Direction.INBOUND, analyses__isnull=True
    ).values_list("pk", flat=True)
    do_analyze_messages(list(missing))


def burn(workspace: Workspace, rows: Sequence[Row], tmp_path: Path) -> Outcome:
    """Store ``rows`` in a workspace watched for two days, then run a tick."""
    watch(workspace, timezone.now() - timedelta(days=2))
    store(workspace, rows, tmp_path)
    return do_evaluate(timezone.now())


def arrived_when_sent(workspace: Workspace) -> None:
    """Date each analysis half a minute after its message was sent, as live traffic is."""
    rows = list(
        MessageAnalysis.objects.filter(message__conversation__workspace=workspace).annotate(
            sent_at=F("message__sent_at")
        )
    )
    for row in rows:
        row.created_at = row.sent_at + timedelta(seconds=30)
    MessageAnalysis.objects.bulk_update(rows, ["created_at"], batch_size=500)


def watch(workspace: Workspace, since: datetime, **settings: object) -> CrisisSettings:
    """Crisis detection on for ``workspace`` since ``since`` (its warm-up starts there)."""
    row, _ = CrisisSettings.objects.update_or_create(
        workspace=workspace,
        defaults={"watching_since": since, "updated_at": since, **settings},
    )
    return row


def quarter(moment: datetime) -> datetime:
    """The start of the 15-minute UTC bucket holding ``moment``."""
    return bucket_start(bucket_of(moment))


def spike(topic: str, channel: str, at: datetime, count: int) -> list[Row]:
    texts = cycle(pools().negative[topic])
    return [Row(next(texts), channel, at + timedelta(seconds=i % 14 * 60)) for i in range(count)]


def calm(channel: str, at: datetime, count: int) -> list[Row]:
    texts = cycle(pools().calm)
    return [Row(next(texts), channel, at + timedelta(seconds=i % 14 * 60)) for i in range(count)]
