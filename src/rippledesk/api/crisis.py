"""Crisis incidents: list, read, their messages, acknowledge and resolve.

Visibility follows the desk (``triage.crisis.queries``): an agent sees incidents of the
channels they reach and of all channels, and only the messages of channels they reach.
Acknowledging and resolving are for managers and admins (403 for agents).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.params.functions import Query

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut
from rippledesk.api.pagination import CursorParam, Id, Limit, keyset
from rippledesk.api.schemas import ChannelOut, UserOut, channel_out, user_out
from rippledesk.conversations.models import Message
from rippledesk.triage.crisis.actions import do_acknowledge, do_resolve
from rippledesk.triage.crisis.describe import headline
from rippledesk.triage.crisis.models import OPEN_STATUSES, Crisis
from rippledesk.triage.crisis.queries import (
    access_crisis,
    chart,
    crisis_messages,
    topic_breakdown,
    visible_crises,
)
from rippledesk.workspaces.access import Seat

router = Router(tags=["crisis"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PATH = "/w/{workspace}/incidents"
StatusFilter = Annotated[
    Literal["open", "active", "acknowledged", "resolved"] | None,
    Query(None, description="open = active or acknowledged; omit for all."),
]


class IncidentOut(Schema):
    id: int
    title: str
    status: str
    topic: str
    channel: ChannelOut | None
    volume_spike: bool
    negativity_spike: bool
    started_at: datetime
    last_seen_at: datetime
    peak_count: int = Field(..., description="Customers in the busiest quarter hour.")
    peak_expected: float
    peak_at: datetime
    message_count: int
    negative_count: int
    reopened_count: int
    acknowledged_by: UserOut | None
    acknowledged_at: datetime | None
    resolved_by: UserOut | None
    resolved_at: datetime | None
    resolved_automatically: bool


class BucketOut(Schema):
    start: datetime
    count: int = Field(..., description="Customers (different authors) who wrote.")
    negatives: int = Field(..., description="Of them, those who wrote something negative.")
    expected: float | None = Field(..., description="What the detector expected of count.")
    in_incident: bool


class TopicCount(Schema):
    topic: str
    messages: int


class IncidentDetail(IncidentOut):
    buckets: list[BucketOut]
    topics: list[TopicCount]


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class IncidentMessageOut(Schema):
    id: int
    conversation_number: int
    channel: ChannelOut
    author_name: str
    body: str
    sent_at: datetime
    negative: bool


class IncidentMessagePage(Schema):
    items: list[IncidentMessageOut]
    next_cursor: str | None


def incident_out(crisis: Crisis) -> IncidentOut:
    return IncidentOut(
        id=crisis.pk,
        title=headline(crisis),
        status=crisis.status,
        topic=crisis.topic,
        channel=channel_out(crisis.channel) if crisis.channel else None,
        volume_spike=crisis.volume_spike,
        negativity_spike=crisis.negativity_spike,
        started_at=crisis.started_at,
        last_seen_at=crisis.last_seen_at,
        peak_count=crisis.peak_count,
        peak_expected=round(crisis.peak_expected, 3),
        peak_at=crisis.peak_at,
        message_count=crisis.message_count,
        negative_count=crisis.negative_count,
        reopened_count=crisis.reopened_count,
        acknowledged_by=user_out(crisis.acknowledged_by),
        acknowledged_at=crisis.acknowledged_at,
        resolved_by=user_out(crisis.resolved_by),
        resolved_at=crisis.resolved_at,
        resolved_automatically=crisis.resolved_automatically,
    )


def incident_detail(desk: Seat, crisis: Crisis) -> IncidentDetail:
    buckets = [
        BucketOut(
            start=bar.start,
            count=bar.count,
            negatives=bar.negatives,
            expected=round(bar.expected, 3) if bar.expected is not None else None,
            in_incident=bar.in_incident,
        )
        for bar in chart(crisis)
    ]
    topics = [TopicCount(topic=t, messages=n) for t, n in topic_breakdown(desk, crisis)]
    return IncidentDetail(**incident_out(crisis).dict(), buckets=buckets, topics=topics)


@router.get(PATH, response={200: IncidentPage, **ERRORS})
def list_incidents(
    request: HttpRequest,
    workspace: str,
    cursor: CursorParam,
    limit: Limit,
    status: StatusFilter = None,
) -> IncidentPage:
    """Newest first."""
    desk = seat(request, workspace)
    rows = visible_crises(desk).select_related("channel", "acknowledged_by", "resolved_by")
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status is not None:
        rows = rows.filter(status=status)
    page, next_cursor = keyset(
        rows, (("started_at", True), ("id", True)), (datetime, int), cursor, limit
    )
    return IncidentPage(items=[incident_out(c) for c in page], next_cursor=next_cursor)


@router.get(PATH + "/{incident}", response={200: IncidentDetail, **ERRORS})
def get_incident(request: HttpRequest, workspace: str, incident: Id) -> IncidentDetail:
    """With the counts per quarter hour around it (``buckets``) and what each was expected,
    and what its messages (those the caller may read) are about (``topics``; "" = none)."""
    desk = seat(request, workspace)
    return incident_detail(desk, access_crisis(desk, incident))


@router.get(PATH + "/{incident}/messages", response={200: IncidentMessagePage, **ERRORS})
def incident_messages(
    request: HttpRequest, workspace: str, incident: Id, cursor: CursorParam, limit: Limit
) -> IncidentMessagePage:
    """The spike's messages on the channels the caller reaches, oldest first."""
    desk = seat(request, workspace)
    crisis = access_crisis(desk, incident)
    negative = set(crisis.links.filter(negative=True).values_list("message_id", flat=True))
    page: list[Message]
    page, next_cursor = keyset(
        crisis_messages(desk, crisis),
        (("sent_at", False), ("id", False)),
        (datetime, int),
        cursor,
        limit,
    )
    items = [
        IncidentMessageOut(
            id=m.pk,
            conversation_number=m.conversation.number,
            channel=channel_out(m.channel_account),
            author_name=m.author_name,
            body=m.body,
            sent_at=m.sent_at,
            negative=m.pk in negative,
        )
        for m in page
    ]
    return IncidentMessagePage(items=items, next_cursor=next_cursor)


@router.post(PATH + "/{incident}/acknowledge", response={200: IncidentOut, **ERRORS})
def acknowledge(request: HttpRequest, workspace: str, incident: Id) -> IncidentOut:
    """Managers and admins; acknowledging twice is harmless, a resolved incident is 409."""
    return incident_out(do_acknowledge(seat(request, workspace), incident))


@router.post(PATH + "/{incident}/resolve", response={200: IncidentOut, **ERRORS})
def resolve(request: HttpRequest, workspace: str, incident: Id) -> IncidentOut:
    """Managers and admins; resolving a resolved incident is 409."""
    return incident_out(do_resolve(seat(request, workspace), incident))
