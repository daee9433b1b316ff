"""Server-rendered pages of the desk: the conversation list and one conversation.

Reads only. Every page resolves its workspace through :mod:`rippledesk.workspaces.queries`, so a
conversation of a workspace the user does not belong to is a 404 like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from rippledesk.analysis.queries import latest_analyses
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation, ConversationStatus, Message
from rippledesk.conversations.queries import (
    InboxFilters,
    count_capped,
    customer_conversations,
    inbox_conversations,
    with_list_details,
    workspace_summary,
)
from rippledesk.web.paging import Cursor, keyset_page
from rippledesk.workspaces.access import access_seat, visible_workspaces
from rippledesk.workspaces.models import User, Workspace

PAGE_SIZE = 50
COUNT_CAP = 1_000
TIMELINE_LIMIT = 500
SWITCHER_LIMIT = 50
SESSION_WORKSPACE = "rippledesk.workspace"
RESPONSE_CHOICES = {"answered": True, "unanswered": False}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran first; this narrows the type
        raise Http404("Not signed in")
    return user


def _zone(workspace: Workspace) -> ZoneInfo:
    """The workspace's zone for showing times; UTC if the stored name is unknown."""
    try:
        return ZoneInfo(workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _frame(request: HttpRequest, user: User, workspace: Workspace) -> dict[str, Any]:
    """Context every workspace page shares: the top bar's workspace switcher and time zone."""
    if request.session.get(SESSION_WORKSPACE) != workspace.slug:  # no session write per page
        request.session[SESSION_WORKSPACE] = workspace.slug
    return {
        "workspace": workspace,
        "workspaces": list(visible_workspaces(user)[:SWITCHER_LIMIT]),
        "zone": _zone(workspace),
    }


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    """Send the user to the workspace they used last (else their first), or explain why none."""
    workspaces = visible_workspaces(_user(request))
    remembered = request.session.get(SESSION_WORKSPACE)
    workspace = workspaces.filter(slug=remembered).first() if isinstance(remembered, str) else None
    workspace = workspace or workspaces.first()
    if workspace is None:
        return render(request, "web/no_workspace.html", {"workspaces": []})
    return redirect("web:workspace-conversations", workspace=workspace.slug)


@dataclass(frozen=True)
class ListQuery:
    """The list's query string, read defensively: unknown values are ignored, never an error."""

    status: str
    channel: str
    response: str

    @classmethod
    def read(cls, params: QueryDict, channels: list[ChannelAccount]) -> ListQuery:
        status = params.get("status", "")
        channel = params.get("channel", "")
        response = params.get("response", "")
        return cls(
            status=status if status in ConversationStatus.values else "",
            channel=channel if channel in {str(c.pk) for c in channels} else "",
            response=response if response in RESPONSE_CHOICES else "",
        )

    def filters(self) -> InboxFilters:
        return InboxFilters(
            status=self.status or None,
            channel_account_id=int(self.channel) if self.channel else None,
            answered=RESPONSE_CHOICES.get(self.response),
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.channel or self.response)

    def url(self, **changes: str) -> str:
        """This query with ``changes`` applied (empty values dropped), as ``?a=b`` or ``?``."""
        values = {"status": self.status, "channel": self.channel, "response": self.response}
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v})


@login_required
def workspace_conversations(request: HttpRequest, workspace: str) -> HttpResponse:
    user = _user(request)
    current = access_seat(user, workspace).workspace
    channels = list(ChannelAccount.objects.filter(workspace=current).order_by("kind", "name"))
    query = ListQuery.read(request.GET, channels)
    rows = inbox_conversations(current, query.filters())
    page = keyset_page(
        with_list_details(rows),
        after=Cursor.decode(request.GET.get("after")),
        before=Cursor.decode(request.GET.get("before")),
        size=PAGE_SIZE,
    )
    tabs = [("", "All")] + [(value, label) for value, label in ConversationStatus.choices]
    summary = workspace_summary(current)
    if not query.active and summary.complete:
        matching, capped = summary.conversations, False  # the same rows, already counted
    elif page.is_first and page.older is None:
        matching, capped = len(page.rows), False  # everything fits on this page
    else:
        matching = count_capped(rows, COUNT_CAP)
        capped = matching > COUNT_CAP
    context = {
        **_frame(request, user, current),
        "page": page,
        "query": query,
        "channels": channels,
        "status_tabs": [(value, label, query.url(status=value)) for value, label in tabs],
        "newer_url": query.url(before=page.newer.encode()) if page.newer else "",
        "older_url": query.url(after=page.older.encode()) if page.older else "",
        "first_url": query.url(),
        "matching": min(matching, COUNT_CAP) if capped else matching,
        "matching_capped": capped,
        "summary": summary,
    }
    return render(request, "web/conversation_list.html", context)


@login_required
def conversation_detail(request: HttpRequest, workspace: str, number: int) -> HttpResponse:
    user = _user(request)
    current = access_seat(user, workspace).workspace
    conversation = (
        Conversation.objects.select_related("channel_account", "customer", "assignee", "team")
        .filter(workspace=current, number=number)
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation")
    latest = list(
        Message.objects.filter(conversation=conversation)
        .select_related("author_identity", "author_user")
        .order_by("-sent_at", "-pk")[: TIMELINE_LIMIT + 1]
    )
    earlier_hidden = len(latest) > TIMELINE_LIMIT
    timeline = list(reversed(latest[:TIMELINE_LIMIT]))
    analyses = latest_analyses([message.pk for message in timeline])
    for message in timeline:
        message.analysis = analyses.get(message.pk)  # type: ignore[attr-defined]
    customer = conversation.customer
    context = {
        **_frame(request, user, current),
        "conversation": conversation,
        "timeline": timeline,
        "earlier_hidden": earlier_hidden,
        "timeline_limit": TIMELINE_LIMIT,
        "customer": customer,
        "identities": list(
            customer.identities.select_related("channel_account").order_by(
                "channel_account__kind", "channel_account__name", "handle"
            )
        ),
        "other_conversations": customer_conversations(customer, exclude_id=conversation.pk),
        "customer_conversation_count": Conversation.objects.filter(customer=customer).count(),
    }
    return render(request, "web/conversation_detail.html", context)
