"""The sending side of a channel connector, and the registry that picks one per channel.

A connector translates; it never writes to the database. ``send`` gets a plain
:class:`OutboundMessage` and returns the platform's id for it, or raises :class:`DeliveryError`
(``permanent`` says whether retrying can help). Until the connectors of the channels issue are
registered, every channel kind falls back to :class:`LoopbackAdapter`, which accepts each
message as sent: the demo and the tests use it, and a desk without real credentials can still be
worked end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class SendingAdapter(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> str: ...


class LoopbackAdapter:
    """Marks a message sent without contacting anyone; its external id says so."""

    name = "loopback"

    def send(self, message: OutboundMessage) -> str:
        return f"loopback-{message.message_id}"


_registry: dict[str, SendingAdapter] = {}
_fallback: SendingAdapter = LoopbackAdapter()


def register_adapter(channel_kind: str, adapter: SendingAdapter) -> None:
    _registry[channel_kind] = adapter


def unregister_adapter(channel_kind: str) -> None:
    _registry.pop(channel_kind, None)


def adapter_for(channel_kind: str) -> SendingAdapter:
    return _registry.get(channel_kind, _fallback)
