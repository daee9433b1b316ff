"""The SMTP listener: mail for a connected support address becomes an inbound event.

Built on aiosmtpd. ``RCPT TO`` for an address no email channel account has is refused (550),
so the desk is never an open relay; accepted mail is stored as a raw InboundEvent (keyed by its
Message-ID, so a resend adds nothing) and processed by the usual job. Database work runs in a
worker thread, off the listener's event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiosmtpd.controller import Controller
from django.db import close_old_connections

from rippledesk.channels.connectors.email.adapter import event_for
from rippledesk.channels.ingest import do_store_events
from rippledesk.channels.models import ChannelAccount, ChannelKind

MAX_MESSAGE = 25 * 1024 * 1024


def accounts_for(addresses: list[str]) -> list[ChannelAccount]:
    wanted = {a.lower() for a in addresses}
    close_old_connections()
    return [
        account
        for account in ChannelAccount.objects.filter(kind=ChannelKind.EMAIL)
        if str(account.config.get("address", "")).lower() in wanted
    ]


def store(raw: bytes, recipients: list[str]) -> int:
    """Store the mail for every account it was addressed to; how many events were new."""
    try:
        event = event_for(raw)
    except ValueError:
        return -1
    new = 0
    for account in accounts_for(recipients):
        new += len(do_store_events(account, [event]))
    close_old_connections()
    return new


class Handler:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        known = await asyncio.get_running_loop().run_in_executor(None, accounts_for, [address])
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        result = await asyncio.get_running_loop().run_in_executor(
            None, store, data, list(envelope.rcpt_tos)
        )
        if result < 0:
            return "554 5.6.0 Message unreadable: From header missing or not an email"
        return "250 Message accepted for delivery"


def start_listener(host: str, port: int) -> Controller:
    controller = Controller(Handler(), hostname=host, port=port, data_size_limit=MAX_MESSAGE)
    controller.start()
    return controller
