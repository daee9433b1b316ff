"""Email: inbound over SMTP (our listener, ``smtpd.py``), outbound over SMTP.

Threading follows the headers mail clients write: a message joins the conversation of the
first id in ``References`` (the thread's root), else of ``In-Reply-To``, else starts one under
its own ``Message-ID``; replies we send carry our own Message-ID (their external id) and the
customer's as In-Reply-To/References, so the customer's answer threads back. HTML-only mail is
reduced to text; attachments are kept with the message.
"""

from __future__ import annotations

import base64
import hashlib
import imaplib
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from rippledesk.channels.adapters import DeliveryError, OutboundMessage
from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.connectors.base import (
    EventData,
    ParsedEvent,
    SignatureError,
    WebhookRequest,
)
from rippledesk.channels.connectors.config import as_json, load_config
from rippledesk.channels.connectors.email.config import EmailConfig
from rippledesk.channels.connectors.email.imap import fetch_new
from rippledesk.channels.connectors.email.mime import parse_email
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

TIMEOUT = 20


def event_for(raw: bytes) -> EventData:
    """The event for one received email: keyed by its Message-ID, else by its content."""
    parsed = parse_email(raw)
    key = parsed.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    return EventData(key, {"raw": base64.b64encode(raw).decode("ascii")}, "email")


class Email:
    name = "smtp"
    label = "Email"
    kind = ChannelKind.EMAIL.value
    rules = reply_rules(ChannelKind.EMAIL)
    fields: tuple[tuple[str, str, bool], ...] = (
        ("address", "Support address customers write to", False),
        ("smtp_host", "Outgoing SMTP server", False),
        ("smtp_port", "SMTP port (587 with STARTTLS, 465 with TLS)", False),
        ("smtp_security", "none, starttls or tls", False),
        ("smtp_username", "SMTP user name (optional)", False),
        ("smtp_password", "SMTP password (optional)", True),
        ("imap_host", "IMAP server to fetch from (optional, instead of forwarding)", False),
        ("imap_port", "IMAP port (993 with TLS)", False),
        ("imap_security", "tls, starttls or none", False),
        ("imap_username", "IMAP user name", False),
        ("imap_password", "IMAP password", True),
        ("imap_folder", "Folder (default INBOX)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(EmailConfig, config))

    def polls(self, config: Mapping[str, Any]) -> bool:
        return bool(config.get("imap_host"))

    def poll(self, config: Mapping[str, Any], cursor: str) -> tuple[list[EventData], str]:
        cfg = load_config(EmailConfig, config)
        try:
            return fetch_new(cfg, cursor, event_for)
        except (imaplib.IMAP4.error, OSError) as error:
            raise ValueError(f"IMAP {cfg.imap_host}: {error}") from None

    @staticmethod
    def _connect(cfg: EmailConfig) -> smtplib.SMTP:
        host, port = cfg.smtp_host, cfg.smtp_port
        if cfg.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT)
            if cfg.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
        if cfg.smtp_username:
            client.login(cfg.smtp_username, cfg.smtp_password)
        return client

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        cfg = load_config(EmailConfig, config)
        try:
            with self._connect(cfg) as client:
                client.noop()
        except (smtplib.SMTPException, OSError) as error:
            raise ValueError(f"cannot use SMTP server {cfg.smtp_host}: {error}") from None

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        raise SignatureError("email arrives over SMTP, not /hooks/")

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        return []

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        mail = parse_email(base64.b64decode(str(event.payload["raw"])))
        root = mail.references or [mail.in_reply_to] if mail.in_reply_to or mail.references else []
        key = root[0] if root and root[0] else event.external_id
        text = mail.text or "(no text)"
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=key,
            customer_id=mail.from_address,
            customer_name=mail.from_name,
            inbound=True,
            author_id=mail.from_address,
            author_name=mail.from_name,
            body=text,
            external_id=event.external_id,
            in_reply_to=mail.in_reply_to,
            sent_at=mail.sent_at,
            is_public=False,
        )
        files = {event.external_id: mail.attachments} if mail.attachments else {}
        return ParsedEvent([record], ConversationKind.EMAIL, files=files, subject=mail.subject)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        if "@" not in message.recipient_external_id:
            raise DeliveryError("the customer has no email address on this channel", permanent=True)
        cfg = load_config(EmailConfig, config)
        address = cfg.address
        mail = EmailMessage()
        mail["From"] = formataddr((message.channel_name, address))
        mail["To"] = message.recipient_external_id
        subject = message.subject or "Your message"
        mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        message_id = make_msgid(idstring=f"rd{message.message_id}", domain=address.split("@")[1])
        mail["Message-ID"] = message_id
        if message.in_reply_to_external_id:
            mail["In-Reply-To"] = message.in_reply_to_external_id
            mail["References"] = message.in_reply_to_external_id
        mail.set_content(message.body)
        try:
            with self._connect(cfg) as client:
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(
                f"the server refused the recipient: {error.recipients}", permanent=True
            ) from None
        except smtplib.SMTPResponseException as error:
            reason = (
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            raise DeliveryError(
                f"SMTP {error.smtp_code}: {reason}", permanent=error.smtp_code >= 500
            ) from None
        except (smtplib.SMTPServerDisconnected, ConnectionRefusedError, socket.gaierror) as error:
            raise DeliveryError(f"cannot reach {cfg.smtp_host}: {error}", permanent=False) from None
        except TimeoutError:
            raise DeliveryError(
                "the SMTP server did not answer in time; the email may have been sent, so it is "
                "not retried automatically",
                permanent=True,
            ) from None
        return message_id
