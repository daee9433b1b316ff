"""Who else has a conversation open, so two agents do not answer the same customer twice.

The conversation page sends a heartbeat every few seconds; a viewer not heard from for
``FRESH`` is gone. ``composing`` marks a viewer typing a reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from rippledesk.conversations.actions import display_name
from rippledesk.conversations.models import Conversation, ConversationViewer
from rippledesk.workspaces.access import Seat

FRESH = timedelta(seconds=30)
REFRESH = timedelta(seconds=10)


@dataclass(frozen=True)
class Viewer:
    name: str
    composing: bool


def do_touch_viewer(seat: Seat, conversation: Conversation, *, composing: bool = False) -> None:
    """Record that the seat's user has the conversation open (at most one write per REFRESH)."""
    recent = ConversationViewer.objects.filter(
        conversation=conversation,
        user=seat.user,
        composing=composing,
        seen_at__gte=timezone.now() - REFRESH,
    )
    if recent.exists():
        return
    ConversationViewer.objects.update_or_create(
        conversation=conversation,
        user=seat.user,
        defaults={"seen_at": timezone.now(), "composing": composing},
    )


def other_viewers(seat: Seat, conversation: Conversation) -> list[Viewer]:
    since = timezone.now() - FRESH
    rows = (
        ConversationViewer.objects.filter(conversation=conversation, seen_at__gte=since)
        .exclude(user=seat.user)
        .select_related("user")
        .order_by("user__username")
    )
    return [Viewer(display_name(row.user), row.composing) for row in rows]
