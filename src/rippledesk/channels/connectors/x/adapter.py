"""X (Twitter) through the Account Activity API: mentions, replies and DMs in; replies out.

- CRC: X calls ``GET ?crc_token=…`` when the webhook is registered and regularly after; we
  answer ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}``.
- Every POST carries ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the raw
  body>``, keyed with the same consumer secret.
- One delivery holds ``tweet_create_events`` and/or ``direct_message_events`` for the
  subscribed account (``for_user_id``). Posts and DMs written by that account itself are the
  brand's own (outbound); everyone else's are customers'. Followers counts become the
  identity's audience, which weighs into ripple risk.
- Replies: public ones with ``POST /2/tweets`` (``reply.in_reply_to_tweet_id``), private ones
  with ``POST /2/dm_conversations/with/{participant}/messages``, both with the account's OAuth 2
  user access token.
"""

from __future__ import annotations

import base64
import hashlib
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
from rippledesk.channels.connectors.http import call, credentials_error
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

DEFAULT_API = "https://api.x.com"
TWEET_TIME = "%a %b %d %H:%M:%S %z %Y"


def hmac_b64(secret: str, data: bytes) -> str:
    return (
        "sha256="
        + base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()
    )


@dataclass(frozen=True)
class XConfig:
    user_id: str
    consumer_secret: str
    access_token: str
    api_base: str = DEFAULT_API

    def __post_init__(self) -> None:
        if not self.user_id.isdigit():
            raise ValueError("user_id is the account's numeric id, not its handle")
        object.__setattr__(self, "api_base", check_base_url("api_base", self.api_base))


