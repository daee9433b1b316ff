"""WhatsApp Business Platform (Cloud API): messages in by webhook, out through the Graph API.

- Setup handshake: Meta calls ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…``;
  we echo the challenge when the verify token is the account's.
- Every POST is signed: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` keyed
  with the app secret. One delivery can batch several entries, changes and messages; each
  message (by its ``wamid``) and each status update is one event.
- Replies: ``POST {graph_base}/{version}/{phone_number_id}/messages`` with a bearer token.
  WhatsApp allows free-form replies only within 24 hours of the customer's last message (the
  reply window, enforced by the desk before sending); outside it the API answers error 131047.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rippledesk.channels.adapters import DeliveryError, OutboundMessage
from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.connectors.base import (
    EventData,
    ParsedEvent,
    PayloadError,
    WebhookRequest,
)
from rippledesk.channels.connectors.config import as_json, check_base_url, load_config
from rippledesk.channels.connectors.http import call, credentials_error, meta_error
from rippledesk.channels.connectors.meta_hooks import (
    hub_handshake,
    verify_hub_signature,
)
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

DEFAULT_GRAPH = "https://graph.facebook.com"
VERSION = "v21.0"
# Message types carried as text; the others become a short note with their type.
_TEXT_OF = {
    "text": lambda m: str(m.get("text", {}).get("body", "")),
    "button": lambda m: str(m.get("button", {}).get("text", "")),
    "interactive": lambda m: json.dumps(m.get("interactive", {}), ensure_ascii=False)[:500],
}


@dataclass(frozen=True)
class WhatsAppConfig:
    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str
    graph_base: str = DEFAULT_GRAPH

    def __post_init__(self) -> None:
        object.__setattr__(self, "graph_base", check_base_url("graph_base", self.graph_base))


class WhatsApp:
    name = "whatsapp-cloud"
    label = "WhatsApp (Cloud API)"
    kind = ChannelKind.WHATSAPP.value
    rules = reply_rules(ChannelKind.WHATSAPP)
    fields: tuple[tuple[str, str, bool], ...] = (
        ("phone_number_id", "Phone number ID", False),
        ("access_token", "Access token", True),
        ("app_secret", "App secret", True),
        ("verify_token", "Verify token (you choose it; type the same in Meta's console)", False),
        ("graph_base", "Graph API base URL (optional)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(WhatsAppConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        cfg = load_config(WhatsAppConfig, config)
        url = f"{cfg.graph_base}/{VERSION}/{cfg.phone_number_id}"
        try:
            call("Meta", url, headers=_auth(cfg), reason=meta_error)
        except DeliveryError as error:
            raise credentials_error("Meta", error) from None

    def handshake(
        self, query: Mapping[str, str], config: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        return hub_handshake(query, load_config(WhatsAppConfig, config).verify_token)

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        verify_hub_signature(request, load_config(WhatsAppConfig, config).app_secret)

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise PayloadError(f"body is not JSON: {error}") from None
        if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
            raise PayloadError("expected an object 'whatsapp_business_account'")
        events: list[EventData] = []
        for e, entry in enumerate(data.get("entry") or []):
            for c, change in enumerate(
                entry.get("changes") or [] if isinstance(entry, dict) else []
            ):
                value = change.get("value") if isinstance(change, dict) else None
                if not isinstance(value, dict):
                    raise PayloadError(f"entry[{e}].changes[{c}].value is missing")
                names = {
                    str(p.get("wa_id")): str(p.get("profile", {}).get("name", ""))
                    for p in value.get("contacts") or []
                    if isinstance(p, dict)
                }
                for message in value.get("messages") or []:
                    if not isinstance(message, dict) or not message.get("id"):
                        raise PayloadError(f"entry[{e}].changes[{c}]: a message without id")
                    sender = str(message.get("from", ""))
                    payload = {"message": message, "name": names.get(sender, "")}
                    events.append(EventData(str(message["id"]), payload, "message"))
                for status in value.get("statuses") or []:
                    if isinstance(status, dict) and status.get("id"):
                        key = f"status:{status['id']}:{status.get('status', '')}"
                        events.append(EventData(key, {"status": status}, "status"))
        return events

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        if event.kind != "message":
            return ParsedEvent([], ConversationKind.DM, ignored_reason=f"ignored: {event.kind}")
        message = event.payload.get("message", {})
        kind = str(message.get("type", ""))
        text_of = _TEXT_OF.get(kind)
        body = text_of(message) if text_of else f"[{kind or 'unknown'} message]"
        if kind in ("image", "document", "audio", "video", "sticker"):
            media = message.get(kind, {})
            caption = str(media.get("caption", "")) if isinstance(media, dict) else ""
            body = f"[{kind} attachment {media.get('id', '')}]" + (f" {caption}" if caption else "")
        sender = str(message.get("from", ""))
        name = str(event.payload.get("name") or sender)
        stamp = message.get("timestamp")
        sent_at = (
            datetime.fromtimestamp(int(stamp), UTC)
            if str(stamp or "").isdigit()
            else datetime.now(UTC)
        )
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=f"wa:{sender}",
            customer_id=sender,
            customer_name=name,
            inbound=True,
            author_id=sender,
            author_name=name,
            body=body,
            external_id=event.external_id,
            in_reply_to=str(message.get("context", {}).get("id", "")),
            sent_at=sent_at,
            is_public=False,
        )
        return ParsedEvent([record], ConversationKind.DM)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(WhatsAppConfig, config)
        url = f"{cfg.graph_base}/{VERSION}/{cfg.phone_number_id}/messages"
        payload = {
            "messaging_product": "whatsapp",
            "to": message.recipient_external_id,
            "type": "text",
            "text": {"body": message.body},
        }
        answer = call(
            "WhatsApp", url, method="POST", headers=_auth(cfg), json_body=payload, reason=meta_error
        )
        messages = answer.get("messages")
        if not messages or not isinstance(messages[0], dict) or not messages[0].get("id"):
            raise DeliveryError("WhatsApp accepted the message but returned no id", permanent=True)
        return str(messages[0]["id"])


def _auth(cfg: WhatsAppConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {cfg.access_token}"}
