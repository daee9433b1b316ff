"""Counting analysed inbound messages into series and buckets.

The unit is the customer, not the message: a bucket's count is how many different authors
wrote in it (and its negative count how many wrote something negative). A fire spreads from
person to person; one customer's ten-tweet rant is one angry customer, which triage already
handles, not a crisis. Every message is still kept with its bucket, to be grouped under an
incident.

Each tick recounts the open buckets (the last hour and the current quarter) from scratch, so
counting is idempotent: a message analysed late, a tick that ran twice or a worker that died
half-way change nothing. Only the first analysis of a message counts (re-scoring history with a
new model version adds rows, not messages). Rows are found by the analysis table's primary key
from a checkpoint taken an hour earlier, never by scanning message times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, Max, OuterRef

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.models import Direction
from rippledesk.triage.crisis.detect import bucket_of
from rippledesk.triage.crisis.tracking import SeriesKey


@dataclass
class Tally:
    """One series' messages in one bucket, and the authors who wrote them."""

    message_ids: list[int] = field(default_factory=list)
    negative_ids: set[int] = field(default_factory=set)
    authors: set[str] = field(default_factory=set)
    negative_authors: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        """Different authors who wrote in the bucket."""
        return len(self.authors)

    @property
    def negatives(self) -> int:
        """Different authors who wrote something negative in the bucket."""
        return len(self.negative_authors)


@dataclass(frozen=True)
class Analysed:
    """What counting needs of one analysed inbound message."""

    message_id: int
    workspace_id: int
    channel_id: int
    sent_at: datetime
    negative: bool
    topic: str
    author: str  # the author's identity; the message itself when it has none


# workspace id -> series -> bucket -> tally
Tallies = dict[int, dict[SeriesKey, dict[int, Tally]]]


def series_of(row: Analysed) -> tuple[SeriesKey, ...]:
    """Every series a message counts in: its channel and all channels, each for all topics and,
    when it has one, for its topic."""
    keys = [SeriesKey("", row.channel_id), SeriesKey("", None)]
    if row.topic:
        keys += [SeriesKey(row.topic, row.channel_id), SeriesKey(row.topic, None)]
    return tuple(keys)


def tally(rows: Iterable[Analysed], first_open: int, current: int) -> Tallies:
    """Count ``rows`` into the open buckets ``first_open..current``.

    A message dated after ``current`` (a platform clock ahead of ours) counts now; one dated
    before ``first_open`` arrived after its bucket settled (a backfill, an import of history)
    and is left out: old news is not a spike.
    """
    found: Tallies = defaultdict(lambda: defaultdict(lambda: defaultdict(Tally)))
    for row in rows:
        bucket = min(bucket_of(row.sent_at), current)
        if bucket < first_open:
            continue
        for key in series_of(row):
            entry = found[row.workspace_id][key][bucket]
            entry.message_ids.append(row.message_id)
            entry.authors.add(row.author)
            if row.negative:
                entry.negative_ids.add(row.message_id)
                entry.negative_authors.add(row.author)
    return found


def latest_analysis_id() -> int:
    return int(MessageAnalysis.objects.aggregate(top=Max("id"))["top"] or 0)


def analysed_since(after_id: int, until: datetime, *, batch: int = 5000) -> Iterable[Analysed]:
    """First analyses of inbound messages with an id above ``after_id`` made by ``until``, in
    id order (live, nothing is made later; a replay of stored history needs the bound)."""
    earlier = MessageAnalysis.objects.filter(
        message_id=OuterRef("message_id"), id__lt=OuterRef("id")
    )
    rows = (
        MessageAnalysis.objects.filter(
            id__gt=after_id, created_at__lte=until, message__direction=Direction.INBOUND
        )
        .filter(~Exists(earlier))
        .order_by("id")
        .values_list(
            "id",
            "message_id",
            "message__channel_account__workspace_id",
            "message__channel_account_id",
            "message__sent_at",
            "message__author_identity_id",
            "analysable",
            "sentiment",
            "topic",
        )
    )
    cursor = after_id
    while True:
        chunk = list(rows.filter(id__gt=cursor)[:batch])
        for row in chunk:
            (
                _,
                message_id,
                workspace_id,
                channel_id,
                sent_at,
                author,
                analysable,
                sentiment,
                topic,
            ) = row
            yield Analysed(
                message_id=message_id,
                workspace_id=workspace_id,
                channel_id=channel_id,
                sent_at=sent_at,
                negative=analysable and sentiment == "negative",
                topic=(topic or "").strip() if analysable else "",
                author=f"identity:{author}" if author is not None else f"message:{message_id}",
            )
        if len(chunk) < batch:
            return
        cursor = chunk[-1][0]
