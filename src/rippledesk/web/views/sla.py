"""The SLA page: the policy lines, the business week and holidays, and how often it was kept.

Managers read it; admins change it. Every change goes through ``triage.sla_actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from rippledesk.channels.models import ChannelAccount
from rippledesk.core.errors import ActionError, InvalidInput, PermissionDenied
from rippledesk.triage.hours import WEEKDAYS
from rippledesk.triage.models import ConversationSla, Holiday, OpeningHours, SlaTarget
from rippledesk.triage.sla import DEFAULT_MINUTES
from rippledesk.triage.sla_actions import (
    do_add_holiday,
    do_delete_holiday,
    do_delete_sla_target,
    do_save_sla_target,
    do_set_time_zone,
    do_set_week,
)
from rippledesk.triage.sla_report import attainment
from rippledesk.web.views.frame import frame, seat_for
from rippledesk.workspaces.access import Seat

PERIOD_DAYS = 30


def _number(form: QueryDict, name: str) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("Give a whole number of minutes.", field=name)
    return int(text)


def _save_line(seat: Seat, form: QueryDict) -> str:
    channel = _number(form, "channel")
    do_save_sla_target(
        seat,
        priority=form.get("priority", ""),
        channel_id=channel,
        first_response=_number(form, "first_response"),
        next_response=_number(form, "next_response"),
        resolution=_number(form, "resolution"),
        warn_before=_number(form, "warn_before") or 0,
        business_hours=form.get("business_hours") == "on",
        target_id=_number(form, "target"),
    )
    return "SLA line saved."


def _delete_line(seat: Seat, form: QueryDict) -> str:
    do_delete_sla_target(seat, _number(form, "target") or 0)
    return "SLA line deleted."


def _set_week(seat: Seat, form: QueryDict) -> str:
    do_set_week(seat, {day: form.get(f"day{day}", "") for day in range(7)})
    return "Business hours saved."


def _add_holiday(seat: Seat, form: QueryDict) -> str:
    holiday = do_add_holiday(seat, form.get("day", ""), form.get("name", ""))
    return f"Holiday {holiday.day:%Y-%m-%d} saved."


def _delete_holiday(seat: Seat, form: QueryDict) -> str:
    do_delete_holiday(seat, _number(form, "holiday") or 0)
    return "Holiday deleted."


def _set_zone(seat: Seat, form: QueryDict) -> str:
    do_set_time_zone(seat, form.get("time_zone", ""))
    return f"Time zone set to {seat.workspace.time_zone}."


_ACTIONS: dict[str, Callable[[Seat, QueryDict], str]] = {
    "save_line": _save_line,
    "delete_line": _delete_line,
    "set_week": _set_week,
    "add_holiday": _add_holiday,
    "delete_holiday": _delete_holiday,
    "set_zone": _set_zone,
}


def _week_text(seat: Seat) -> list[dict[str, Any]]:
    spans: dict[int, list[str]] = {}
    for row in OpeningHours.objects.filter(workspace=seat.workspace):
        spans.setdefault(row.weekday, []).append(f"{row.opens:%H:%M}-{row.closes:%H:%M}")
    return [
        {"index": index, "name": name, "text": ", ".join(spans.get(index, []))}
        for index, name in enumerate(WEEKDAYS)
    ]


@login_required
def sla(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    if not seat.can_manage:
        raise PermissionDenied("The SLA page is for managers and admins.", field="role")
    error: ActionError | None = None
    if request.method == "POST":
        try:
            action = _ACTIONS.get(request.POST.get("action", ""))
            if action is None:
                raise InvalidInput("Unknown change.", field="action")
            flash.success(request, action(seat, request.POST))
            return redirect("web:sla", workspace=seat.workspace.slug)
        except ActionError as exc:
            error = exc
    now = timezone.now()
    lines = SlaTarget.objects.filter(workspace=seat.workspace).select_related("channel")
    context = {
        **frame(request, seat, section="sla"),
        "lines": sorted(lines, key=lambda t: (list(DEFAULT_MINUTES).index(t.priority), t.pk)),
        "defaults": DEFAULT_MINUTES,
        "priorities": list(DEFAULT_MINUTES),
        "channels": ChannelAccount.objects.filter(workspace=seat.workspace).order_by("name"),
        "week": _week_text(seat),
        "holidays": Holiday.objects.filter(workspace=seat.workspace, day__gte=now.date()),
        "attainment": attainment(seat.workspace, now - timedelta(days=PERIOD_DAYS), now),
        "period_days": PERIOD_DAYS,
        "breached_now": ConversationSla.objects.filter(
            conversation__workspace=seat.workspace,
            conversation__status="open",
            response_breached=True,
            response_due_at__isnull=False,
        ).count(),
        "error": error,
        "form": request.POST if error else {},
    }
    return render(request, "web/sla.html", context, status=error.status if error else 200)
