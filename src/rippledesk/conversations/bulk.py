"""Bulk writes of messages: the import path of ``conversations``.

This is the action behind ``rippledesk import``: it upserts channel accounts, customers,
identities, conversations and messages for a batch of :class:`MessageRecord` in a handful of
set-based statements, so imports run at tens of thousands of messages per second. Every insert
is keyed by a unique external id and ignores conflicts, which makes a re-run add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
)
from rippledesk.conversations.records import MessageRecord
from rippledesk.conversations.timings import Timings, compute_timings, refresh_timings
from rippledesk.core.events import MessagesStored, emit_on_commit
from rippledesk.core.sql import (
    insert_ignoring_conflicts,
    insert_new_returning_ids,
    insert_returning_ids,
    select_by_keys,
)
from rippledesk.customers.models import Customer, Identity
from rippledesk.workspaces.models import Workspace

_IDENTITY_FIELDS = (
    "customer",
    "channel_account",
    "external_id",
    "handle",
    "display_name",
    "created_at",
    "updated_at",
)
_CONVERSATION_FIELDS = (
    "workspace",
    "channel_account",
    "customer",
    "number",
    "external_id",
    "kind",
    "status",
    "priority",
    "ripple_risk",
    "message_count",
    "first_inbound_at",
    "first_response_at",
    "first_response_seconds",
    "waiting_since",
    "last_activity_at",
    "created_at",
    "updated_at",
)
# status, priority and ripple risk of a conversation an import creates
_NEW = (ConversationStatus.OPEN.value, Priority.NORMAL.value, 0.0)
_MESSAGE_FIELDS = (
    "conversation",
    "channel_account",
    "direction",
    "author_identity",
    "author_name",
    "body",
    "external_id",
    "in_reply_to_external_id",
    "is_public",
    "delivery_status",
    "sent_at",
    "created_at",
    "updated_at",
)


@dataclass
class BatchResult:
    messages_added: int = 0
    messages_present: int = 0
    conversations_added: int = 0


class BulkWriter:
    """Writes batches of records for one workspace and one channel kind.

    Channel accounts are cached for the writer's life; everything else is looked up per batch so
    memory stays flat however large the source is.
    """

    def __init__(
        self, workspace: Workspace, channel_kind: str, conversation_kind: ConversationKind
    ) -> None:
        self.workspace = workspace
        self.channel_kind = channel_kind
        self.conversation_kind = conversation_kind
        self._channels: dict[str, int] = {}

    def write(self, records: Sequence[MessageRecord]) -> BatchResult:
        """Store one batch atomically; a failure leaves earlier batches intact."""
        if not records:
            return BatchResult()
        with transaction.atomic():
            channels = self._channel_ids({r.channel for r in records})
            identities = self._identity_ids(records, channels)
            timings = self._batch_timings(records, channels)
            conversations, existed, added = self._conversation_ids(
                records, channels, identities, timings
            )
            new_ids = self._insert_messages(records, channels, identities, conversations)
            # A conversation created by this batch was written with the batch's timings; they
            # are exact when every message of the batch was new. Otherwise re-derive them all.
            stale = set(conversations.values()) if len(new_ids) != len(records) else existed
            refresh_timings(stale)
            if new_ids:
                emit_on_commit(MessagesStored(tuple(new_ids)))
        return BatchResult(
            messages_added=len(new_ids),
            messages_present=len(records) - len(new_ids),
            conversations_added=added,
        )

    @staticmethod
    def _batch_timings(
        records: Sequence[MessageRecord], channels: dict[str, int]
    ) -> dict[tuple[int, str], Timings]:
        """Timings of each conversation key computed from this batch's messages alone."""
        grouped: dict[tuple[int, str], list[tuple[str, datetime]]] = {}
        for r in sorted(records, key=lambda record: record.sent_at):
            direction = Direction.INBOUND if r.inbound else Direction.OUTBOUND
            key = (channels[r.channel], r.conversation_key)
            grouped.setdefault(key, []).append((direction.value, r.sent_at))
        return {key: compute_timings(messages) for key, messages in grouped.items()}

    def _channel_ids(self, handles: Iterable[str]) -> dict[str, int]:
        for handle in handles:
            if handle not in self._channels:
                account, _ = ChannelAccount.objects.get_or_create(
                    workspace=self.workspace, kind=self.channel_kind, name=handle
                )
                self._channels[handle] = account.pk
        return self._channels

    def _identity_ids(
        self, records: Sequence[MessageRecord], channels: dict[str, int]
    ) -> dict[tuple[int, str], tuple[int, int]]:
        """Map (channel id, external id) to (identity id, customer id), creating new ones."""
        wanted: dict[tuple[int, str], str] = {}
        for r in records:
            channel = channels[r.channel]
            wanted.setdefault((channel, r.customer_id), r.customer_name)
            if r.inbound:
                wanted.setdefault((channel, r.author_id), r.author_name)
        found = self._existing_identities(wanted)
        missing = [key for key in wanted if key not in found]
        if missing:
            now = timezone.now()
            customer_ids = insert_returning_ids(
                Customer,
                ("workspace", "display_name", "email", "notes", "created_at", "updated_at"),
                [(self.workspace.pk, wanted[key][:200], "", "", now, now) for key in missing],
            )
            insert_ignoring_conflicts(
                Identity,
                _IDENTITY_FIELDS,
                [
                    (customer, key[0], key[1], wanted[key][:255], wanted[key][:200], now, now)
                    for key, customer in zip(missing, customer_ids, strict=True)
                ],
                ("channel_account", "external_id"),
            )
            found.update(self._existing_identities(missing))
        return found

    @staticmethod
    def _existing_identities(
        keys: Iterable[tuple[int, str]],
    ) -> dict[tuple[int, str], tuple[int, int]]:
        """(channel id, external id) -> (identity id, customer id) for stored identities."""
        rows = select_by_keys(Identity, "channel_account", "external_id", keys, ("id", "customer"))
        return {key: (int(values[0]), int(values[1])) for key, values in rows.items()}

    def _conversation_ids(
        self,
        records: Sequence[MessageRecord],
        channels: dict[str, int],
        identities: dict[tuple[int, str], tuple[int, int]],
        timings: dict[tuple[int, str], Timings],
    ) -> tuple[dict[tuple[int, str], int], set[int], int]:
        """Map (channel id, conversation key) to conversation id.

        Also returns the ids that existed before this batch and how many were created.
        """
        first: dict[tuple[int, str], MessageRecord] = {}
        for r in records:
            first.setdefault((channels[r.channel], r.conversation_key), r)
        found = self._existing_conversations(first)
        existed = set(found.values())
        missing = [key for key in first if key not in found]
        if not missing:
            return found, existed, 0
        number = self._reserve_numbers(len(missing))
        now = timezone.now()
        kind = self.conversation_kind.value
        rows = []
        for offset, key in enumerate(missing):
            record = first[key]
            customer = identities[(key[0], record.customer_id)][1]
            t = timings[key]
            rows.append(
                (
                    self.workspace.pk,
                    key[0],
                    customer,
                    number + offset,
                    key[1],
                    kind,
                    *_NEW,
                    t.message_count,
                    t.first_inbound_at,
                    t.first_response_at,
                    t.first_response_seconds,
                    t.waiting_since,
                    t.last_activity_at,
                    now,
                    now,
                )
            )
        added = insert_ignoring_conflicts(
            Conversation,
            _CONVERSATION_FIELDS,
            rows,
            ("channel_account", "external_id"),
        )
        found.update(self._existing_conversations(missing))
        return found, existed, added

    @staticmethod
    def _existing_conversations(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        rows = select_by_keys(Conversation, "channel_account", "external_id", keys, ("id",))
        return {key: int(values[0]) for key, values in rows.items()}

    def _reserve_numbers(self, count: int) -> int:
        """Take ``count`` consecutive conversation numbers; return the first."""
        Workspace.objects.filter(pk=self.workspace.pk).update(
            next_conversation_number=F("next_conversation_number") + count
        )
        after = Workspace.objects.values_list("next_conversation_number", flat=True).get(
            pk=self.workspace.pk
        )
        return int(after) - count

    def _insert_messages(
        self,
        records: Sequence[MessageRecord],
        channels: dict[str, int],
        identities: dict[tuple[int, str], tuple[int, int]],
        conversations: dict[tuple[int, str], int],
    ) -> list[int]:
        """Insert the batch's messages; return the ids of those not stored before."""
        now = timezone.now()
        rows = []
        for r in records:
            channel = channels[r.channel]
            rows.append(
                (
                    conversations[(channel, r.conversation_key)],
                    channel,
                    Direction.INBOUND.value if r.inbound else Direction.OUTBOUND.value,
                    identities[(channel, r.author_id)][0] if r.inbound else None,
                    r.author_name[:200],
                    r.body,
                    r.external_id,
                    r.in_reply_to,
                    r.is_public,
                    (DeliveryStatus.RECEIVED if r.inbound else DeliveryStatus.SENT).value,
                    r.sent_at,
                    now,
                    now,
                )
            )
        return insert_new_returning_ids(
            Message, _MESSAGE_FIELDS, rows, ("channel_account", "external_id")
        )
