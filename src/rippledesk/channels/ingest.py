"""Inbound events: store them raw and idempotently, then turn them into messages in a job.

``do_store_events`` is all a webhook request does after verifying the signature: insert the
raw events (unique per channel account and platform event id, so a platform's retries and
duplicate deliveries add nothing) and enqueue ``channels.process_event`` for the new ones, so
the platform gets its 2xx in milliseconds. ``process_event`` writes the messages and marks the
event processed in one transaction: if the worker dies half-way, nothing is half-written and
the job runs again; messages are unique per platform id, so a second run adds nothing either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.connectors import connector_for
from rippledesk.channels.connectors.base import EventData, IncomingFile
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.files import do_attach
from rippledesk.conversations.models import Conversation, ConversationStatus, Direction, Message
from rippledesk.conversations.records import MessageRecord
from rippledesk.core.sql import insert_new_returning_ids
from rippledesk.customers.models import Customer, Identity
from rippledesk.jobs.api import enqueue, job

_FIELDS = (
    "channel_account",
    "external_event_id",
    "payload",
    "received_at",
    "error",
    "created_at",
    "updated_at",
)


def do_store_events(account: ChannelAccount, events: Sequence[EventData]) -> list[int]:
    """Store the events not seen before and queue their processing; ids of the new ones."""
    if not events:
        return []
    now = timezone.now()
    rows = [
        (
            account.pk,
            event.external_id[:255],
            {**event.payload, "_received_at": now.isoformat(), "_kind": event.kind},
            now,
            "",
            now,
            now,
        )
        for event in events
    ]
    with transaction.atomic():
        new_ids = insert_new_returning_ids(
            InboundEvent, _FIELDS, rows, ("channel_account", "external_event_id")
        )
        for event_id in new_ids:
            enqueue("channels.process_event", {"event_id": event_id})
    return new_ids


def _threaded(account: ChannelAccount, records: list[MessageRecord]) -> list[MessageRecord]:
    """Put a reply into the conversation of the message it answers, when that is stored.

    Connectors see one event at a time; only the database knows that a tweet answers a tweet
    that is already part of conversation 42, or an email answers an earlier one.
    """
    parents = {r.in_reply_to for r in records if r.in_reply_to}
    if not parents:
        return records
    found = dict(
        Message.objects.filter(channel_account=account, external_id__in=sorted(parents))
        .exclude(conversation__external_id=None)
        .values_list("external_id", "conversation__external_id")
    )
    return [
        r._replace(conversation_key=str(found[r.in_reply_to])) if r.in_reply_to in found else r
        for r in records
    ]


def _record_audiences(account: ChannelAccount, audiences: dict[str, int]) -> None:
    for external_id, followers in audiences.items():
        Identity.objects.filter(channel_account=account, external_id=external_id).update(
            audience_size=followers
        )


def _keep_files(account: ChannelAccount, files: dict[str, list[IncomingFile]]) -> None:
    """Store each message's files; one too large leaves a note in the message instead."""
    for external_id, incoming in files.items():
        message = Message.objects.filter(channel_account=account, external_id=external_id).first()
        if message is None or message.attachments.exists():
            continue  # already kept by an earlier run of this event
        notes = []
        for item in incoming:
            if do_attach(message, item.filename, item.content_type, item.data) is None:
                notes.append(f"[attachment {item.filename!r} not kept: {len(item.data):,} bytes]")
        if notes:
            Message.objects.filter(pk=message.pk).update(
                body=message.body + "\n" + "\n".join(notes)
            )


def _reopen(account: ChannelAccount, keys: set[str]) -> None:
    """A customer writing again reopens their resolved or snoozed conversation."""
    now = timezone.now()
    waking = Conversation.objects.filter(
        channel_account=account,
        external_id__in=sorted(keys),
        status__in=(ConversationStatus.RESOLVED, ConversationStatus.SNOOZED),
    )
    for conversation in waking:
        Conversation.objects.filter(pk=conversation.pk).update(
            status=ConversationStatus.OPEN,
            resolved_at=None,
            snoozed_until=None,
            version=F("version") + 1,
            updated_at=now,
        )
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            direction=Direction.SYSTEM,
            body="Reopened: the customer wrote again",
            is_public=False,
            event="status",
            sent_at=now,
        )


@job("channels.process_event")
def _process_event_job(payload: dict[str, Any]) -> None:
    process_event(int(payload["event_id"]))


def process_event(event_id: int) -> int:
    """Turn one stored event into messages; how many were added (0 when already done)."""
    with transaction.atomic():
        event = InboundEvent.objects.select_related("channel_account__workspace").get(pk=event_id)
        if event.processed_at is not None:
            return 0
        account = event.channel_account
        connector = connector_for(account.kind)
        if connector is None:
            event.error = f"no connector for channel kind {account.kind!r}"
            event.processed_at = timezone.now()
            event.save(update_fields=["error", "processed_at", "updated_at"])
            return 0
        payload = dict(event.payload)
        kind = str(payload.pop("_kind", "message"))
        parsed = connector.parse_event(
            EventData(event.external_event_id, payload, kind), account.name
        )
        added = 0
        if parsed.records:
            records = _threaded(account, parsed.records)
            writer = BulkWriter(account.workspace, account.kind, parsed.conversation_kind)
            added = writer.write(records).messages_added
            _record_audiences(account, parsed.audiences)
            _keep_files(account, parsed.files)
            for customer_id, email in parsed.emails.items():
                Customer.objects.filter(
                    identities__channel_account=account,
                    identities__external_id=customer_id,
                    email="",
                ).update(email=email)
            for external_id, stars in parsed.ratings.items():
                Message.objects.filter(channel_account=account, external_id=external_id).update(
                    rating=stars
                )
            if parsed.subject:
                Conversation.objects.filter(
                    channel_account=account,
                    external_id__in=sorted({r.conversation_key for r in records}),
                    subject="",
                ).update(subject=parsed.subject)
            if added:
                _reopen(account, {r.conversation_key for r in parsed.records if r.inbound})
        event.error = parsed.ignored_reason
        event.processed_at = timezone.now()
        event.save(update_fields=["error", "processed_at", "updated_at"])
    return added
