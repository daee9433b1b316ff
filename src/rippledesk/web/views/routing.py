"""The routing page: who takes which new conversations (managers and admins)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.core.errors import ActionError, InvalidInput, PermissionDenied
from rippledesk.triage.models import AgentState, AssignmentPolicy, TeamRouting
from rippledesk.triage.routing_actions import do_set_agent_skills, do_set_team_routing
from rippledesk.web.views.frame import frame, seat_for
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Membership, Team


def _int(text: str, field: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput("Give a whole number.", field=field)
    return int(text)


def _save(seat: Seat, request: HttpRequest) -> str:
    form = request.POST
    if form.get("team"):
        routing = do_set_team_routing(
            seat,
            _int(form["team"], "team"),
            policy=form.get("policy", ""),
            languages=form.get("languages", ""),
            topics=form.get("topics", ""),
        )
        return f"{routing.team.name}: {routing.get_policy_display().lower()}."
    state = do_set_agent_skills(
        seat,
        _int(form.get("member", ""), "member"),
        capacity=_int(form.get("capacity", ""), "capacity"),
        languages=form.get("languages", ""),
        topics=form.get("topics", ""),
    )
    return f"Saved {state.membership.user.get_username()}'s capacity and skills."


@login_required
def routing(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    if not seat.can_manage:
        raise PermissionDenied("Routing is for managers and admins.", field="role")
    error = None
    if request.method == "POST":
        try:
            flash.success(request, _save(seat, request))
            return redirect("web:routing", workspace=seat.workspace.slug)
        except ActionError as exc:
            error = exc
    teams = Team.objects.filter(workspace=seat.workspace).order_by("name")
    routings = {r.team_id: r for r in TeamRouting.objects.filter(team__in=teams)}
    members = (
        Membership.objects.filter(workspace=seat.workspace)
        .select_related("user")
        .order_by("user__username")
    )
    states = {s.membership_id: s for s in AgentState.objects.filter(membership__in=members)}
    context = {
        **frame(request, seat, section="team"),
        "teams": [
            {
                "team": team,
                "channels": ", ".join(c.name for c in team.channel_accounts.all()),
                "routing": routings.get(team.pk),
            }
            for team in teams.prefetch_related("channel_accounts")
        ],
        "members": [{"member": m, "state": states.get(m.pk)} for m in members],
        "policies": AssignmentPolicy.choices,
        "error": error,
    }
    return render(request, "web/routing.html", context, status=error.status if error else 200)
