"""Web chat: a widget on the business's own site, talking to the desk both ways.

There is no third-party platform: the widget's requests are the webhooks. A visitor gets a
signed, anonymous id on first contact (kept in the browser), may give a name and email, and
sends messages that are stored as InboundEvents like any platform's, so they are deduplicated
(each carries the widget's own message id) and processed by the same job. Agent replies are
"sent" by marking them ready; the widget fetches them on its next poll.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rippledesk.channels.adapters import OutboundMessage
from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.connectors.base import (
    EventData,
    ParsedEvent,
    SignatureError,
    WebhookRequest,
)
from rippledesk.channels.connectors.config import as_json, load_config
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

MAX_BODY = 5_000


@dataclass(frozen=True)
class WebChatConfig:
    allowed_origins: str = ""  # comma separated
    greeting: str = "Hi! How can we help?"

    def __post_init__(self) -> None:
        for origin in self.origins:
            if not origin.startswith(("https://", "http://")):
                raise ValueError(f"allowed_origins: {origin!r} is not an http(s) origin")
        object.__setattr__(self, "greeting", self.greeting[:300])

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


class WebChat:
    name = "webchat"
    label = "Web chat widget"
    kind = ChannelKind.WEBCHAT.value
    rules = reply_rules(ChannelKind.WEBCHAT)
    fields: tuple[tuple[str, str, bool], ...] = (
        (
            "allowed_origins",
            "Sites that may embed it, comma separated (https://shop.example)",
            False,
        ),
        ("greeting", "Greeting shown to visitors (optional)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(WebChatConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        return  # nothing to ask: the widget is served by this desk

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        raise SignatureError("web chat messages arrive through the widget, not /hooks/")

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        return []

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        visitor = str(event.payload["visitor"])
        name = str(event.payload.get("name") or f"Visitor {visitor[-6:]}")
        received = event.payload.get("_received_at")
        sent_at = datetime.fromisoformat(str(received)) if received else datetime.now(UTC)
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=f"chat:{visitor}",
            customer_id=visitor,
            customer_name=name,
            inbound=True,
            author_id=visitor,
            author_name=name,
            body=str(event.payload.get("body", ""))[:MAX_BODY],
            external_id=event.external_id,
            in_reply_to="",
            sent_at=sent_at,
            is_public=False,
        )
        email = str(event.payload.get("email") or "")
        return ParsedEvent(
            [record], ConversationKind.CHAT, emails={visitor: email} if email else {}
        )

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        return f"webchat-{message.message_id}"  # the widget collects it on its next poll
