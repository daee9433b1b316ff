"""Fetching mail from an existing mailbox over IMAP (for providers that cannot forward).

The cursor is ``UIDVALIDITY:last UID``: UIDs only grow within one UIDVALIDITY, so each poll
asks for the UIDs after the last one seen. If the server resets UIDVALIDITY the poll starts
over; mails already stored are recognised by their Message-ID, so nothing is doubled. The
mailbox is opened read-only: the desk never marks, moves or deletes the customer's mail.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from typing import Any

from rippledesk.channels.connectors.base import EventData
from rippledesk.channels.connectors.email.config import EmailConfig

MAX_PER_POLL = 200


def _connect(cfg: EmailConfig) -> imaplib.IMAP4:
    host, port = cfg.imap_host, cfg.imap_port
    security = cfg.imap_security
    client: imaplib.IMAP4
    if security == "tls":
        client = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=20)
    else:
        client = imaplib.IMAP4(host, port, timeout=20)
        if security == "starttls":
            client.starttls(ssl_context=ssl.create_default_context())
    client.login(cfg.imap_username, cfg.imap_password)
    return client


def fetch_new(cfg: EmailConfig, cursor: str, event_for: Any) -> tuple[list[EventData], str]:
    """Events for the mails after ``cursor`` (at most ``MAX_PER_POLL``), and the new cursor."""
    validity_seen, _, last_text = cursor.partition(":")
    client = _connect(cfg)
    try:
        status, _ = client.select(cfg.imap_folder, readonly=True)
        if status != "OK":
            raise ValueError(f"cannot open folder {cfg.imap_folder!r}")
        validity = (client.response("UIDVALIDITY")[1] or [b""])[0]
        validity_text = validity.decode() if isinstance(validity, bytes) else str(validity or "")
        last = int(last_text) if validity_text == validity_seen and last_text.isdigit() else 0
        status, found = client.uid("search", f"UID {last + 1}:*")
        uids = sorted(int(u) for u in (found[0] or b"").split() if int(u) > last)[:MAX_PER_POLL]
        events: list[EventData] = []
        for uid in uids:
            status, data = client.uid("fetch", str(uid), "(RFC822)")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if status == "OK" and isinstance(raw, bytes):
                try:
                    events.append(event_for(raw))
                except ValueError:
                    continue  # unreadable mail (no From): skipped, as the listener refuses it
            last = max(last, uid)
        return events, f"{validity_text}:{last}"
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
