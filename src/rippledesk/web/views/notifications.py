"""A person's notifications in a workspace (from automation rules), newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.triage.rules.notify import do_mark_read, recent
from rippledesk.web.views.frame import frame, seat_for


@login_required
def notifications(request: HttpRequest, workspace: str) -> HttpResponse:
    """GET lists them (unread first marked); POST marks them all read."""
    seat = seat_for(request, workspace)
    if request.method == "POST":
        do_mark_read(seat)
        return redirect("web:notifications", workspace=seat.workspace.slug)
    context = {**frame(request, seat, section="notifications"), "notifications": recent(seat)}
    return render(request, "web/notifications.html", context)
