"""What a connector is: a translator between one platform and rippledesk, never a writer.

A connector verifies and parses webhooks into :class:`EventData` (kept raw as InboundEvents),
turns one stored event into :class:`~rippledesk.conversations.records.MessageRecord` s, and
sends replies. It raises :class:`SignatureError` for a request it cannot trust,
:class:`PayloadError` for one it cannot read (saying what and where), and
:class:`~rippledesk.channels.adapters.DeliveryError` when a send fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rippledesk.channels.adapters import OutboundMessage
from rippledesk.channels.capabilities import ReplyRules
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord


class SignatureError(Exception):
    """The request is not provably from the platform (missing, forged or stale signature)."""


class PayloadError(Exception):
    """The request body cannot be read; the message names what is wrong and where."""


@dataclass(frozen=True)
class WebhookRequest:
    url: str  # the full URL the platform called, as it signed it
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    form: Mapping[str, list[str]]  # parsed form fields, when the body is form-encoded


@dataclass(frozen=True)
class EventData:
    """One platform event as received: its id (unique per channel account) and raw payload."""

    external_id: str
    payload: dict[str, Any]
    kind: str = "message"


@dataclass(frozen=True)
class IncomingFile:
    """A file that came with a message (an email attachment, say), kept with it."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedEvent:
    """What one event means for the desk: messages to store (none for ignored event types)."""

    records: list[MessageRecord]
    conversation_kind: ConversationKind
    ignored_reason: str = ""
    # Followers per author external id, when the platform says (feeds ripple risk).
    audiences: dict[str, int] = field(default_factory=dict)
    # Files per message external id; a subject for the conversation, where channels have one.
    files: dict[str, list[IncomingFile]] = field(default_factory=dict)
    subject: str = ""
    # Star ratings per message external id (reviews).
    ratings: dict[str, int] = field(default_factory=dict)
    # Email addresses customers gave, per customer external id (web chat).
    emails: dict[str, str] = field(default_factory=dict)


class Connector(Protocol):
    name: str
    label: str
    kind: str
    fields: tuple[tuple[str, str, bool], ...]  # config (key, label, secret) for the UI
    rules: ReplyRules

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The config cleaned, or ``ValueError`` naming the bad or missing key."""
        ...

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        """Ask the platform whether the credentials work; ``ValueError`` saying why not."""
        ...

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None: ...

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]: ...

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent: ...

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str: ...
