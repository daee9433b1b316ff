"""Reading conversations: the inbox views, one conversation, its timeline, canned replies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params.functions import Query

from rippledesk.analysis.queries import latest_analyses
from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut
from rippledesk.api.inbox_items import conversation_items
from rippledesk.api.pagination import CursorParam, Id, Limit, keyset
from rippledesk.api.schemas import (
    ConversationDetail,
    ConversationListItem,
    MessageOut,
    conversation_detail,
    message_out,
)
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.canned import render
from rippledesk.conversations.inbox import (
    COUNT_CAP,
    Cursor,
    InboxQuery,
    count_cached,
    inbox_rows,
    keyset_ids,
)
from rippledesk.conversations.models import CannedResponse, Direction, Message
from rippledesk.core.errors import NotFound

router = Router(tags=["conversations"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Filter = Annotated[str | None, Query(None)]


class ConversationPage(Schema):
    items: list[ConversationListItem]
    next_cursor: str | None
    count: int
    count_capped: bool


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class RenderedCanned(Schema):
    shortcut: str
    title: str
    body: str


@router.get("/w/{workspace}/conversations", response={200: ConversationPage, **ERRORS})
def list_conversations(
    request: HttpRequest,
    *,
    workspace: str,
    view: Annotated[
        str | None, Query(None, description="attention (default), mine, unassigned or all")
    ],
    channel: Annotated[str | None, Query(None, description="channel account id")],
    team: Annotated[str | None, Query(None, description="team id")],
    status: Annotated[str | None, Query(None, description="open, pending, snoozed, resolved")],
    sentiment: Annotated[str | None, Query(None, description="negative, neutral, positive")],
    intent: Filter,
    topic: Filter,
    language: Filter,
    since: Annotated[str | None, Query(None, description="last activity on or after, YYYY-MM-DD")],
    until: Annotated[str | None, Query(None, description="last activity on or before, YYYY-MM-DD")],
    cursor: CursorParam,
    limit: Limit,
) -> dict[str, Any]:
    """A view of the inbox, filtered, in the view's order; ``count`` stops at 999 (capped)."""
    desk = seat(request, workspace)
    raw = {
        "view": view,
        "channel": channel,
        "team": team,
        "status": status,
        "sentiment": sentiment,
        "intent": intent,
        "topic": topic,
        "language": language,
        "since": since,
        "until": until,
    }
    query = InboxQuery.parse({k: v for k, v in raw.items() if v is not None})
    order = query.order()
    after = Cursor.decode(cursor, order)
    rows = inbox_rows(desk, query)
    page = keyset_ids(rows, order, after=after, size=limit)
    # One page holding everything needs no count query.
    counted = (
        len(page.ids) if after is None and page.next is None else count_cached(desk, query, rows)
    )
    # A dict, not a ConversationPage: ninja validates the response against the schema anyway,
    # and building the items as pydantic objects first validated every field twice.
    return {
        "items": conversation_items(page.ids),
        "next_cursor": page.next.encode() if page.next else None,
        "count": min(counted, COUNT_CAP),
        "count_capped": counted > COUNT_CAP,
    }


@router.get("/w/{workspace}/conversations/{number}", response={200: ConversationDetail, **ERRORS})
def get_conversation(request: HttpRequest, workspace: str, number: Id) -> ConversationDetail:
    """One conversation, with the ``version`` to send back with assignment and status changes."""
    return conversation_detail(access_conversation(seat(request, workspace), number))


@router.get("/w/{workspace}/conversations/{number}/messages", response={200: MessagePage, **ERRORS})
def list_messages(
    request: HttpRequest,
    *,
    workspace: str,
    number: Id,
    cursor: CursorParam,
    limit: Limit,
    order: Annotated[
        str, Query("oldest", pattern="^(oldest|newest)$", description="oldest or newest first")
    ],
) -> MessagePage:
    """The timeline: customer messages, replies, notes and system events, each inbound message
    with its latest analysis."""
    conversation = access_conversation(seat(request, workspace), number)
    desc = order == "newest"
    rows = Message.objects.filter(conversation=conversation).select_related("author_user")
    page, next_cursor = keyset(
        rows, (("sent_at", desc), ("id", desc)), (datetime, int), cursor, limit
    )
    analyses = latest_analyses([m.pk for m in page if m.direction == Direction.INBOUND])
    return MessagePage(
        items=[message_out(m, analyses.get(m.pk)) for m in page], next_cursor=next_cursor
    )


@router.get(
    "/w/{workspace}/conversations/{number}/canned/{shortcut}",
    response={200: RenderedCanned, **ERRORS},
)
def render_canned(
    request: HttpRequest, workspace: str, number: Id, shortcut: str
) -> RenderedCanned:
    """A canned response with its variables filled in for this conversation and agent."""
    desk = seat(request, workspace)
    conversation = access_conversation(desk, number)
    canned = CannedResponse.objects.filter(workspace=desk.workspace, shortcut=shortcut).first()
    if canned is None:
        raise NotFound(f"No canned response /{shortcut[:60]}", field="shortcut")
    return RenderedCanned(
        shortcut=canned.shortcut,
        title=canned.title,
        body=render(canned.body, conversation, desk.user),
    )
