"""The Listening view: mentions heard beyond the desk's own channels, riskiest first."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.core.errors import ActionError, NotFound
from rippledesk.listening.actions import do_add_source, do_convert, do_dismiss
from rippledesk.listening.models import ListeningSource, Mention, MentionStatus, SourceKind
from rippledesk.listening.polling import poll
from rippledesk.web.views.frame import frame, seat_for
from rippledesk.workspaces.access import Seat

PAGE = 100


def _mention(seat: Seat, raw: str) -> Mention:
    found = (
        Mention.objects.select_related("source")
        .filter(pk=int(raw) if raw.isdigit() else 0, source__workspace=seat.workspace)
        .first()
    )
    if found is None:
        raise NotFound("No such mention", field="mention")
    return found


def _post(request: HttpRequest, seat: Seat) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "convert":
        conversation = do_convert(seat, _mention(seat, request.POST.get("mention", "")))
        return redirect(
            "web:conversation", workspace=seat.workspace.slug, number=conversation.number
        )
    if action == "dismiss":
        do_dismiss(seat, _mention(seat, request.POST.get("mention", "")))
    elif action == "poll":
        source = ListeningSource.objects.filter(
            workspace=seat.workspace, pk=request.POST.get("source") or 0
        ).first()
        if source is None:
            raise NotFound("No such source", field="source")
        added = poll(source)
        source.refresh_from_db()
        if source.last_error:
            flash.error(request, f"{source.name}: {source.last_error}")
        else:
            flash.success(
                request, f"{source.name}: {added} new mention{'s' if added != 1 else ''}."
            )
    elif action == "add":
        every = request.POST.get("every_minutes", "15")
        do_add_source(
            seat,
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            url=request.POST.get("url", ""),
            query=request.POST.get("query", ""),
            keywords=request.POST.get("keywords", ""),
            config={"bearer_token": request.POST.get("bearer_token", "")}
            if request.POST.get("bearer_token")
            else {},
            every_minutes=int(every) if every.isdigit() else 0,
        )
        flash.success(request, "Listening source added; it is polled within a minute.")
    return redirect("web:listening", workspace=seat.workspace.slug)


@login_required
def listening(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    if request.method == "POST":
        try:
            return _post(request, seat)
        except ActionError as error:
            if isinstance(error, NotFound):
                raise
            flash.error(request, error.message)
            return redirect("web:listening", workspace=seat.workspace.slug)
    status = request.GET.get("status", MentionStatus.NEW)
    if status not in MentionStatus.values:
        status = MentionStatus.NEW
    mentions = (
        Mention.objects.filter(source__workspace=seat.workspace, status=status)
        .select_related("source")
        .order_by("-ripple_risk", "-published_at")[:PAGE]
    )
    context = {
        **frame(request, seat, section="listening"),
        "mentions": list(mentions),
        "sources": ListeningSource.objects.filter(workspace=seat.workspace).order_by("name"),
        "status": status,
        "statuses": MentionStatus.choices,
        "kinds": SourceKind.choices,
    }
    return render(request, "web/listening.html", context)
