"""Every write an agent makes to a conversation: reply, note, assign, status.

Each ``do_*`` takes the acting :class:`~rippledesk.workspaces.access.Seat` and a conversation the
caller fetched through ``conversations.access``, validates (raising :mod:`core.errors`), writes
in one transaction, and records a system message for changes a colleague should see in the
timeline. Changes that could collide (assign, status) take the version the agent last saw and
are refused with :class:`~rippledesk.core.errors.Conflict` if someone else changed the
conversation in between; the check is part of the UPDATE, so two simultaneous writes cannot
both pass it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.outbox import deliver_on_commit
from rippledesk.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
)
from rippledesk.core.errors import Conflict, InvalidInput
from rippledesk.core.events import ConversationsChanged, MessagesStored, emit_on_commit
from rippledesk.workspaces.access import Seat, seat_in
from rippledesk.workspaces.models import Team, User

NOTE_MAX = 10_000
SNOOZE_MAX = timedelta(days=365)


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _bump(conversation: Conversation, expected_version: int | None, **fields: Any) -> None:
    """Write ``fields`` and bump the version, only if the version is still the one expected."""
    rows = Conversation.objects.filter(pk=conversation.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    now = timezone.now()
    if rows.update(version=F("version") + 1, updated_at=now, **fields) == 0:
        current = Conversation.objects.filter(pk=conversation.pk).values("status").first()
        state = f" (it is now {current['status']})" if current else ""
        raise Conflict(
            f"Conversation #{conversation.number} was changed by someone else since you "
            f"opened it{state}; reload to see the change.",
            field="version",
        )
    conversation.refresh_from_db()


def _system(seat: Seat, conversation: Conversation, event: str, text: str) -> Message:
    return Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.SYSTEM,
        author_user=seat.user,
        author_name=display_name(seat.user),
        body=text,
        is_public=False,
        event=event,
        sent_at=timezone.now(),
    )


def _clean_body(body: str, field: str = "body") -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Write something first: the text is empty.", field=field)
    return text


def do_reply(
    seat: Seat,
    conversation: Conversation,
    body: str,
    *,
    public: bool | None = None,
    resolve: bool = False,
) -> Message:
    """Queue a reply in the conversation's channel; the outbox delivers it after commit.

    ``public`` None means the conversation's own visibility (a public thread is answered in
    public where the channel allows it). Replying to an unassigned conversation assigns it to
    the replier, as a colleague would expect.
    """
    text, public = check_reply(conversation, body, public)
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
            author_user=seat.user,
            author_name=display_name(seat.user),
            body=text,
            in_reply_to_external_id=last_inbound or "",
            is_public=public,
            delivery_status=DeliveryStatus.QUEUED,
            sent_at=now,
        )
        fields: dict[str, Any] = {
            "message_count": F("message_count") + 1,
            "last_activity_at": now,
            "waiting_since": None,
        }
        if conversation.first_response_at is None and conversation.first_inbound_at is not None:
            fields["first_response_at"] = now
            fields["first_response_seconds"] = max(
                0, int((now - conversation.first_inbound_at).total_seconds())
            )
        if conversation.assignee_id is None:
            fields["assignee"] = seat.user
        if resolve:
            fields.update(status=ConversationStatus.RESOLVED, resolved_at=now, snoozed_until=None)
        _bump(conversation, None, **fields)
        if "assignee" in fields:
            _system(seat, conversation, "assigned", f"{display_name(seat.user)} took this")
        if resolve:
            _system(seat, conversation, "status", f"{display_name(seat.user)} resolved this")
        deliver_on_commit(message.pk)
        emit_on_commit(MessagesStored((message.pk,)))
        if "assignee" in fields:
            emit_on_commit(ConversationsChanged((conversation.pk,), "assignee", seat.user.pk))
        if resolve:
            emit_on_commit(ConversationsChanged((conversation.pk,), "status", seat.user.pk))
    return message


def check_reply(conversation: Conversation, body: str, public: bool | None) -> tuple[str, bool]:
    """The cleaned text and visibility of a reply the channel would accept; else InvalidInput.

    ``public`` None means the conversation's own visibility. Checks the channel's public and
    private replies, its length limit and its reply window.
    """
    text = _clean_body(body)
    rules = reply_rules(conversation.channel_account.kind)
    if public is None:
        public = rules.public and (
            conversation.kind in ("public_thread", "review") or not rules.private
        )
    if public and not rules.public:
        raise InvalidInput("This channel has no public replies; reply privately.", field="public")
    if not public and not rules.private:
        raise InvalidInput("This channel has no private replies; reply in public.", field="public")
    limit = rules.max_length(public)
    if len(text) > limit:
        where = "public" if public else "private"
        raise InvalidInput(
            f"The reply is {len(text):,} characters; {where} replies on "
            f"{conversation.channel_account.get_kind_display()} allow {limit:,}.",
            field="body",
        )
    if rules.window_hours is not None and not public:
        _check_window(conversation, rules.window_hours, timezone.now())
    return text, public


def _check_window(conversation: Conversation, hours: int, now: datetime) -> None:
    """Refuse a reply the platform would refuse: the customer last wrote too long ago."""
    last = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last is None or now - last > timedelta(hours=hours):
        raise InvalidInput(
            f"{conversation.channel_account.get_kind_display()} allows replies only within "
            f"{hours} hours of the customer's last message; that window has closed. The "
            "customer has to write again first.",
            field="body",
        )


def do_add_note(seat: Seat, conversation: Conversation, body: str) -> Message:
    """An internal note: seen by colleagues in the timeline, never sent to the customer."""
    text = _clean_body(body)
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"A note may be at most {NOTE_MAX:,} characters.", field="body")
    return Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        direction=Direction.NOTE,
        author_user=seat.user,
        author_name=display_name(seat.user),
        body=text,
        is_public=False,
        sent_at=timezone.now(),
    )


def do_assign(
    seat: Seat,
    conversation: Conversation,
    *,
    assignee: User | None,
    expected_version: int | None,
    team: Team | None = None,
    change_team: bool = False,
) -> None:
    """Give the conversation to ``assignee`` (None: unassign) and, with ``change_team``, a team."""
    if assignee is not None:
        their_seat = seat_in(assignee, seat.workspace)
        if their_seat is None or not their_seat.reaches_channel(conversation.channel_account_id):
            raise InvalidInput(
                f"{display_name(assignee)} cannot see {conversation.channel_account.name}; "
                "grant their team that channel first.",
                field="assignee",
            )
    if team is not None and team.workspace_id != seat.workspace.pk:
        raise InvalidInput("No such team in this workspace.", field="team")
    fields: dict[str, Any] = {"assignee": assignee}
    if change_team:
        fields["team"] = team
    with transaction.atomic():
        _bump(conversation, expected_version, **fields)
        who = display_name(seat.user)
        if assignee is None:
            text = f"{who} unassigned this"
        elif assignee.pk == seat.user.pk:
            text = f"{who} took this"
        else:
            text = f"{who} assigned this to {display_name(assignee)}"
        if change_team:
            text += f" (team: {team.name})" if team else " (no team)"
        _system(seat, conversation, "assigned", text)
        emit_on_commit(ConversationsChanged((conversation.pk,), "assignee", seat.user.pk))
        if change_team:
            emit_on_commit(ConversationsChanged((conversation.pk,), "team", seat.user.pk))


_STATUS_WORDS = {
    ConversationStatus.OPEN: "reopened this",
    ConversationStatus.PENDING: "marked this pending",
    ConversationStatus.RESOLVED: "resolved this",
}


def do_set_status(
    seat: Seat,
    conversation: Conversation,
    status: str,
    *,
    expected_version: int | None,
    snooze_until: datetime | None = None,
) -> None:
    """Open, pend, snooze (until a future time) or resolve the conversation."""
    if status not in ConversationStatus.values:
        choices = ", ".join(ConversationStatus.values)
        raise InvalidInput(f"Unknown status {status!r}; use one of {choices}.", field="status")
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "snoozed_until": None}
    if status == ConversationStatus.SNOOZED:
        if snooze_until is None or snooze_until <= now:
            raise InvalidInput("Snooze needs a time in the future.", field="snooze_until")
        if snooze_until - now > SNOOZE_MAX:
            raise InvalidInput("Snooze for at most a year.", field="snooze_until")
        fields["snoozed_until"] = snooze_until
    if status == ConversationStatus.RESOLVED:
        fields["resolved_at"] = now
    elif status == ConversationStatus.OPEN:
        fields["resolved_at"] = None
    if (
        conversation.status == status
        and status != ConversationStatus.SNOOZED
        and expected_version in (None, conversation.version)
    ):
        return  # already so: nothing to record
    with transaction.atomic():
        _bump(conversation, expected_version, **fields)
        who = display_name(seat.user)
        if status == ConversationStatus.SNOOZED:
            assert snooze_until is not None
            text = f"{who} snoozed this until {snooze_until:%Y-%m-%d %H:%M} UTC"
        else:
            text = f"{who} {_STATUS_WORDS[ConversationStatus(status)]}"
        _system(seat, conversation, "status", text)
        emit_on_commit(ConversationsChanged((conversation.pk,), "status", seat.user.pk))


def do_wake_snoozed(seat: Seat) -> int:
    """Reopen the workspace's snoozed conversations whose time has come; how many woke.

    Each gets a system message, so the timeline says why it is back (and the inbox's cached
    counts, keyed on the newest message, are refreshed).
    """
    now = timezone.now()
    due = list(
        Conversation.objects.filter(
            workspace=seat.workspace, status=ConversationStatus.SNOOZED, snoozed_until__lte=now
        ).values_list("pk", "channel_account_id")
    )
    if not due:
        return 0
    with transaction.atomic():
        woke = Conversation.objects.filter(
            pk__in=[pk for pk, _ in due], status=ConversationStatus.SNOOZED
        ).update(
            status=ConversationStatus.OPEN,
            snoozed_until=None,
            version=F("version") + 1,
            updated_at=now,
        )
        Message.objects.bulk_create(
            Message(
                conversation_id=pk,
                channel_account_id=channel,
                direction=Direction.SYSTEM,
                body="Snooze ended: back in the queue",
                is_public=False,
                event="status",
                sent_at=now,
            )
            for pk, channel in due
        )
        emit_on_commit(ConversationsChanged(tuple(pk for pk, _ in due), "status"))
    return woke
