"""One conversation: the timeline, the customer panel, and everything an agent does to it.

Reads build the page; each POST calls one action of ``conversations.actions`` and redirects
back (post/redirect/get), so a reload never sends a reply twice. A refused reply re-renders
the page with the agent's text kept and the reason shown next to the composer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from rippledesk.channels.capabilities import reply_rules
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import (
    do_add_note,
    do_assign,
    do_reply,
    do_set_status,
)
from rippledesk.conversations.canned import render as render_canned
from rippledesk.conversations.files import read_file
from rippledesk.conversations.models import (
    Attachment,
    CannedResponse,
    Conversation,
    ConversationStatus,
    Message,
)
from rippledesk.conversations.presence import do_touch_viewer, other_viewers
from rippledesk.conversations.suggestions import suggest_replies
from rippledesk.core.errors import ActionError, InvalidInput, NotFound, json_error
from rippledesk.triage.rules.queries import suggestions_for
from rippledesk.triage.sla_report import conversation_sla
from rippledesk.web.views.customer_panel import customer_panel
from rippledesk.web.views.frame import frame, seat_for, workspace_teams
from rippledesk.web.views.timeline import render_timeline, timeline_context
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Membership, Role, Team, User

SNOOZE_CHOICES = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
    "1w": timedelta(days=7),
}


@dataclass(frozen=True, slots=True)
class Assignable:
    pk: int
    username: str
    name: str  # full name, else the username


def _assignable(seat: Seat, conversation: Conversation) -> list[Assignable]:
    """Members who can see the conversation's channel: managers, admins, granted teams."""
    members = (
        Membership.objects.filter(workspace=seat.workspace)
        .filter(
            Q(role__in=(Role.MANAGER, Role.ADMIN))
            | Q(teams__channel_accounts=conversation.channel_account_id)
        )
        .order_by("user__username")
        .values_list("user_id", "user__username", "user__first_name", "user__last_name")
        .distinct()
    )
    return [
        Assignable(pk, username, f"{first} {last}".strip() or username)
        for pk, username, first, last in members
    ]


def _rule_suggestions(seat: Seat, conversation: Conversation) -> list[dict[str, str]]:
    """Replies automation rules suggest here, filled in for this agent."""
    return [
        {"text": render_canned(s.body, conversation, seat.user), "source": f"rule {s.rule_name}"}
        for s in suggestions_for(conversation.pk)
    ]


def _page_context(
    request: HttpRequest, seat: Seat, conversation: Conversation, **extra: Any
) -> dict[str, Any]:
    shown = timeline_context(seat, conversation)
    rules = reply_rules(conversation.channel_account.kind)
    default_public = rules.public and (
        conversation.kind in ("public_thread", "review") or not rules.private
    )
    do_touch_viewer(seat, conversation)
    return {
        **frame(request, seat, section="inbox"),
        **shown,
        **customer_panel(seat, conversation),
        "timeline_html": render_timeline(request, shown),
        "conversation": conversation,
        "last_message_id": max((m.pk for m in shown["timeline"]), default=0),
        "sla": conversation_sla(conversation.pk, timezone.now()),
        "rules": rules,
        "default_public": default_public,
        "canned": list(CannedResponse.objects.filter(workspace=seat.workspace)),
        "assignable": _assignable(seat, conversation),
        "teams": workspace_teams(seat),
        "viewers": other_viewers(seat, conversation),
        "statuses": ConversationStatus.choices,
        "snooze_choices": list(SNOOZE_CHOICES),
        "rule_suggestions": _rule_suggestions(seat, conversation),
        "draft": "",
        "draft_mode": "reply",
        "composer_error": None,
        **extra,
    }


