"""Twilio Programmable Messaging: SMS in by webhook, out through the REST API.

Inbound: Twilio POSTs form fields (``MessageSid``, ``From``, ``To``, ``Body``, ``NumMedia``,
``MediaUrl0``…) and signs them in ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the
account's auth token, over the full webhook URL followed by every field name and value sorted
by name. Twilio's signature has no timestamp, so a replayed request is harmless for another
reason: its ``MessageSid`` is already stored and the event is ignored.

Outbound: ``POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json`` with ``To``, ``From``,
``Body`` and HTTP basic auth; 201 with the new message's ``sid``. A 4xx is permanent (Twilio's
``message`` says why, e.g. an unreachable number); 5xx, 429 and a refused connection are
transient and retried. A request that timed out may have been sent, so it is not retried
(see ``channels/outbox.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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

DEFAULT_API = "https://api.twilio.com"
REQUIRED = ("MessageSid", "From", "To")


def signature(auth_token: str, url: str, form: Mapping[str, list[str]]) -> str:
    data = url + "".join(name + value for name in sorted(form) for value in form[name])
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str
    api_base: str = DEFAULT_API
    webhook_url: str = ""

    def __post_init__(self) -> None:
        if not self.account_sid.startswith("AC"):
            raise ValueError("account_sid starts with AC")
        object.__setattr__(self, "api_base", check_base_url("api_base", self.api_base))


class TwilioSms:
    name = "twilio"
    label = "SMS (Twilio)"
    kind = ChannelKind.SMS.value
    # (key, label, secret) for the connect form
    fields: tuple[tuple[str, str, bool], ...] = (
        ("account_sid", "Account SID", False),
        ("auth_token", "Auth token", True),
        ("from_number", "Twilio phone number", False),
        ("api_base", "API base URL (optional)", False),
        ("webhook_url", "Webhook URL as Twilio calls it (optional, behind proxies)", False),
    )
    rules = reply_rules(ChannelKind.SMS)

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return as_json(load_config(TwilioConfig, config))

    def check_credentials(self, config: Mapping[str, Any]) -> None:
        """Fetch the account with these credentials; ``ValueError`` saying why if refused."""
        cfg = load_config(TwilioConfig, config)
        url = f"{cfg.api_base}/2010-04-01/Accounts/{cfg.account_sid}.json"
        try:
            call("Twilio", url, headers=_auth(cfg), reason=_reason)
        except DeliveryError as error:
            raise credentials_error("Twilio", error) from None

    def verify_webhook(self, request: WebhookRequest, config: Mapping[str, Any]) -> None:
        cfg = load_config(TwilioConfig, config)
        given = request.headers.get("x-twilio-signature", "")
        if not given:
            raise SignatureError("X-Twilio-Signature header missing")
        url = str(cfg.webhook_url or request.url)
        expected = signature(str(cfg.auth_token), url, request.form)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("X-Twilio-Signature does not match this request")

    def ack(self) -> tuple[str, str]:
        """An empty TwiML answer: received, nothing to say back automatically."""
        return "text/xml", '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

    def parse_webhook(self, request: WebhookRequest) -> list[EventData]:
        if not request.form:
            raise PayloadError("expected a form body (application/x-www-form-urlencoded)")
        missing = [name for name in REQUIRED if not request.form.get(name)]
        if missing:
            raise PayloadError(f"form field(s) {', '.join(missing)} missing")
        fields = {name: values[-1] for name, values in request.form.items()}
        return [EventData(external_id=fields["MessageSid"], payload=fields)]

    def parse_event(self, event: EventData, channel_name: str) -> ParsedEvent:
        fields = {str(k): str(v) for k, v in event.payload.items()}
        body = fields.get("Body", "")
        media = [
            fields[f"MediaUrl{i}"]
            for i in range(int(fields.get("NumMedia", "0") or 0))
            if f"MediaUrl{i}" in fields
        ]
        if media:
            body = (body + "\n" if body else "") + "\n".join(f"[attachment] {url}" for url in media)
        received = fields.get("_received_at")
        sent_at = datetime.fromisoformat(received) if received else datetime.now(UTC)
        phone = fields["From"]
        record = MessageRecord(
            line=0,
            channel=channel_name,
            conversation_key=f"sms:{phone}",
            customer_id=phone,
            customer_name=phone,
            inbound=True,
            author_id=phone,
            author_name=phone,
            body=body,
            external_id=event.external_id,
            in_reply_to="",
            sent_at=sent_at,
            is_public=False,
        )
        return ParsedEvent([record], ConversationKind.SMS)

    def send(self, message: OutboundMessage, config: Mapping[str, Any]) -> str:
        cfg = load_config(TwilioConfig, config)
        if not message.recipient_external_id:
            raise DeliveryError("the customer has no phone number on this channel", permanent=True)
        url = f"{cfg.api_base}/2010-04-01/Accounts/{cfg.account_sid}/Messages.json"
        form = {"To": message.recipient_external_id, "From": cfg.from_number, "Body": message.body}
        answer = call("Twilio", url, method="POST", headers=_auth(cfg), form=form, reason=_reason)
        sid = answer.get("sid")
        if not isinstance(sid, str) or not sid:
            raise DeliveryError("Twilio accepted the message but returned no sid", permanent=True)
        return sid


def _auth(cfg: TwilioConfig) -> dict[str, str]:
    pair = base64.b64encode(f"{cfg.account_sid}:{cfg.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def _reason(body: Any) -> str | None:
    """Twilio's error body: ``{"code": 21211, "message": …}``."""
    if isinstance(body, dict) and body.get("message"):
        code = f" (code {body['code']})" if body.get("code") else ""
        return f"{body['message']}{code}"
    return None
