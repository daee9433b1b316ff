"""Trustpilot service reviews: pushed by Trustpilot's webhooks, answered with the reply API.

Trustpilot POSTs ``{"events": [{"eventName": "service-review-created", "eventData": {...}}]}``
(also ``-updated`` and ``-deleted``) to a subscription URL. Its requests carry no signature;
Trustpilot sends the credentials written into the subscription URL as HTTP Basic auth, so the
account's ``webhook_username``/``webhook_password`` are required and checked on every request
(on top of the secret token in our webhook URL). Replies: ``POST
{api}/v1/private/reviews/{review}/reply`` with ``authorBusinessUserId`` and ``message``,
using a business-user OAuth token.
"""

from __future__ import annotations

import base64
import hmac
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
    SignatureError,
    WebhookRequest,
)
from rippledesk.channels.connectors.config import as_json, check_base_url, load_config
from rippledesk.channels.connectors.http import call
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

DEFAULT_API = "https://api.trustpilot.com"
TIMEOUT = 15


@dataclass(frozen=True)
class TrustpilotConfig:
    business_user_id: str
    access_token: str
    webhook_username: str
    webhook_password: str
    api_base: str = DEFAULT_API

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_base", check_base_url("api_base", self.api_base))


class Trustpilot:
    name = "trustpilot"
    label = "Trustpilot reviews"
    kind = ChannelKind.TRUSTPILOT.value
    rules = reply_rules(ChannelKind.TRUSTPILOT)
    fields: tuple[tuple[str, str, bool], ...] = (
        ("business_user_id", "Business user id that signs replies", False),
        ("access_token", "OAuth access token (business user)", True),
        ("webhook_username", "User name written into the subscription URL", False),
        ("webhook_password", "Password written into the subscription URL", True),
        ("api_base", "API base URL (optional)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(TrustpilotConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        return  # the token is tried by the first reply; Trustpilot has no cheap whoami call

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        cfg = load_config(TrustpilotConfig, config)
        given = request.headers.get("authorization", "")
        pair = f"{cfg.webhook_username}:{cfg.webhook_password}"
        expected = "Basic " + base64.b64encode(pair.encode()).decode()
        if not given:
            raise SignatureError(
                "Authorization header missing: put the credentials in the subscription URL"
            )
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("wrong webhook credentials")

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise PayloadError(f"body is not JSON: {error}") from None
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise PayloadError("expected an object with an 'events' list")
        found = []
        for i, event in enumerate(events):
            review = event.get("eventData") if isinstance(event, dict) else None
            if not isinstance(review, dict) or not review.get("id"):
                raise PayloadError(f"events[{i}].eventData.id is missing")
            name = str(event.get("eventName", ""))
            stamp = str(review.get("updatedAt") or review.get("createdAt") or "")
            found.append(EventData(f"{review['id']}:{name}:{stamp}", {"review": review}, name))
        return found

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        if event.kind not in ("service-review-created", "service-review-updated"):
            return ParsedEvent([], ConversationKind.REVIEW, ignored_reason=f"ignored: {event.kind}")
        review = event.payload["review"]
        consumer = review.get("consumer") or {}
        consumer_id = str(consumer.get("id") or f"review:{review['id']}")
        name = str(consumer.get("name") or "Trustpilot user")
        title = str(review.get("title") or "").strip()
        text = str(review.get("text") or "").strip()
        stamp = str(review.get("updatedAt") or review.get("createdAt") or "")
        sent_at = (
            datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else datetime.now(UTC)
        )
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=str(review["id"]),
            customer_id=consumer_id,
            customer_name=name,
            inbound=True,
            author_id=consumer_id,
            author_name=name,
            body=f"{title}\n\n{text}" if title else text,
            external_id=event.external_id,
            in_reply_to="",
            sent_at=sent_at,
            is_public=True,
        )
        stars = review.get("stars")
        ratings = (
            {event.external_id: int(stars)} if isinstance(stars, int) and 1 <= stars <= 5 else {}
        )
        return ParsedEvent([record], ConversationKind.REVIEW, ratings=ratings)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(TrustpilotConfig, config)
        review_id = message.in_reply_to_external_id.split(":", 1)[0]
        if not review_id:
            raise DeliveryError("a reply needs the review it answers", permanent=True)
        body = {"authorBusinessUserId": cfg.business_user_id, "message": message.body}
        call(
            "Trustpilot",
            f"{cfg.api_base}/v1/private/reviews/{review_id}/reply",
            method="POST",
            headers={"Authorization": f"Bearer {cfg.access_token}"},
            json_body=body,
            timeout=TIMEOUT,
        )
        return f"reply:{review_id}:{message.message_id}"