@login_required
@require_GET
def conversation_page(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    return render(request, "web/conversation.html", _page_context(request, seat, conversation))


def _back(seat: Seat, conversation: Conversation, anchor: str = "") -> HttpResponse:
    url = reverse("web:conversation", args=[seat.workspace.slug, conversation.number])
    return redirect(url + anchor)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput("version must be a whole number.", field="version")
    return int(raw)


@login_required
@require_POST
def reply(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    """Send a reply (or, with ``mode=note``, save an internal note)."""
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    body = request.POST.get("body", "")
    mode = "note" if request.POST.get("mode") == "note" else "reply"
    try:
        if mode == "note":
            do_add_note(seat, conversation, body)
        else:
            visibility = request.POST.get("visibility", "")
            public = {"public": True, "private": False}.get(visibility)
            do_reply(
                seat,
                conversation,
                body,
                public=public,
                resolve=request.POST.get("then") == "resolve",
            )
    except ActionError as error:
        context = _page_context(
            request, seat, conversation, draft=body, draft_mode=mode, composer_error=error
        )
        return render(request, "web/conversation.html", context, status=error.status)
    flash.success(request, "Note saved." if mode == "note" else "Reply sent.")
    return _back(seat, conversation, "#composer")


@login_required
@require_POST
def assign(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    try:
        who = request.POST.get("assignee", "")
        assignee: User | None
        if who == "me":
            assignee = seat.user
        elif who:
            assignee = User.objects.filter(username=who).first()
            if assignee is None:
                raise InvalidInput(f"No member called {who!r}.", field="assignee")
        else:
            assignee = None
        team_raw = request.POST.get("team")
        team: Team | None = None
        if team_raw:
            team = Team.objects.filter(
                workspace=seat.workspace, pk=int(team_raw) if team_raw.isdigit() else 0
            ).first()
            if team is None:
                raise InvalidInput("No such team in this workspace.", field="team")
        do_assign(
            seat,
            conversation,
            assignee=assignee,
            expected_version=_version(request),
            team=team,
            change_team=team_raw is not None,
        )
        flash.success(request, "Assignment saved.")
    except ActionError as error:
        flash.error(request, error.message)
    return _back(seat, conversation)


@login_required
@require_POST
def set_status(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    status = request.POST.get("status", "")
    try:
        until: datetime | None = None
        if status == ConversationStatus.SNOOZED:
            span = SNOOZE_CHOICES.get(request.POST.get("for", ""))
            if span is None:
                raise InvalidInput("Choose how long to snooze.", field="for")
            until = timezone.now() + span
        do_set_status(
            seat, conversation, status, expected_version=_version(request), snooze_until=until
        )
        flash.success(request, f"Conversation #{number} is now {status}.")
    except ActionError as error:
        flash.error(request, error.message)
    if request.POST.get("next") == "inbox":
        return redirect(
            reverse("web:inbox", args=[seat.workspace.slug]) + request.POST.get("query", "")
        )
    return _back(seat, conversation)


@login_required
@require_POST
def presence(request: HttpRequest, workspace: str, number: int) -> JsonResponse:
    """Heartbeat of an open conversation page: who else is here, and has anything changed."""
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    do_touch_viewer(seat, conversation, composing=request.POST.get("composing") == "1")
    last = (
        Message.objects.filter(conversation=conversation)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return JsonResponse(
        {
            "viewers": [
                {"name": v.name, "composing": v.composing}
                for v in other_viewers(seat, conversation)
            ],
            "version": conversation.version,
            "last_message_id": last or 0,
        }
    )


@login_required
@require_GET
def timeline_fragment(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    return HttpResponse(render_timeline(request, timeline_context(seat, conversation)))


@login_required
@require_GET
def suggestions_fragment(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    context = {"suggestions": suggest_replies(seat, conversation)}
    return render(request, "web/_suggestions.html", context)


@login_required
@require_GET
def canned_text(request: HttpRequest, workspace: str, number: int, shortcut: str) -> JsonResponse:
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    canned = CannedResponse.objects.filter(workspace=seat.workspace, shortcut=shortcut).first()
    if canned is None:
        return json_error(404, "not_found", f"No canned response /{shortcut}", "shortcut")
    return JsonResponse({"text": render_canned(canned.body, conversation, seat.user)})


@login_required
@require_GET
def attachment(
    request: HttpRequest, workspace: str, number: int, attachment_id: int
) -> HttpResponse:
    """A message's file, as a download (never rendered inline: it may hold HTML or script)."""
    seat = seat_for(request, workspace)
    conversation = access_conversation(seat, number)
    found = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if found is None:
        raise NotFound("No such attachment", field="attachment")
    response = HttpResponse(read_file(found), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, found.filename) or ""
    return response
