"""The inbox: an agent's queue, riskiest first, with per-view counts and live refresh."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from rippledesk.conversations.actions import do_wake_snoozed
from rippledesk.conversations.inbox import (
    COUNT_CAP,
    INTENTS,
    SENTIMENTS,
    VIEWS,
    InboxQuery,
    changes_marker,
    count_capped,
    inbox_rows,
)
from rippledesk.conversations.models import ConversationStatus
from rippledesk.web.views.frame import (
    SESSION_WORKSPACE,
    frame,
    reachable_channels,
    seat_for,
    signed_in,
    workspace_teams,
)
from rippledesk.web.views.inbox_list import list_context, query_link, render_list
from rippledesk.workspaces.access import Seat, visible_workspaces

COUNTS_TTL = 60
WAKE_EVERY = 10  # seconds


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
    """Capped counts per view, cached until anything is written (``changes_marker``): the page
    and its two-second refresh then count only after a change."""
    key = f"rippledesk:counts:{changes_marker(seat)}:{seat.user.pk}:{query.channel}:{query.team}"
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


@login_required
def inbox(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    query = InboxQuery.parse(request.GET)
    # Snoozes end to the minute; looking for due ones once per WAKE_EVERY seconds per
    # workspace spares every other page view and refresh a statement.
    if cache.add(f"rippledesk:wake-snoozed:{seat.workspace.pk}", True, WAKE_EVERY):
        do_wake_snoozed(seat)
    channels = reachable_channels(seat)
    teams = workspace_teams(seat)
    current_channel = next((c for c in channels if c.pk == query.channel), None)
    current_team = next((t for t in teams if t.pk == query.team), None)
    context = {
        **frame(request, seat, section="inbox"),
        **list_context(request, seat, query, view_counts(seat, query)),
        "channels": channels,
        "teams": teams,
        "current_channel": current_channel,
        "current_team": current_team,
        "channel_links": [(c, query_link(query, channel=c.pk, after=None)) for c in channels],
        "team_links": [(t, query_link(query, team=t.pk, after=None)) for t in teams],
        "clear_narrowing_url": query_link(query, channel=None, team=None),
        "statuses": ConversationStatus.choices,
        "sentiments": SENTIMENTS,
        "intents": INTENTS,
    }
    # The page's body (sidebar, filters, list) is one Jinja2 render; web/inbox.html frames it.
    body = render_to_string("web/_inbox.html", {**context}, request, using="jinja2")
    return render(request, "web/inbox.html", {**context, "inbox_html": mark_safe(body)})


@login_required
def inbox_rows_fragment(request: HttpRequest, workspace: str) -> HttpResponse:
    """The list alone, for the page's refresh every two seconds."""
    seat = seat_for(request, workspace)
    query = InboxQuery.parse(request.GET)
    listing = list_context(request, seat, query, view_counts(seat, query))
    return HttpResponse(render_list(request, listing))
