"""Polling connectors (review sites): fetch what is new and store it with the cursor.

``poll_account`` asks the connector for events after the account's cursor, then stores the
events and the new cursor in one transaction: a crash loses nothing (the next poll starts from
the old cursor) and doubles nothing (events are unique per platform id). A ``channels.poll``
job runs every minute and polls the accounts that are due (``every_minutes`` in their config,
10 by default).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from rippledesk.channels.adapters import DeliveryError
from rippledesk.channels.connectors import connector_for
from rippledesk.channels.ingest import do_store_events
from rippledesk.channels.models import ChannelAccount
from rippledesk.jobs.api import enqueue, ensure_waiting, job

TICK = timedelta(minutes=1)


def poll_account(account: ChannelAccount) -> int:
    """Poll once now; how many new events were stored. Failures are kept on the account."""
    connector = connector_for(account.kind)
    poll = getattr(connector, "poll", None)
    if not callable(poll):
        return 0
    now = timezone.now()
    try:
        events, cursor = poll(account.config, account.poll_cursor)
    except (DeliveryError, OSError, ValueError, KeyError) as error:
        ChannelAccount.objects.filter(pk=account.pk).update(
            polled_at=now, poll_error=str(error)[:2000]
        )
        return 0
    with transaction.atomic():
        stored = do_store_events(account, events)
        ChannelAccount.objects.filter(pk=account.pk).update(
            poll_cursor=cursor, polled_at=now, poll_error=""
        )
    account.poll_cursor, account.polled_at, account.poll_error = cursor, now, ""
    return len(stored)


def due_accounts() -> list[ChannelAccount]:
    now = timezone.now()
    due = []
    for account in ChannelAccount.objects.exclude(config={}):
        connector = connector_for(account.kind)
        if not callable(getattr(connector, "poll", None)):
            continue
        polls = getattr(connector, "polls", None)
        if callable(polls) and not polls(account.config):
            continue  # e.g. an email account that receives by forwarding, not IMAP
        every = timedelta(minutes=int(account.config.get("every_minutes", 10)))
        if account.polled_at is None or now - account.polled_at >= every:
            due.append(account)
    return due


@job("channels.poll")
def _tick(payload: dict[str, Any]) -> None:
    for account in due_accounts():
        poll_account(account)
    enqueue("channels.poll", {}, delay=TICK)


def ensure_polling() -> None:
    """Start the polling chain unless a tick is already waiting."""
    ensure_waiting("channels.poll", delay=timedelta(seconds=5))
