"""Facebook Pages and Instagram professional accounts: comments and direct messages.

Both arrive through Meta's Graph webhooks (the same ``hub.challenge`` setup and
``X-Hub-Signature-256`` signature as WhatsApp):

- ``entry[].messaging[]``: Messenger / Instagram DMs (``message.mid``; ``is_echo`` marks the
  business's own messages sent elsewhere, stored as outbound);
- ``entry[].changes[]``: Page ``feed`` changes (``item: comment``, ``verb: add``) and Instagram
  ``comments``. A comment answering another joins its conversation (``parent_id``).

Replies: public ones answer the comment (``/{comment}/comments`` on Facebook,
``/{comment}/replies`` on Instagram); private ones go to ``/{account}/messages``.
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
from rippledesk.channels.connectors.meta_hooks import hub_handshake, verify_hub_signature
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

DEFAULT_GRAPH = "https://graph.facebook.com"
VERSION = "v21.0"


@dataclass(frozen=True)
class MetaConfig:
    account_id: str
    access_token: str
    app_secret: str
    verify_token: str
    graph_base: str = DEFAULT_GRAPH

    def __post_init__(self) -> None:
        object.__setattr__(self, "graph_base", check_base_url("graph_base", self.graph_base))


class MetaAccount:
    """One Facebook Page (``kind="facebook"``) or Instagram account (``kind="instagram"``)."""

    name = "meta-graph"
    fields: tuple[tuple[str, str, bool], ...] = (
        ("account_id", "Page ID (Facebook) or Instagram professional account ID", False),
        ("access_token", "Page access token", True),
        ("app_secret", "App secret", True),
        ("verify_token", "Verify token (you choose it; type the same in Meta's console)", False),
        ("graph_base", "Graph API base URL (optional)", False),
    )

    def __init__(self, kind: ChannelKind) -> None:
        self.kind = kind.value
        self.label = "Facebook Page" if kind == ChannelKind.FACEBOOK else "Instagram account"
        self.rules = reply_rules(kind)
        self.object = "page" if kind == ChannelKind.FACEBOOK else "instagram"

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(MetaConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        cfg = load_config(MetaConfig, config)
        try:
            _graph(cfg, "GET", f"/{cfg.account_id}", None)
        except DeliveryError as error:
            raise credentials_error("Meta", error) from None

    def handshake(
        self, query: Mapping[str, str], config: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        return hub_handshake(query, load_config(MetaConfig, config).verify_token)

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        verify_hub_signature(request, load_config(MetaConfig, config).app_secret)

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise PayloadError(f"body is not JSON: {error}") from None
        if not isinstance(data, dict) or data.get("object") != self.object:
            raise PayloadError(f"expected an object {self.object!r}")
        events: list[EventData] = []
        for e, entry in enumerate(data.get("entry") or []):
            if not isinstance(entry, dict):
                raise PayloadError(f"entry[{e}] is not an object")
            owner = str(entry.get("id", ""))
            for item in entry.get("messaging") or []:
                mid = (item.get("message") or {}).get("mid") if isinstance(item, dict) else None
                kind = "dm" if mid else "messaging_other"
                key = f"dm:{mid}" if mid else f"other:{owner}:{item.get('timestamp', '')}"
                events.append(EventData(key, {"owner": owner, "item": item}, kind))
            for change in entry.get("changes") or []:
                value = change.get("value") if isinstance(change, dict) else None
                if not isinstance(value, dict):
                    raise PayloadError(f"entry[{e}].changes has an item without value")
                comment_id = value.get("comment_id") or value.get("id")
                is_comment = change.get("field") == "comments" or (
                    change.get("field") == "feed"
                    and value.get("item") == "comment"
                    and value.get("verb") == "add"
                )
                if is_comment and comment_id:
                    events.append(
                        EventData(
                            f"comment:{comment_id}", {"owner": owner, "value": value}, "comment"
                        )
                    )
                else:
                    field = change.get("field")
                    when = value.get("created_time", "")
                    key = f"{field}:{owner}:{value.get('post_id', '')}:{when}"
                    events.append(EventData(key, {"owner": owner}, str(change.get("field"))))
        return events

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        owner = str(event.payload.get("owner", ""))
        if event.kind == "dm":
            return self._dm(event, owner, channel_name)
        if event.kind == "comment":
            return self._comment(event, owner, channel_name)
        return ParsedEvent(
            [], ConversationKind.PUBLIC_THREAD, ignored_reason=f"ignored: {event.kind}"
        )

    @staticmethod
    def _dm(event: EventData, owner: str, channel_name: str) -> ParsedEvent:
        item = event.payload["item"]
        message = item.get("message") or {}
        echo = bool(message.get("is_echo"))
        sender = str((item.get("sender") or {}).get("id", ""))
        customer = str((item.get("recipient") or {}).get("id", "")) if echo else sender
        stamp = str(item.get("timestamp", ""))
        text = (
            str(message.get("text", ""))
            or "["
            + ", ".join(a.get("type", "file") for a in message.get("attachments") or [])
            + " attachment]"
        )
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=f"dm:{customer}",
            customer_id=customer,
            customer_name=customer,
            inbound=not echo,
            author_id=sender,
            author_name="" if echo else customer,
            body=text,
            external_id=event.external_id.removeprefix("dm:"),
            in_reply_to="",
            sent_at=datetime.fromtimestamp(int(stamp) / 1000, UTC)
            if stamp.isdigit()
            else datetime.now(UTC),
            is_public=False,
        )
        return ParsedEvent([record], ConversationKind.DM)

    @staticmethod
    def _comment(event: EventData, owner: str, channel_name: str) -> ParsedEvent:
        value = event.payload["value"]
        author = value.get("from") or {}
        author_id = str(author.get("id", ""))
        name = str(author.get("username") or author.get("name") or author_id)
        comment_id = str(value.get("comment_id") or value.get("id"))
        parent = str(value.get("parent_id") or "")
        post = str(value.get("post_id") or (value.get("media") or {}).get("id") or "")
        if parent == post:
            parent = ""  # a top-level Facebook comment names the post as its parent
        created = value.get("created_time")
        sent_at = (
            datetime.fromtimestamp(int(created), UTC)
            if str(created or "").isdigit()
            else datetime.now(UTC)
        )
        inbound = author_id != owner
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=parent or comment_id,
            customer_id=author_id if inbound else "",
            customer_name=name,
            inbound=inbound,
            author_id=author_id,
            author_name=name,
            body=str(value.get("message") or value.get("text") or ""),
            external_id=comment_id,
            in_reply_to=parent,
            sent_at=sent_at,
            is_public=True,
        )
        return ParsedEvent([record], ConversationKind.PUBLIC_THREAD)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(MetaConfig, config)
        if message.public:
            if not message.in_reply_to_external_id:
                raise DeliveryError("a public reply needs the comment it answers", permanent=True)
            edge = "comments" if self.kind == ChannelKind.FACEBOOK else "replies"
            answer = _graph(
                cfg,
                "POST",
                f"/{message.in_reply_to_external_id}/{edge}",
                {"message": message.body},
            )
            sent = answer.get("id")
        else:
            body = {
                "recipient": {"id": message.recipient_external_id},
                "message": {"text": message.body},
                "messaging_type": "RESPONSE",
            }
            answer = _graph(cfg, "POST", f"/{cfg.account_id}/messages", body)
            sent = answer.get("message_id")
        if not sent:
            raise DeliveryError("Meta accepted the message but returned no id", permanent=True)
        return str(sent)


def _graph(cfg: MetaConfig, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    return call(
        "Meta",
        f"{cfg.graph_base}/{VERSION}{path}",
        method=method,
        headers={"Authorization": f"Bearer {cfg.access_token}"},
        json_body=body,
        reason=meta_error,
    )
