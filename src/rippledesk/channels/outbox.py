"""The outbox: hands queued outbound messages to their channel's adapter, once, after commit.

A reply is stored first (``delivery_status`` queued) and sent after its transaction commits, so
a crash between the two leaves a queued message to retry rather than a sent message the desk
never recorded. Each try is a :class:`DeliveryAttempt` row. Retries with backoff arrive with
the background jobs of the channels issue; ``deliver`` is already safe to call again for the
same message (a message no longer queued is skipped).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from rippledesk.channels.adapters import DeliveryError, OutboundMessage, adapter_for
from rippledesk.conversations.models import DeliveryAttempt, DeliveryStatus, Message


def deliver_on_commit(message_id: int) -> None:
    transaction.on_commit(lambda: deliver([message_id]))


def _outbound(message: Message) -> OutboundMessage:
    identity = message.conversation.customer.identities.filter(
        channel_account_id=message.channel_account_id
    ).first()
    return OutboundMessage(
        message_id=message.pk,
        channel_kind=message.channel_account.kind,
        channel_name=message.channel_account.name,
        body=message.body,
        public=message.is_public,
        in_reply_to_external_id=message.in_reply_to_external_id,
        recipient_external_id=identity.external_id if identity else "",
    )


def deliver(message_ids: Iterable[int]) -> int:
    """Try each queued message once; return how many were sent."""
    sent = 0
    queued = Message.objects.filter(
        pk__in=list(message_ids), delivery_status=DeliveryStatus.QUEUED
    ).select_related("channel_account", "conversation__customer")
    for message in queued:
        adapter = adapter_for(message.channel_account.kind)
        now = timezone.now()
        try:
            external_id = adapter.send(_outbound(message))
        except DeliveryError as error:
            status = DeliveryStatus.FAILED if error.permanent else DeliveryStatus.QUEUED
            with transaction.atomic():
                DeliveryAttempt.objects.create(
                    message=message,
                    adapter=adapter.name,
                    succeeded=False,
                    error=str(error),
                    attempted_at=now,
                )
                Message.objects.filter(pk=message.pk).update(delivery_status=status)
            continue
        with transaction.atomic():
            DeliveryAttempt.objects.create(
                message=message, adapter=adapter.name, succeeded=True, attempted_at=now
            )
            Message.objects.filter(pk=message.pk).update(
                delivery_status=DeliveryStatus.SENT, external_id=external_id
            )
        sent += 1
    return sent
