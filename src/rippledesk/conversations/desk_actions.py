"""Writes the desk makes by itself (automation rules), with no person as the actor.

They mirror the agent actions of ``conversations.actions`` with these differences, each on
purpose:

- the timeline's system message names ``by`` (such as ``Rule "Night ack"``), not a person, and
  ``ConversationsChanged`` carries ``actor_user_id=None``;
- a write that would leave the conversation as it is writes nothing, emits nothing and returns
  False, so two rules can never ping-pong on changes that change nothing;
- nothing is assigned to the writer, and an automatic reply is not the first response: the
  customer still waits for a person, so ``waiting_since`` and the SLA clocks keep running.

No expected version is taken: the desk acts on the conversation as it is now, and its version
bump makes an agent's stale edit a Conflict as any other change would.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.outbox import deliver_on_commit
from rippledesk.conversations.actions import NOTE_MAX, check_reply, display_name
from rippledesk.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
)
from rippledesk.conversations.timings import AUTO_REPLY
from rippledesk.core.errors import InvalidInput
from rippledesk.core.events import ConversationsChanged, MessagesStored, emit_on_commit
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.models import User

DESK_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.RESOLVED)


def _write(conversation: Conversation, **fields: Any) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    conversation.refresh_from_db()


def desk_message(conversation: Conversation, event: str, by: str, text: str) -> Message:
    """A system line in the timeline saying what the desk did and why (``by``)."""
    return Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.SYSTEM,
        author_name=by[:200],
        body=text,
        is_public=False,
        event=event,
        sent_at=timezone.now(),
    )


def do_desk_set_priority(conversation: Conversation, priority: str, *, by: str) -> bool:
    if priority not in Priority.values:
        raise InvalidInput(f"Unknown priority {priority!r}.", field="priority")
    if conversation.priority == priority:
        return False
    with transaction.atomic():
        _write(conversation, priority=priority)
        desk_message(conversation, "priority", by, f"{by} set the priority to {priority}")
        emit_on_commit(ConversationsChanged((conversation.pk,), "priority"))
    return True


def do_desk_set_status(conversation: Conversation, status: str, *, by: str) -> bool:
    """Open, pend or resolve (the desk does not snooze: a snooze needs a person's judgement)."""
    if status not in DESK_STATUSES:
        raise InvalidInput(
            f"The desk can set the status to {', '.join(DESK_STATUSES)}, not {status!r}.",
            field="status",
        )
    if conversation.status == status:
        return False
    fields: dict[str, Any] = {"status": status, "snoozed_until": None}
    if status == ConversationStatus.RESOLVED:
        fields["resolved_at"] = timezone.now()
    elif status == ConversationStatus.OPEN:
        fields["resolved_at"] = None
    with transaction.atomic():
        _write(conversation, **fields)
        desk_message(conversation, "status", by, f"{by} set the status to {status}")
        emit_on_commit(ConversationsChanged((conversation.pk,), "status"))
    return True


def check_assignable(conversation: Conversation, assignee: User) -> None:
    """Refuse an assignee who cannot see the conversation's channel (or is no member)."""
    seat = seat_in(assignee, conversation.workspace)
    if seat is None or not seat.reaches_channel(conversation.channel_account_id):
        raise InvalidInput(
            f"{display_name(assignee)} cannot see {conversation.channel_account.name}; "
            "grant their team that channel first.",
            field="assignee",
        )


def do_desk_assign(conversation: Conversation, assignee: User, *, by: str) -> bool:
    check_assignable(conversation, assignee)
    if conversation.assignee_id == assignee.pk:
        return False
    with transaction.atomic():
        _write(conversation, assignee=assignee)
        desk_message(
            conversation, "assigned", by, f"{by} assigned this to {display_name(assignee)}"
        )
        emit_on_commit(ConversationsChanged((conversation.pk,), "assignee"))
    return True


def do_desk_note(conversation: Conversation, text: str, *, by: str) -> Message:
    """An internal note written by the desk: colleagues see it, the customer never does."""
    body = text.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput("The note is empty.", field="text")
    return Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.NOTE,
        author_name=by[:200],
        body=body[:NOTE_MAX],
        is_public=False,
        sent_at=timezone.now(),
    )


def do_desk_reply(conversation: Conversation, body: str) -> Message:
    """Queue an automatic reply in the conversation's channel, as the channel allows.

    The same checks as an agent's reply (public or private as the conversation is, the length
    limit, the reply window) refuse it with InvalidInput; the outbox delivers it after commit
    and retries as it does for agents. It is signed with the workspace's name: channels that
    show the author (web chat) must not show the customer the name of an internal rule.
    """
    text, public = check_reply(conversation, body, None)
    now = timezone.now()
    with transaction.atomic():
        last_inbound = (
            Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
            .exclude(external_id=None)
            .order_by("-sent_at", "-pk")
            .values_list("external_id", flat=True)
            .first()
        )
        message = Message.objects.create(
            conversation=conversation,
            channel_account_id=conversation.channel_account_id,
            direction=Direction.OUTBOUND,
            author_name=conversation.workspace.name[:200],
            body=text,
            in_reply_to_external_id=last_inbound or "",
            is_public=public,
            delivery_status=DeliveryStatus.QUEUED,
            sent_at=now,
            event=AUTO_REPLY,
        )
        _write(conversation, message_count=F("message_count") + 1, last_activity_at=now)
        deliver_on_commit(message.pk)
        emit_on_commit(MessagesStored((message.pk,)))
    return message
