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
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.imports.seen import SeenFilter
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
from rippledesk.conversations.search.bulk import BatchIndex
from rippledesk.conversations.timings import Timings, compute_timings, refresh_timings
from rippledesk.core.events import MessagesStored, emit_on_commit
from rippledesk.core.sql import (
    adapter,
    insert_new_returning_ids,
    insert_returning,
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
_KEY = ("channel_account", "external_id")
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


# Enum member values read once: ``Direction.INBOUND.value`` costs an enum descriptor call, and
# the writer needs these for every row.
_INBOUND = Direction.INBOUND.value
_OUTBOUND = Direction.OUTBOUND.value
_RECEIVED = DeliveryStatus.RECEIVED.value
_SENT = DeliveryStatus.SENT.value
# Bound on the writer's cache of converted times; imports repeat the same minutes a lot.
_TIME_CACHE = 100_000


@dataclass
class BatchResult:
    messages_added: int = 0
    messages_present: int = 0
    conversations_added: int = 0


Groups = dict[tuple[int, str], list[MessageRecord]]


class BulkWriter:
    """Writes batches of records for one workspace and one channel kind.

    Channel accounts are cached for the writer's life; everything else is looked up per batch so
    memory stays flat however large the source is. Times are converted to what the database
    driver takes once per distinct value (SQLite: Django's own text form, naive UTC), and rows
    are built as plain tuples in the column order of the statements.
    """

    def __init__(
        self, workspace: Workspace, channel_kind: str, conversation_kind: ConversationKind
    ) -> None:
        self.workspace = workspace
        self.channel_kind = channel_kind
        self.conversation_kind = conversation_kind
        self._channels: dict[str, int] = {}
        # Channel accounts this writer created, and the identity and conversation keys it
        # stored in them: a key of such a channel that is not in the filter cannot be stored
        # yet, so a first import into a new channel skips most existence look-ups (the filters
        # are made on first use: live ingest writes to existing channels only).
        self._fresh_channels: set[int] = set()
        self._created: dict[str, SeenFilter] = {}
        self._to_db = adapter()
        self._db_times: dict[datetime, Any] = {}

    def write(self, records: Sequence[MessageRecord]) -> BatchResult:
        """Store one batch atomically; a failure leaves earlier batches intact."""
        if not records:
            return BatchResult()
        with transaction.atomic(savepoint=False), BatchIndex(len(records)):
            channels = self.channel_ids({r.channel for r in records})
            identities = self._identity_ids(records, channels)
            groups: Groups = {}
            for r in records:
                key = (channels[r.channel], r.conversation_key)
                group = groups.get(key)
                if group is None:
                    groups[key] = [r]
                else:
                    group.append(r)
            conversations, existed, added = self._conversation_ids(groups, identities)
            new_ids = self._insert_messages(records, channels, identities, conversations)
            # A conversation created by this batch was written with the batch's timings; they
            # are exact when every message of the batch was new. Otherwise re-derive them all.
            stale = set(conversations.values()) if len(new_ids) != len(records) else existed
            refresh_timings(stale)
            if new_ids:
                newest = max(r.sent_at for r in records)
                emit_on_commit(MessagesStored(tuple(new_ids), newest))
        return BatchResult(
            messages_added=len(new_ids),
            messages_present=len(records) - len(new_ids),
            conversations_added=added,
        )

    def _db_time(self, moment: datetime | None) -> Any:
        """``moment`` as the driver takes it, converted once per distinct value."""
        if moment is None:
            return None
        converted = self._db_times.get(moment)
        if converted is None:
            if len(self._db_times) >= _TIME_CACHE:
                self._db_times.clear()
            converted = self._db_times[moment] = self._to_db(moment)
        return converted

    @staticmethod
    def _timings(group: list[MessageRecord]) -> Timings:
        """Timings of one conversation computed from this batch's messages alone."""
        if len(group) == 1:
            r = group[0]
            if r.inbound:
                return Timings(1, r.sent_at, None, r.sent_at, r.sent_at)
            return Timings(1, None, None, None, r.sent_at)
        ordered = sorted(group, key=lambda record: record.sent_at)
        return compute_timings((_INBOUND if r.inbound else _OUTBOUND, r.sent_at) for r in ordered)

    def channel_ids(self, handles: Iterable[str]) -> dict[str, int]:
        """Channel account ids by handle, creating the accounts that do not exist yet."""
        for handle in handles:
            if handle not in self._channels:
                account, created = ChannelAccount.objects.get_or_create(
                    workspace=self.workspace, kind=self.channel_kind, name=handle
                )
                self._channels[handle] = account.pk
                if created:
                    self._fresh_channels.add(account.pk)
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
        found = self._existing_identities(self._maybe_stored("identity", wanted))
        missing = [key for key in wanted if key not in found]
        if not missing:
            return found
        now = self._to_db(timezone.now())
        workspace = self.workspace.pk
        customer_ids = insert_returning_ids(
            Customer,
            ("workspace", "display_name", "email", "notes", "created_at", "updated_at"),
            [(workspace, wanted[key][:200], "", "", now, now) for key in missing],
        )
        rows = [
            (customer, key[0], key[1], wanted[key][:255], wanted[key][:200], now, now)
            for key, customer in zip(missing, customer_ids, strict=True)
        ]
        added = insert_returning(
            Identity, _IDENTITY_FIELDS, rows, (*_KEY, "id", "customer"), _KEY, adapt=False
        )
        for channel, external_id, identity, customer in added:
            found[(int(channel), str(external_id))] = (int(identity), int(customer))
        self._remember("identity", found)
        if len(added) != len(missing):
            # Another writer created some of them meanwhile; their customers won.
            found.update(self._existing_identities(k for k in missing if k not in found))
        return found

    def _maybe_stored(self, kind: str, keys: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        """``keys`` less those certainly not stored: of a channel this writer created and
        not among the keys it stored there."""
        if not self._fresh_channels:
            return list(keys)
        created = self._created.get(kind)
        fresh = self._fresh_channels
        listed = list(keys)
        if created is None:
            return [k for k in listed if k[0] not in fresh]
        hits = created.flags(listed)
        return [k for k, hit in zip(listed, hits, strict=True) if hit or k[0] not in fresh]

    def _remember(self, kind: str, keys: Iterable[tuple[int, str]]) -> None:
        if not self._fresh_channels:
            return
        created = self._created.get(kind)
        if created is None:
            created = self._created[kind] = SeenFilter(1 << 24)
        fresh = self._fresh_channels
        created.add_all([key for key in keys if key[0] in fresh])

    @staticmethod
    def _existing_identities(
        keys: Iterable[tuple[int, str]],
    ) -> dict[tuple[int, str], tuple[int, int]]:
        """(channel id, external id) -> (identity id, customer id) for stored identities."""
        rows = select_by_keys(Identity, "channel_account", "external_id", keys, ("id", "customer"))
        return {key: (int(values[0]), int(values[1])) for key, values in rows.items()}

    def _conversation_ids(
        self, groups: Groups, identities: dict[tuple[int, str], tuple[int, int]]
    ) -> tuple[dict[tuple[int, str], int], set[int], int]:
        """Map (channel id, conversation key) to conversation id.

        Also returns the ids that existed before this batch and how many were created. New
        conversations are written with the timings of this batch's messages.
        """
        found = self._existing_conversations(self._maybe_stored("conversation", groups))
        existed = set(found.values())
        missing = [key for key in groups if key not in found]
        if not missing:
            return found, existed, 0
        number = self._reserve_numbers(len(missing))
        now = self._to_db(timezone.now())
        kind = self.conversation_kind.value
        workspace = self.workspace.pk
        at = self._db_time
        rows = []
        for offset, key in enumerate(missing):
            group = groups[key]
            customer = identities[(key[0], group[0].customer_id)][1]
            t = self._timings(group)
            rows.append(
                (
                    workspace,
                    key[0],
                    customer,
                    number + offset,
                    key[1],
                    kind,
                    *_NEW,
                    t.message_count,
                    at(t.first_inbound_at),
                    at(t.first_response_at),
                    t.first_response_seconds,
                    at(t.waiting_since),
                    at(t.last_activity_at),
                    now,
                    now,
                )
            )
        added = insert_returning(
            Conversation, _CONVERSATION_FIELDS, rows, (*_KEY, "id"), _KEY, adapt=False
        )
        for channel, external_id, pk in added:
            found[(int(channel), str(external_id))] = int(pk)
        self._remember("conversation", found)
        if len(added) != len(missing):
            # Another writer stored some of them meanwhile: they existed before this batch.
            late = self._existing_conversations(k for k in missing if k not in found)
            found.update(late)
            existed.update(late.values())
        return found, existed, len(added)

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
        now = self._to_db(timezone.now())
        at = self._db_time
        rows = []
        for r in records:
            channel = channels[r.channel]
            inbound = r.inbound
            rows.append(
                (
                    conversations[(channel, r.conversation_key)],
                    channel,
                    _INBOUND if inbound else _OUTBOUND,
                    identities[(channel, r.author_id)][0] if inbound else None,
                    r.author_name[:200],
                    r.body,
                    r.external_id,
                    r.in_reply_to,
                    r.is_public,
                    _RECEIVED if inbound else _SENT,
                    at(r.sent_at),
                    now,
                    now,
                )
            )
        return insert_new_returning_ids(Message, _MESSAGE_FIELDS, rows, _KEY, adapt=False)
