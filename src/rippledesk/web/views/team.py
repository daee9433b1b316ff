"""The manager's view of the team's load: who holds what, and who is waiting on whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from rippledesk.conversations.models import Conversation, ConversationStatus, Direction, Message
from rippledesk.core.errors import InvalidInput, PermissionDenied
from rippledesk.triage.models import AgentState, Availability
from rippledesk.triage.routing import do_set_availability
from rippledesk.web.views.frame import frame, seat_for
from rippledesk.workspaces.models import Membership


@dataclass
class Load:
    name: str
    username: str
    role: str
    teams: list[str]
    open: int
    waiting: int
    oldest_waiting: datetime | None
    replies_today: int
    availability: str = "offline"


@login_required
@require_GET
def team_load(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    if not seat.can_manage:
        raise PermissionDenied("The team's load is for managers and admins.", field="role")
    day_start = timezone.now() - timedelta(hours=24)
    held = (
        Conversation.objects.filter(
            workspace=seat.workspace,
            assignee__isnull=False,
            status__in=(ConversationStatus.OPEN, ConversationStatus.PENDING),
        )
        .values("assignee")
        .annotate(
            open=Count("id"),
            waiting=Count(
                "id", filter=Q(waiting_since__isnull=False, status=ConversationStatus.OPEN)
            ),
            oldest=Min("waiting_since", filter=Q(status=ConversationStatus.OPEN)),
        )
    )
    by_user = {row["assignee"]: row for row in held}
    replies = dict(
        Message.objects.filter(
            conversation__workspace=seat.workspace,
            direction=Direction.OUTBOUND,
            author_user__isnull=False,
            sent_at__gte=day_start,
        )
        .values("author_user")
        .annotate(n=Count("id"))
        .values_list("author_user", "n")
    )
    members = (
        Membership.objects.filter(workspace=seat.workspace)
        .select_related("user")
        .prefetch_related("teams")
        .order_by("user__username")
    )
    states = dict(
        AgentState.objects.filter(membership__workspace=seat.workspace).values_list(
            "membership_id", "availability"
        )
    )
    rows = []
    for member in members:
        row = by_user.get(member.user_id, {})
        rows.append(
            Load(
                name=member.user.get_full_name() or member.user.get_username(),
                username=member.user.get_username(),
                role=member.get_role_display(),
                teams=[t.name for t in member.teams.all()],
                open=row.get("open", 0),
                waiting=row.get("waiting", 0),
                oldest_waiting=row.get("oldest"),
                replies_today=replies.get(member.user_id, 0),
                availability=states.get(member.pk, "offline"),
            )
        )
    unassigned = (
        Conversation.objects.filter(
            workspace=seat.workspace,
            status=ConversationStatus.OPEN,
            assignee__isnull=True,
            waiting_since__isnull=False,
        )
        .order_by()
        .values("pk")[:1000]
        .count()
    )
    rows.sort(key=lambda r: (-r.waiting, -r.open, r.username))
    context = {
        **frame(request, seat, section="team"),
        "rows": rows,
        "unassigned": unassigned,
        "now": timezone.now(),
    }
    return render(request, "web/team_load.html", context)


@login_required
@require_POST
def availability(request: HttpRequest, workspace: str) -> HttpResponse:
    """The signed-in member sets themselves online, away or offline (and their capacity)."""
    seat = seat_for(request, workspace)
    membership = Membership.objects.filter(workspace=seat.workspace, user=seat.user).first()
    if membership is None:
        raise PermissionDenied("Only members of the workspace take conversations.", field="role")
    wanted = request.POST.get("availability", "")
    if wanted not in Availability.values:
        raise InvalidInput(f"Unknown availability {wanted!r}.", field="availability")
    handed_back = do_set_availability(membership, wanted)
    note = f" {handed_back} open conversation(s) went back to the queue." if handed_back else ""
    flash.success(request, f"You are {wanted}.{note}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:inbox", args=[seat.workspace.slug])
    return redirect(target)
