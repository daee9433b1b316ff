"""Reads of crisis detection, with the desk's access rules.

Everyone in a workspace sees its incidents, except that an agent sees an incident of one
channel only if they reach that channel, and sees only the messages of channels they reach
(an incident across all channels shows them their part of it). Out of reach is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.models import Message
from rippledesk.core.cached import forget, remembered
from rippledesk.core.errors import NotFound
from rippledesk.triage.crisis.detect import bucket_start
from rippledesk.triage.crisis.models import OPEN_STATUSES, Crisis, CrisisBucket
from rippledesk.workspaces.access import Seat

BANNER_LIMIT = 3
BANNER_TTL = 5  # seconds
CHART_BEFORE = 16  # buckets of context before an incident (4 hours)
CHART_AFTER = 8
CHART_MAX = 192  # buckets drawn at most (2 days)


def visible_crises(seat: Seat) -> QuerySet[Crisis]:
    rows = Crisis.objects.filter(workspace=seat.workspace)
    if seat.channel_ids is not None:
        rows = rows.filter(Q(channel__isnull=True) | Q(channel_id__in=sorted(seat.channel_ids)))
    return rows


def access_crisis(seat: Seat, crisis_id: int, *, for_update: bool = False) -> Crisis:
    rows = visible_crises(seat).select_related("workspace", "channel", "series")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    crisis = rows.filter(pk=crisis_id).first()
    if crisis is None:
        raise NotFound(f"No crisis {crisis_id}", field="crisis")
    return crisis


def banner(seat: Seat) -> list[Crisis]:
    """The open incidents worth a banner on every page, newest first (a few at most).

    Every page shows it, so it is kept for ``BANNER_TTL`` seconds per workspace and channel
    reach: incidents open and grow from a job that runs once a minute, so a banner a few
    seconds late changes nothing, and acknowledging or resolving drops the copies at once
    (``forget_banner``).
    """
    reach = "all" if seat.channel_ids is None else ",".join(map(str, sorted(seat.channel_ids)))
    return remembered(
        _banner_scope(seat.workspace.pk),
        reach,
        lambda: list(
            visible_crises(seat)
            .filter(status__in=OPEN_STATUSES)
            .select_related("channel")
            .order_by("-started_at", "-pk")[: BANNER_LIMIT + 1]
        ),
        BANNER_TTL,
    )


def _banner_scope(workspace_id: int) -> str:
    return f"crisis-banner:{workspace_id}"


def forget_banner(workspace_id: int) -> None:
    """Every cached banner of the workspace, whatever the reach it was cached for, goes."""
    forget(_banner_scope(workspace_id))


def crisis_messages(seat: Seat, crisis: Crisis) -> QuerySet[Message]:
    """The incident's messages the seat may read, oldest first."""
    rows = Message.objects.filter(
        pk__in=crisis.links.values("message_id"), conversation__workspace=seat.workspace
    )
    if seat.channel_ids is not None:
        rows = rows.filter(channel_account_id__in=sorted(seat.channel_ids))
    return rows.select_related("conversation", "channel_account").order_by("sent_at", "pk")


def topic_breakdown(seat: Seat, crisis: Crisis) -> list[tuple[str, int]]:
    """What the incident's messages (those the seat may read) are about, most common first;
    "" for messages without a topic (topics are given to complaints only)."""
    readable = crisis_messages(seat, crisis).order_by().values("pk")
    rows = (
        MessageAnalysis.objects.filter(message_id__in=readable)
        .values("topic")
        .annotate(n=Count("message_id", distinct=True))
        .order_by("-n", "topic")
    )
    return [(row["topic"], row["n"]) for row in rows]


@dataclass(frozen=True)
class ChartBar:
    start: datetime
    count: int
    negatives: int
    expected: float | None
    in_incident: bool


def chart(crisis: Crisis) -> list[ChartBar]:
    """Customers per bucket around the incident, with what was expected of each bucket.

    Drawn from the series' stored buckets (kept five weeks); buckets nobody wrote to had no
    messages. Expected values exist for buckets the detector judged while they were open.
    """
    first = crisis.first_bucket - CHART_BEFORE
    last = min(crisis.last_bucket + CHART_AFTER, first + CHART_MAX - 1)
    stored = {
        row.bucket: row
        for row in CrisisBucket.objects.filter(
            series_id=crisis.series_id, bucket__gte=first, bucket__lte=last
        )
    }
    bars = []
    for bucket in range(first, last + 1):
        row = stored.get(bucket)
        bars.append(
            ChartBar(
                start=bucket_start(bucket),
                count=row.count if row else 0,
                negatives=row.negatives if row else 0,
                expected=row.expected if row else None,
                in_incident=crisis.first_bucket <= bucket <= crisis.last_bucket,
            )
        )
    return bars
