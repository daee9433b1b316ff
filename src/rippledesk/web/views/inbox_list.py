"""The inbox's list of conversations: one page of rows, read and shown as cheaply as possible.

The list is the desk's hottest path: the page opens on it and refreshes it every two seconds.
So the page's rows come from one narrow statement (the columns the list shows, joined, no
model objects), every per-row value that needs the workspace (SLA policy, time zone) is worked
out here once per request, and the rows are printed by a Jinja2 template
(``web/jinja2/web/_inbox_list.html``; why: docs/adr/0003-jinja2-for-hot-partials.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.inbox import (
    Cursor,
    InboxQuery,
    inbox_rows,
    keyset_ids,
    latest_snippet,
)
from rippledesk.conversations.models import Conversation, ConversationStatus
from rippledesk.triage.sla import Clock, Policy, cached_policy
from rippledesk.web.templatetags.marks import percent
from rippledesk.web.views.frame import zone_of
from rippledesk.workspaces.access import Seat

PAGE_SIZE = 50
_COLUMNS = (
    "pk",
    "number",
    "version",
    "status",
    "priority",
    "ripple_risk",
    "sentiment",
    "intent",
    "topic",
    "waiting_since",
    "first_response_at",
    "last_activity_at",
    "channel_account_id",
    "customer__display_name",
    "channel_account__kind",
    "channel_account__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "snippet",
)
_KIND_LABELS = dict(ChannelKind.choices)
_STATUS_LABELS = dict(ConversationStatus.choices)


@dataclass(frozen=True, slots=True)
class ListRow:
    """What one line of the list shows, with the SLA clock and risk texts worked out."""

    number: int
    version: int
    status: str
    status_label: str
    priority: str
    risk_text: str
    risk_percent: str
    sentiment: str
    intent: str
    topic: str
    waiting_since: datetime | None
    last_activity_at: datetime | None
    customer_name: str
    channel_kind: str
    channel_kind_label: str
    channel_name: str
    assignee_username: str | None  # None: unassigned
    assignee_name: str
    snippet: str
    sla: Clock | None


def _row(values: dict[str, Any], policy: Policy, now: datetime) -> ListRow:
    status, priority, risk = values["status"], values["priority"], values["ripple_risk"]
    waiting = values["waiting_since"]
    username = values["assignee__username"]
    full_name = f"{values['assignee__first_name'] or ''} {values['assignee__last_name'] or ''}"
    kind = values["channel_account__kind"]
    return ListRow(
        number=values["number"],
        version=values["version"],
        status=status,
        status_label=str(_STATUS_LABELS.get(status, status)),
        priority=priority,
        risk_text=f"{risk:.2f}",
        risk_percent=percent(risk),
        sentiment=values["sentiment"] or "",
        intent=values["intent"] or "",
        topic=values["topic"] or "",
        waiting_since=waiting,
        last_activity_at=values["last_activity_at"],
        customer_name=values["customer__display_name"],
        channel_kind=kind,
        channel_kind_label=str(_KIND_LABELS.get(kind, kind)),
        channel_name=values["channel_account__name"],
        assignee_username=username,
        assignee_name=full_name.strip() or username or "",
        snippet=values["snippet"] or "",
        sla=(
            policy.clock(
                waiting,
                values["first_response_at"] is not None,
                priority,
                values["channel_account_id"],
                now,
            )
            if status == ConversationStatus.OPEN
            else None
        ),
    )


@cache
def _details() -> QuerySet[Conversation, dict[str, Any]]:
    """The list's columns, built once per process (unevaluated; each use filters a clone):
    resolving 19 columns, three joins and the snippet costs half a millisecond a request."""
    return Conversation.objects.annotate(snippet=latest_snippet()).values(*_COLUMNS)


def list_rows(seat: Seat, ids: list[int]) -> list[ListRow]:
    """The rows of ``ids``, in that order: one statement for all of them.

    Precondition: the ids come from ``inbox_rows`` for ``seat`` (which decides who sees what).
    """
    if not ids:
        return []
    found = {values["pk"]: values for values in _details().filter(pk__in=ids)}
    policy = cached_policy(seat.workspace)
    now = timezone.now()
    return [_row(found[pk], policy, now) for pk in ids if pk in found]


def query_link(query: InboxQuery, **changes: object) -> str:
    """``?`` and the query's parameters with ``changes`` (None or "" removes a parameter)."""
    params = query.as_params()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def list_context(
    request: HttpRequest, seat: Seat, query: InboxQuery, counts: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the list template shows for ``query``, at the cursor in the request's query string."""
    order = query.order()
    zone = zone_of(seat.workspace)
    page = keyset_ids(
        inbox_rows(seat, query, zone=zone),
        order,
        after=Cursor.decode(request.GET.get("after"), order),
        before=Cursor.decode(request.GET.get("before"), order),
        size=PAGE_SIZE,
    )
    return {
        "zone": zone,
        # Links are built from one reversed prefix, not a reverse() per row and link.
        "base": reverse("web:conversation", args=[seat.workspace.slug, 1]).removesuffix("1/"),
        "query": query,
        "rows": list_rows(seat, page.ids),
        "first_page": "after" not in request.GET and "before" not in request.GET,
        "counts": counts,
        "next_url": query_link(query, after=page.next.encode()) if page.next else "",
        "previous_url": query_link(query, before=page.previous.encode()) if page.previous else "",
        "rows_url": reverse("web:inbox-rows", args=[seat.workspace.slug])
        + query_link(query, after=request.GET.get("after"), before=request.GET.get("before")),
        "by_risk": order[0][0] == "ripple_risk",
    }


def render_list(request: HttpRequest, context: dict[str, Any]) -> SafeString:
    html = render_to_string("web/_inbox_list.html", {**context}, request, using="jinja2")
    return mark_safe(html)  # the template escapes every value it prints (autoescape)