class XAccount:
    name = "x-account-activity"
    label = "X (Twitter) account"
    kind = ChannelKind.X.value
    rules = reply_rules(ChannelKind.X)
    fields: tuple[tuple[str, str, bool], ...] = (
        ("user_id", "The account's numeric user id", False),
        ("consumer_secret", "App consumer secret (API key secret)", True),
        ("access_token", "OAuth 2 user access token (tweet.write, dm.write)", True),
        ("api_base", "API base URL (optional)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(XConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        try:
            _call(load_config(XConfig, config), "GET", "/2/users/me", None)
        except DeliveryError as error:
            raise credentials_error("X", error) from None

    def handshake(
        self, query: Mapping[str, str], config: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        cfg = load_config(XConfig, config)
        token = query.get("crc_token", "")
        if not token:
            return None
        answer = {"response_token": hmac_b64(str(cfg.consumer_secret), token.encode())}
        return "application/json", json.dumps(answer)

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        cfg = load_config(XConfig, config)
        given = request.headers.get("x-twitter-webhooks-signature", "")
        if not given:
            raise SignatureError("x-twitter-webhooks-signature header missing")
        expected = hmac_b64(str(cfg.consumer_secret), request.body)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("x-twitter-webhooks-signature does not match this body")

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise PayloadError(f"body is not JSON: {error}") from None
        if not isinstance(data, dict) or not data.get("for_user_id"):
            raise PayloadError("for_user_id missing: not an Account Activity delivery")
        owner = str(data["for_user_id"])
        raw_users = data.get("users")
        users: dict[str, Any] = raw_users if isinstance(raw_users, dict) else {}
        events: list[EventData] = []
        for i, tweet in enumerate(data.get("tweet_create_events") or []):
            if not isinstance(tweet, dict) or not tweet.get("id_str"):
                raise PayloadError(f"tweet_create_events[{i}] has no id_str")
            events.append(
                EventData(f"tweet:{tweet['id_str']}", {"owner": owner, "tweet": tweet}, "tweet")
            )
        for i, dm in enumerate(data.get("direct_message_events") or []):
            if not isinstance(dm, dict) or not dm.get("id"):
                raise PayloadError(f"direct_message_events[{i}] has no id")
            sender = str(dm.get("message_create", {}).get("sender_id", ""))
            payload = {"owner": owner, "dm": dm, "sender": users.get(sender, {})}
            events.append(EventData(f"dm:{dm['id']}", payload, "dm"))
        known = ("for_user_id", "users", "tweet_create_events", "direct_message_events")
        for key, items in data.items():
            if key not in known and isinstance(items, list) and items:
                # Likes, follows, typing indicators...: stored and counted, not turned into
                # messages. The id is the content's hash, so a redelivery is still a duplicate.
                digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()
                events.append(EventData(f"{key}:{digest[:40]}", {"owner": owner}, key))
        return events

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        owner = str(event.payload.get("owner", ""))
        if event.kind == "tweet":
            return self._tweet(event, owner, channel_name)
        if event.kind == "dm":
            return self._dm(event, owner, channel_name)
        return ParsedEvent(
            [], ConversationKind.PUBLIC_THREAD, ignored_reason=f"ignored: {event.kind}"
        )

    @staticmethod
    def _tweet(event: EventData, owner: str, channel_name: str) -> ParsedEvent:
        tweet = event.payload["tweet"]
        user = tweet.get("user") or {}
        author = str(user.get("id_str", ""))
        extended = tweet.get("extended_tweet") or {}
        text = str(extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or "")
        parent = str(tweet.get("in_reply_to_status_id_str") or "")
        inbound = author != owner
        customer = author if inbound else str(tweet.get("in_reply_to_user_id_str") or "")
        customer_name = (
            str(user.get("screen_name", ""))
            if inbound
            else str(tweet.get("in_reply_to_screen_name") or customer)
        )
        try:
            sent_at = datetime.strptime(str(tweet.get("created_at", "")), TWEET_TIME)
        except ValueError:
            sent_at = datetime.now(UTC)
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=parent or str(tweet["id_str"]),
            customer_id=customer,
            customer_name=customer_name,
            inbound=inbound,
            author_id=author,
            author_name=str(user.get("screen_name", "")),
            body=text,
            external_id=str(tweet["id_str"]),
            in_reply_to=parent,
            sent_at=sent_at,
            is_public=True,
        )
        audience = (
            {author: int(user["followers_count"])}
            if inbound and str(user.get("followers_count", "")).isdigit()
            else {}
        )
        return ParsedEvent([record], ConversationKind.PUBLIC_THREAD, audiences=audience)

    @staticmethod
    def _dm(event: EventData, owner: str, channel_name: str) -> ParsedEvent:
        dm = event.payload["dm"]
        create = dm.get("message_create") or {}
        sender = str(create.get("sender_id", ""))
        recipient = str((create.get("target") or {}).get("recipient_id", ""))
        inbound = sender != owner
        customer = sender if inbound else recipient
        profile = event.payload.get("sender") or {}
        name = str(profile.get("screen_name") or customer) if inbound else customer
        stamp = str(dm.get("created_timestamp", ""))
        sent_at = (
            datetime.fromtimestamp(int(stamp) / 1000, UTC) if stamp.isdigit() else datetime.now(UTC)
        )
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=f"dm:{customer}",
            customer_id=customer,
            customer_name=name,
            inbound=inbound,
            author_id=sender,
            author_name=name if inbound else "",
            body=str((create.get("message_data") or {}).get("text", "")),
            external_id=str(dm["id"]),
            in_reply_to="",
            sent_at=sent_at,
            is_public=False,
        )
        followers = str(profile.get("followers_count", ""))
        audience = {sender: int(followers)} if inbound and followers.isdigit() else {}
        return ParsedEvent([record], ConversationKind.DM, audiences=audience)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(XConfig, config)
        if message.public:
            body: dict[str, Any] = {"text": message.body}
            if message.in_reply_to_external_id:
                body["reply"] = {"in_reply_to_tweet_id": message.in_reply_to_external_id}
            data = _call(cfg, "POST", "/2/tweets", body)
            sent = (data.get("data") or {}).get("id")
        else:
            if not message.recipient_external_id:
                raise DeliveryError("the customer has no X user id on this channel", permanent=True)
            path = f"/2/dm_conversations/with/{message.recipient_external_id}/messages"
            data = _call(cfg, "POST", path, {"text": message.body})
            sent = (data.get("data") or {}).get("dm_event_id")
        if not sent:
            raise DeliveryError("X accepted the message but returned no id", permanent=True)
        return str(sent)


def _call(cfg: XConfig, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    return call(
        "X",
        f"{cfg.api_base}{path}",
        method=method,
        headers={"Authorization": f"Bearer {cfg.access_token}"},
        json_body=body,
        reason=_reason,
    )


def _reason(body: Any) -> str | None:
    """X's error bodies: ``{"detail": …}`` or ``{"errors": [{"message": …}]}``."""
    if not isinstance(body, dict):
        return None
    if body.get("detail"):
        return str(body["detail"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0].get("detail") or errors[0])
    return None
