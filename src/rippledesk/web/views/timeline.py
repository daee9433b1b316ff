"""A conversation's timeline: its latest messages, read in a few narrow statements, as rows.

Threads run to hundreds of messages, and the page and its live refresh print them all: so the
messages are read as plain rows (no model objects, no per-message prefetch querysets), files
and failed deliveries with one statement each for the whole page, and the entries are printed
by a Jinja2 template (``web/jinja2/web/_timeline.html``; docs/adr/0003-jinja2-for-hot-partials.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.models import (
    Attachment,
    Conversation,
    DeliveryAttempt,
    DeliveryStatus,
    Direction,
    Message,
)
from rippledesk.web.dates import Names, format_date, names_now
from rippledesk.web.views.frame import zone_of
from rippledesk.workspaces.access import Seat

TIMELINE_LIMIT = 500
_MESSAGE_COLUMNS = (  # in the order of Entry's fields
    "pk",
    "direction",
    "sent_at",
    "body",
    "author_name",
    "author_identity__handle",
    "author_user_id",
    "rating",
    "is_public",
    "delivery_status",
    "event",
)
_ANALYSIS_COLUMNS = (
    "message_id",
    "analysable",
    "sentiment",
    "sentiment_scores",
    "intent",
    "topic",
    "emotion",
    "urgency",
    "priority",
    "ripple_risk",
    "pii",
)
_RETRIED = (DeliveryStatus.FAILED, DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


@dataclass(frozen=True, slots=True)
class FileLink:
    url: str
    filename: str
    size: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """The chips of an inbound message's newest analysis."""

    analysable: bool
    sentiment: str
    sentiment_scores: Any
    intent: str
    topic: str
    emotion: str
    urgency: str
    priority: str
    risk_text: str
    pii: Any


@dataclass(slots=True)
class Entry:
    """One message as the timeline shows it, its times already in the workspace's zone."""

    pk: int
    direction: str
    sent_at: datetime  # local
    day: date  # local: the timeline starts a new day when this changes
    time_short: str  # 14:05
    time_iso: str
    time_title: str  # Mon 5 Jan 2026, 14:05:09 CET
    body: str
    author_name: str
    author_handle: str | None
    author_user_id: int | None
    rating: int | None
    is_public: bool
    delivery_status: str
    event: str  # system events and automatic replies say what produced them
    delivery_error: str = ""  # the latest attempt's error, for failed and pending replies
    files: list[FileLink] = field(default_factory=list)
    analysis: Analysis | None = None  # the newest analysis of an inbound message

    def author(self, customer_name: str) -> str:
        return self.author_name or self.author_handle or customer_name


@lru_cache(maxsize=1024)
def _risk_text(risk: float) -> str:
    # Django's floatformat (half-up rounding, the locale's decimal mark), once per value.
    return str(floatformat(risk, 2))


def _latest_analyses(message_ids: list[int]) -> dict[int, Analysis]:
    """The newest analysis of each message (as ``analysis.queries.latest_analyses``)."""
    found: dict[int, Analysis] = {}
    if not message_ids:
        return found
    rows = (
        MessageAnalysis.objects.filter(message_id__in=message_ids)
        .order_by("message_id", "-created_at", "-pk")
        .values_list(*_ANALYSIS_COLUMNS)
    )
    for row in rows:
        message_id, analysable, sentiment, scores, intent, topic, emotion, urgency = row[:8]
        if message_id not in found:
            found[message_id] = Analysis(
                analysable=analysable,
                sentiment=sentiment,
                sentiment_scores=scores,
                intent=intent,
                topic=topic,
                emotion=emotion,
                urgency=urgency,
                priority=row[8],
                risk_text=_risk_text(row[9]),
                pii=row[10],
            )
    return found


def _attach_files(entries: dict[int, Entry], conversation: Conversation, slug: str) -> None:
    files = Attachment.objects.filter(message_id__in=list(entries)).order_by("pk")
    for message_id, pk, filename, size in files.values_list("message_id", "pk", "filename", "size"):
        url = reverse("web:attachment", args=[slug, conversation.number, pk])
        entries[message_id].files.append(FileLink(url, filename, size))


def _attach_delivery_errors(entries: dict[int, Entry]) -> None:
    retried = [pk for pk, entry in entries.items() if entry.delivery_status in _RETRIED]
    if not retried:
        return
    errors: dict[int, list[str]] = defaultdict(list)
    attempts = DeliveryAttempt.objects.filter(message_id__in=retried).order_by("pk")
    for message_id, error in attempts.values_list("message_id", "error"):
        errors[message_id].append(error)
    for message_id, found in errors.items():
        entries[message_id].delivery_error = found[-1]


def _entry(row: tuple[Any, ...], zone: tzinfo, names: Names) -> Entry:
    pk, direction, sent_at, *rest = row
    local = sent_at.astimezone(zone)
    return Entry(
        pk,
        direction,
        local,
        local.date(),
        format_date(local, "H:i", names=names),
        local.isoformat(),
        format_date(local, "D j M Y, H:i:s T", names=names),
        *rest,
    )


def timeline(conversation: Conversation, slug: str, zone: tzinfo) -> tuple[list[Entry], bool]:
    """The latest ``TIMELINE_LIMIT`` messages, oldest first, and whether older ones exist."""
    latest = list(
        Message.objects.filter(conversation=conversation)
        .order_by("-sent_at", "-pk")
        .values_list(*_MESSAGE_COLUMNS)[: TIMELINE_LIMIT + 1]
    )
    names = names_now()
    entries = [_entry(row, zone, names) for row in reversed(latest[:TIMELINE_LIMIT])]
    by_id = {entry.pk: entry for entry in entries}
    if by_id:
        _attach_files(by_id, conversation, slug)
        _attach_delivery_errors(by_id)
    analyses = _latest_analyses([e.pk for e in entries if e.direction == Direction.INBOUND])
    for message_id, analysis in analyses.items():
        by_id[message_id].analysis = analysis
    return entries, len(latest) > TIMELINE_LIMIT


def timeline_context(seat: Seat, conversation: Conversation) -> dict[str, Any]:
    """What the timeline template shows (the conversation page includes it)."""
    zone = zone_of(seat.workspace)
    entries, earlier_hidden = timeline(conversation, seat.workspace.slug, zone)
    return {
        "zone": zone,
        "customer": conversation.customer,
        "timeline": entries,
        "earlier_hidden": earlier_hidden,
        "timeline_limit": TIMELINE_LIMIT,
    }


def render_timeline(request: HttpRequest, context: dict[str, Any]) -> SafeString:
    html = render_to_string("web/_timeline.html", {**context}, request, using="jinja2")
    return mark_safe(html)  # the template escapes every value it prints (autoescape)
