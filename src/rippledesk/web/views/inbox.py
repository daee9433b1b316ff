"""The inbox: an agent's queue, riskiest first, with per-view counts and live refresh."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from rippledesk.conversations.actions import do_wake_snoozed
from rippledesk.conversations.inbox import (
    COUNT_CAP,
    INTENTS,
    SENTIMENTS,
    VIEWS,
    Cursor,
    InboxQuery,
    count_capped,
    inbox_rows,
    keyset_page,
    with_list_details,
)
from rippledesk.conversations.models import ConversationStatus, Message
from rippledesk.triage.sla import policy_for
from rippledesk.web.templatetags.marks import percent
from rippledesk.web.views.frame import (
    SESSION_WORKSPACE,
    frame,
    reachable_channels,
    seat_for,
    signed_in,
    workspace_teams,
    zone_of,
)
from rippledesk.workspaces.access import Seat, visible_workspaces

PAGE_SIZE = 50
COUNTS_TTL = 60


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the workspace they used last (else their first), or explain why none."""
    workspaces = visible_workspaces(signed_in(request))
    remembered = request.session.get(SESSION_WORKSPACE)
    workspace = workspaces.filter(slug=remembered).first() if isinstance(remembered, str) else None
    workspace = workspace or workspaces.first()
    if workspace is None:
        return render(request, "web/no_workspace.html", {"workspaces": []})
    return redirect("web:inbox", workspace=workspace.slug)


def _cached_counts(seat: Seat, query: InboxQuery) -> dict[str, int]:
    """Capped counts per view, cached until anything is written.

    Every write that can move a conversation between views adds a message (replies, notes,
    assignment and status events, imports) or a conversation, so the newest message id and the
    workspace's conversation counter make a key that changes exactly when counts may; the page
    and its two-second refresh then count only after a change.
    """
    newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    key = (
        f"rippledesk:counts:{seat.workspace.pk}:{seat.workspace.next_conversation_number}:"
        f"{newest}:{seat.user.pk}:{query.channel}:{query.team}"
    )
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    counts = {
        view: count_capped(
            inbox_rows(seat, InboxQuery(view=view, channel=query.channel, team=query.team))
        )
        for view in VIEWS
    }
    cache.set(key, counts, COUNTS_TTL)
    return counts


def view_counts(seat: Seat, query: InboxQuery) -> list[dict[str, Any]]:
    """Each view's capped count, with the current channel/team narrowing kept."""
    counts = []
    numbers = _cached_counts(seat, query)
    for view, label in VIEWS.items():
        narrowed = InboxQuery(view=view, channel=query.channel, team=query.team)
        count = numbers[view]
        params = {**narrowed.as_params()}
        counts.append(
            {
                "view": view,
                "label": label,
                "count": min(count, COUNT_CAP),
                "capped": count > COUNT_CAP,
                "url": "?" + urlencode(params),
                "current": view == query.view,
            }
        )
    return counts


def _link(query: InboxQuery, **changes: object) -> str:
    params = query.as_params()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def _list_context(request: HttpRequest, seat: Seat, query: InboxQuery) -> dict[str, Any]:
    order = query.order()
    rows = inbox_rows(seat, query, zone=zone_of(seat.workspace))
    page = keyset_page(
        with_list_details(rows),
        order,
        after=Cursor.decode(request.GET.get("after"), order),
        before=Cursor.decode(request.GET.get("before"), order),
        size=PAGE_SIZE,
    )
    first_page = "after" not in request.GET and "before" not in request.GET
    policy = policy_for(seat.workspace)
    now = timezone.now()
    for row in page.rows:  # formatted once here: template filters per row cost milliseconds
        row.sla = (  # type: ignore[attr-defined]
            policy.clock(
                row.waiting_since,
                row.first_response_at is not None,
                row.priority,
                row.channel_account_id,
                now,
            )
            if row.status == ConversationStatus.OPEN
            else None
        )
        row.risk_text = f"{row.ripple_risk:.2f}"  # type: ignore[attr-defined]
        row.risk_percent = percent(row.ripple_risk)  # type: ignore[attr-defined]
    return {
        # Links are built from one reversed prefix, not a reverse() per row and link.
        "base": reverse("web:conversation", args=[seat.workspace.slug, 1]).removesuffix("1/"),
        "query": query,
        "page": page,
        "first_page": first_page,
        "counts": view_counts(seat, query),
        "next_url": _link(query, after=page.next.encode()) if page.next else "",
        "previous_url": _link(query, before=page.previous.encode()) if page.previous else "",
        "rows_url": reverse("web:inbox-rows", args=[seat.workspace.slug])
        + _link(query, after=request.GET.get("after"), before=request.GET.get("before")),
        "by_risk": order[0][0] == "ripple_risk",
    }


@login_required
def inbox(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    query = InboxQuery.parse(request.GET)
    do_wake_snoozed(seat)
    channels = reachable_channels(seat)
    teams = workspace_teams(seat)
    current_channel = next((c for c in channels if c.pk == query.channel), None)
    current_team = next((t for t in teams if t.pk == query.team), None)
    context = {
        **frame(request, seat, section="inbox"),
        **_list_context(request, seat, query),
        "channels": channels,
        "teams": teams,
        "current_channel": current_channel,
        "current_team": current_team,
        "channel_links": [(c, _link(query, channel=c.pk, after=None)) for c in channels],
        "team_links": [(t, _link(query, team=t.pk, after=None)) for t in teams],
        "clear_narrowing_url": _link(query, channel=None, team=None),
        "statuses": ConversationStatus.choices,
        "sentiments": SENTIMENTS,
        "intents": INTENTS,
    }
    return render(request, "web/inbox.html", context)


@login_required
def inbox_rows_fragment(request: HttpRequest, workspace: str) -> HttpResponse:
    """The list alone, for the page's refresh every two seconds."""
    seat = seat_for(request, workspace)
    query = InboxQuery.parse(request.GET)
    context = {**frame(request, seat), **_list_context(request, seat, query)}
    return render(request, "web/_inbox_list.html", context)
