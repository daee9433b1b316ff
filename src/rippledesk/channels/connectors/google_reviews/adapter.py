"""Google Business Profile reviews: polled, with star ratings, answered with the reply API.

``GET {api}/v4/accounts/{account}/locations/{location}/reviews?orderBy=updateTime desc`` lists
reviews newest first (``reviewId``, ``reviewer.displayName``, ``starRating`` ONE..FIVE,
``comment``, ``createTime``, ``updateTime``, ``reviewReply``); we page until we reach the
``updateTime`` of the last poll (the cursor). A review edited later comes back with a new
``updateTime`` and is stored as a new message in the same conversation. Replies:
``PUT …/reviews/{id}/reply`` with ``{"comment": …}``; Google keeps one reply per review, so a
second reply replaces the first (shown to the agent in the composer's limits note).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rippledesk.channels.adapters import DeliveryError, OutboundMessage
from rippledesk.channels.capabilities import reply_rules
from rippledesk.channels.connectors.base import (
    EventData,
    ParsedEvent,
    SignatureError,
    WebhookRequest,
)
from rippledesk.channels.connectors.config import as_json, check_base_url, load_config
from rippledesk.channels.connectors.http import call, credentials_error
from rippledesk.channels.models import ChannelKind
from rippledesk.conversations.models import ConversationKind
from rippledesk.conversations.records import MessageRecord

DEFAULT_API = "https://mybusiness.googleapis.com"
TIMEOUT = 15
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
MAX_PAGES = 20


@dataclass(frozen=True)
class GoogleConfig:
    location: str
    access_token: str
    api_base: str = DEFAULT_API
    every_minutes: int = 10

    def __post_init__(self) -> None:
        location = self.location.strip("/")
        parts = location.split("/")
        if len(parts) != 4 or parts[0] != "accounts" or parts[2] != "locations":
            raise ValueError("location must look like accounts/123/locations/456")
        object.__setattr__(self, "location", location)
        object.__setattr__(self, "api_base", check_base_url("api_base", self.api_base))


class GoogleReviews:
    name = "google-business-profile"
    label = "Google reviews"
    kind = ChannelKind.REVIEWS.value
    rules = reply_rules(ChannelKind.REVIEWS)
    fields: tuple[tuple[str, str, bool], ...] = (
        ("location", "Location name: accounts/{account}/locations/{location}", False),
        ("access_token", "OAuth access token (business.manage)", True),
        ("api_base", "API base URL (optional)", False),
    )

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(GoogleConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        cfg = load_config(GoogleConfig, config)
        try:
            _call(cfg, "GET", f"/v4/{cfg.location}/reviews?pageSize=1", None)
        except DeliveryError as error:
            raise credentials_error("Google", error) from None

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        raise SignatureError("Google reviews are polled, not pushed")

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        return []

    def poll(self, config: Mapping[str, Any], cursor: str) -> tuple[list[EventData], str]:
        """Reviews updated after ``cursor`` (an RFC 3339 time), and the new cursor."""
        cfg = load_config(GoogleConfig, config)
        events: list[EventData] = []
        newest = cursor
        token = ""
        for _ in range(MAX_PAGES):
            query = {"orderBy": "updateTime desc", "pageSize": "50"}
            if token:
                query["pageToken"] = token
            page = _call(
                cfg,
                "GET",
                f"/v4/{cfg.location}/reviews?{urllib.parse.urlencode(query)}",
                None,
            )
            reached = False
            for review in page.get("reviews") or []:
                updated = str(review.get("updateTime", ""))
                if cursor and updated <= cursor:
                    reached = True
                    break
                newest = max(newest, updated)
                events.append(
                    EventData(f"{review['reviewId']}@{updated}", {"review": review}, "review")
                )
            token = str(page.get("nextPageToken") or "")
            if reached or not token:
                break
        return events, newest

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        review = event.payload["review"]
        reviewer = review.get("reviewer") or {}
        name = (
            "Anonymous"
            if reviewer.get("isAnonymous")
            else str(reviewer.get("displayName") or "Google user")
        )
        review_id = str(review["reviewId"])
        stars = STARS.get(str(review.get("starRating", "")))
        text = (
            str(review.get("comment") or "").strip() or f"({stars or '?'}-star rating without text)"
        )
        when = str(review.get("updateTime") or review.get("createTime") or "")
        sent_at = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else datetime.now(UTC)
        customer = f"review:{review_id}"  # Google gives no stable reviewer id
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=review_id,
            customer_id=customer,
            customer_name=name,
            inbound=True,
            author_id=customer,
            author_name=name,
            body=text,
            external_id=event.external_id,
            in_reply_to="",
            sent_at=sent_at,
            is_public=True,
        )
        ratings = {event.external_id: stars} if stars else {}
        return ParsedEvent([record], ConversationKind.REVIEW, ratings=ratings)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(GoogleConfig, config)
        review_id = message.in_reply_to_external_id.split("@", 1)[0]
        if not review_id:
            raise DeliveryError("a review reply needs the review it answers", permanent=True)
        path = f"/v4/{cfg.location}/reviews/{review_id}/reply"
        _call(cfg, "PUT", path, {"comment": message.body})
        return f"reply:{review_id}:{message.message_id}"


def _call(cfg: GoogleConfig, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    # Setting a review's reply is idempotent, so a timeout is safe to retry.
    return call(
        "Google",
        f"{cfg.api_base}{path}",
        method=method,
        headers={"Authorization": f"Bearer {cfg.access_token}"},
        json_body=body,
        reason=_reason,
        timeout=TIMEOUT,
        timeout_is_safe=True,
    )


def _reason(body: Any) -> str | None:
    """Google's error body: ``{"error": {"code": …, "message": …}}`` (the message alone)."""
    detail = body.get("error") if isinstance(body, dict) else None
    return str(detail["message"]) if isinstance(detail, dict) and detail.get("message") else None
