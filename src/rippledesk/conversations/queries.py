"""Reads over conversations: lists for the desk and the response-time report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import F, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Substr

from rippledesk.conversations.models import Conversation, Message
from rippledesk.customers.models import Customer
from rippledesk.workspaces.models import Workspace


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (NumPy's default, Excel's PERCENTILE.INC).

    ``q`` is in [0, 1]; the median is ``q = 0.5``. None for an empty sequence.
    """
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    fraction = position - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


@dataclass(frozen=True)
class ResponseTimeRow:
    """One line of ``rippledesk report response-times``; the keys are a public contract."""

    channel: str | None
    conversations: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def response_time_rows(workspace: Workspace, *, by_channel: bool) -> list[ResponseTimeRow]:
    """First-response times per channel account (by its handle), or one row for all."""
    rows = (
        Conversation.objects.filter(workspace=workspace)
        .order_by("channel_account__name", "first_response_seconds")
        .values_list("channel_account__name", "first_response_seconds")
    )
    totals: dict[str | None, int] = {}
    answered: dict[str | None, list[int]] = {}
    for channel, seconds in rows.iterator(chunk_size=10_000):
        key = str(channel) if by_channel else None
        totals[key] = totals.get(key, 0) + 1
        times = answered.setdefault(key, [])
        if seconds is not None:
            times.append(int(seconds))
    result = []
    for key, total in totals.items():
        times = sorted(answered[key])
        result.append(
            ResponseTimeRow(
                channel=key,
                conversations=total,
                answered=len(times),
                median_seconds=percentile(times, 0.5),
                p90_seconds=percentile(times, 0.9),
            )
        )
    return sorted(result, key=lambda row: row.channel or "")


# ---------------------------------------------------------------------------------------------
# Desk reads: the inbox list, its summary and a customer's other conversations (used by web/).

SNIPPET_CHARS = 240


def _first_message_snippet() -> Substr:
    """The start of each conversation's first message, as a correlated subquery.

    Evaluated only for the rows a page returns, each by one probe of ``message_conv_sent``.
    """
    first = (
        Message.objects.filter(conversation=OuterRef("pk")).order_by("sent_at", "pk").values("body")
    )
    return Substr(Subquery(first[:1], output_field=TextField()), 1, SNIPPET_CHARS)


@dataclass(frozen=True)
class InboxFilters:
    """What the desk's conversation list is narrowed to; ``None`` means no restriction."""

    status: str | None = None
    channel_account_id: int | None = None
    answered: bool | None = None


def inbox_conversations(workspace: Workspace, filters: InboxFilters) -> QuerySet[Conversation]:
    """A workspace's conversations newest activity first, ordered by ``(-last_activity_at, -id)``.

    That order is served by the ``conv_ws_activity`` index (``conv_ws_status_activity`` with a
    status filter), so keyset paging stays fast at any depth. Conversations without any message
    have no ``last_activity_at`` and nothing to show, so they are left out. Returns the bare
    query: count it before :func:`with_list_details` adds the per-row subquery.
    """
    rows = Conversation.objects.filter(workspace=workspace, last_activity_at__isnull=False)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel_account_id is not None:
        rows = rows.filter(channel_account_id=filters.channel_account_id)
    if filters.answered is not None:
        rows = rows.filter(first_response_at__isnull=not filters.answered)
    return rows.order_by("-last_activity_at", "-id")


def with_list_details(rows: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Add what a list row shows: channel, customer and ``snippet`` (first message's start)."""
    return rows.select_related("channel_account", "customer").annotate(
        snippet=_first_message_snippet()
    )


def count_capped(rows: QuerySet[Conversation], cap: int) -> int:
    """``min(count, cap + 1)``: lets a page say "1,000+" without counting millions of rows."""
    return rows.order_by().values("pk")[: cap + 1].count()


@dataclass(frozen=True)
class WorkspaceSummary:
    """Headline numbers over a workspace's most recently active conversations.

    ``complete`` is False when the workspace has more than the window counted, in which case
    the numbers describe the latest ``conversations`` only.
    """

    conversations: int
    answered: int
    median_seconds: float | None
    complete: bool


def workspace_summary(
    workspace: Workspace, *, window: int = 10_000, ttl_seconds: int = 60
) -> WorkspaceSummary:
    """Conversations, answered and median first-response time, cheap enough for every page.

    Reads at most ``window`` rows through the activity index and caches the result briefly;
    the key includes the workspace's conversation counter, so an import shows up at once.
    """
    key = f"rippledesk:summary:{workspace.pk}:{workspace.next_conversation_number}:{window}"
    cached = cache.get(key)
    if isinstance(cached, WorkspaceSummary):
        return cached
    seconds = list(
        Conversation.objects.filter(workspace=workspace, last_activity_at__isnull=False)
        .order_by("-last_activity_at")
        .values_list("first_response_seconds", flat=True)[: window + 1]
    )
    complete = len(seconds) <= window
    seconds = seconds[:window]
    answered = sorted(int(s) for s in seconds if s is not None)
    summary = WorkspaceSummary(
        conversations=len(seconds),
        answered=len(answered),
        median_seconds=percentile(answered, 0.5),
        complete=complete,
    )
    cache.set(key, summary, ttl_seconds)
    return summary


def customer_conversations(
    customer: Customer, *, exclude_id: int | None = None, limit: int = 10
) -> list[Conversation]:
    """The customer's most recently active conversations, with list details."""
    rows = Conversation.objects.filter(customer=customer)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    ordered = rows.order_by(F("last_activity_at").desc(nulls_last=True), "-id")
    return list(with_list_details(ordered)[:limit])
