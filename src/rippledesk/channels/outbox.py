"""The outbox: delivers queued outbound messages through their channel, with retries.

A reply is stored first (``queued``) and handed to the ``channels.deliver`` job after its
transaction commits, so a crash between the two leaves a queued message to send rather than a
sent message the desk never recorded. Every try is a :class:`DeliveryAttempt` row.

- permanent errors (the platform refused: a 4xx, a bad recipient) mark the message ``failed``
  with the platform's reason, shown to the agent;
- transient errors (5xx, 429, connection refused) are retried with exponential backoff, up to
  ``MAX_ATTEMPTS`` tries;
- a job first moves the message from ``queued`` to ``sending`` in one conditional UPDATE; only
  the job that wins sends it, so duplicate or concurrent jobs never post it twice. A message
  left ``sending`` by a crashed worker is not re-sent blindly (the platform may have it); an
  attempt whose outcome is unknown (a timeout after sending) is reported as permanent for the
  same reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from rippledesk.channels.adapters import DeliveryError, LoopbackAdapter, OutboundMessage, Sender
from rippledesk.channels.connectors import connector_for
from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import DeliveryAttempt, DeliveryStatus, Message
from rippledesk.jobs.api import enqueue, job

MAX_ATTEMPTS = 6
_loopback = LoopbackAdapter()


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, 40 s, 80 s after the 1st … 5th failed try."""
    return timedelta(seconds=5 * 2 ** (attempts - 1))


def deliver_on_commit(message_id: int) -> None:
    enqueue("channels.deliver", {"message_id": message_id})


@job("channels.deliver")
def _deliver_job(payload: dict[str, Any]) -> None:
    deliver(int(payload["message_id"]))


def sender_for(account: ChannelAccount) -> Sender:
    """The account's connector once it is configured; the loopback adapter before that."""
    connector = connector_for(account.kind)
    return connector if connector is not None and account.config else _loopback


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


def deliver(message_id: int) -> str:
    """Try to send one queued message once; returns its delivery status afterwards."""
    message = (
        Message.objects.select_related("channel_account", "conversation__customer")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "missing"
    claimed = Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.QUEUED).update(
        delivery_status=DeliveryStatus.SENDING
    )
    if not claimed:
        return Message.objects.filter(pk=message.pk).values_list("delivery_status", flat=True)[0]
    sender = sender_for(message.channel_account)
    tries = DeliveryAttempt.objects.filter(message=message).count() + 1
    now = timezone.now()
    try:
        try:
            external_id = sender.send(_outbound(message), message.channel_account.config)
        except DeliveryError:
            raise
        except Exception as bug:  # never leave a message stuck in "sending"
            raise DeliveryError(f"internal error while sending: {bug!r}", permanent=True) from bug
    except DeliveryError as error:
        give_up = error.permanent or tries >= MAX_ATTEMPTS
        reason = (
            str(error)
            if error.permanent or not give_up
            else f"gave up after {tries} tries: {error}"
        )
        status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
        with transaction.atomic():
            DeliveryAttempt.objects.create(
                message=message,
                adapter=sender.name,
                succeeded=False,
                error=reason,
                attempted_at=now,
            )
            Message.objects.filter(pk=message.pk).update(delivery_status=status)
            if not give_up:
                enqueue("channels.deliver", {"message_id": message.pk}, delay=retry_delay(tries))
        return status
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message, adapter=sender.name, succeeded=True, attempted_at=now
        )
        Message.objects.filter(pk=message.pk).update(
            delivery_status=DeliveryStatus.SENT, external_id=external_id
        )
    return DeliveryStatus.SENT
