"""What every workspace page needs: the signed-in user's seat and the page frame around it.

Every page resolves the workspace through :func:`rippledesk.workspaces.access.access_seat`, so
a workspace (or anything in it) the user has no seat in is a 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Subquery
from django.http import Http404, HttpRequest

from rippledesk.channels.models import ChannelAccount
from rippledesk.web.frame_cache import frame_list
from rippledesk.workspaces.access import Seat, access_seat, visible_workspaces
from rippledesk.workspaces.models import Team, User, Workspace

SWITCHER_LIMIT = 50
SESSION_WORKSPACE = "rippledesk.workspace"


def signed_in(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran first; this narrows the type
        raise Http404("Not signed in")
    return user


def seat_for(request: HttpRequest, slug: str) -> Seat:
    return access_seat(signed_in(request), slug)


def zone_of(workspace: Workspace) -> ZoneInfo:
    """The workspace's zone for showing times; UTC if the stored name is unknown."""
    try:
        return ZoneInfo(workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reachable_channels(seat: Seat) -> list[ChannelAccount]:
    """The workspace's channel accounts the seat reaches (the seat is read per request)."""
    workspace = seat.workspace.pk
    every = frame_list(
        f"channels:{workspace}",
        lambda: list(ChannelAccount.objects.filter(workspace=workspace).order_by("kind", "name")),
    )
    if seat.channel_ids is None:
        return every
    return [channel for channel in every if channel.pk in seat.channel_ids]


def workspace_teams(seat: Seat) -> list[Team]:
    workspace = seat.workspace.pk
    return frame_list(
        f"teams:{workspace}",
        lambda: list(Team.objects.filter(workspace=workspace).order_by("name")),
    )


def frame(request: HttpRequest, seat: Seat, *, section: str = "") -> dict[str, Any]:
    """Context every workspace page shares: the workspace switcher, zone, role and section."""
    if request.session.get(SESSION_WORKSPACE) != seat.workspace.slug:  # no write per page
        request.session[SESSION_WORKSPACE] = seat.workspace.slug
    from rippledesk.triage.crisis.queries import banner  # noqa: PLC0415 - web reads triage state

    state, unread = _availability_and_unread(seat)
    return {
        "availability": state or "offline",
        "workspace": seat.workspace,
        "workspaces": frame_list(
            f"switcher:{seat.user.pk}",
            lambda: list(visible_workspaces(seat.user)[:SWITCHER_LIMIT]),
        ),
        "zone": zone_of(seat.workspace),
        "seat": seat,
        "section": section,
        "unread_notifications": unread,
        "crisis_banner": banner(seat),
    }


def _availability_and_unread(seat: Seat) -> tuple[str | None, int]:
    """The top bar's availability switch and notification bell, in one statement: every page
    pays for them, and on PostgreSQL each statement is a round trip."""
    from rippledesk.triage.models import AgentState  # noqa: PLC0415 - web reads triage state
    from rippledesk.triage.rules.notify import notifications_for  # noqa: PLC0415

    availability = AgentState.objects.filter(
        membership__workspace=seat.workspace, membership__user=seat.user
    ).values("availability")[:1]
    unread = (
        notifications_for(seat)
        .filter(read_at__isnull=True)
        .order_by()
        .values("workspace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        Workspace.objects.filter(pk=seat.workspace.pk)
        .annotate(availability=Subquery(availability), unread=Subquery(unread))
        .values_list("availability", "unread")
        .first()
    )
    if row is None:
        return None, 0
    return row[0], int(row[1] or 0)
