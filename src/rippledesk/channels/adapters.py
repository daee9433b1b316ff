"""The sending side: what the outbox hands a connector, and the loopback stand-in.

``send`` gets a plain :class:`OutboundMessage` plus the channel account's config and returns
the platform's id for the message, or raises :class:`DeliveryError` (``permanent`` says whether
retrying can help). Accounts without a configured connector (imports, the demo) send through
:class:`LoopbackAdapter`, which accepts every message as sent, so a desk can be worked end to end
before any platform is connected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    channel_kind: str
    channel_name: str
    body: str
    public: bool
    in_reply_to_external_id: str
    recipient_external_id: str


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    name: str

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str: ...


class LoopbackAdapter:
    """Marks a message sent without contacting anyone; its external id says so."""

    name = "loopback"

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        return f"loopback-{message.message_id}"
