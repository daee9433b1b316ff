"""The webhook conventions Meta's Graph API shares across WhatsApp, Facebook and Instagram.

Setup is a ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` whose challenge is
echoed when the verify token is the account's; every POST carries ``X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the raw body>`` keyed with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from rippledesk.channels.connectors.base import SignatureError, WebhookRequest


def body_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def hub_handshake(query: Mapping[str, str], verify_token: str) -> tuple[str, str] | None:
    """The challenge to echo for Meta's setup GET, or None if the token is wrong."""
    if query.get("hub.mode") != "subscribe":
        return None
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    return "text/plain", query.get("hub.challenge", "")


def verify_hub_signature(request: WebhookRequest, app_secret: str) -> None:
    given = request.headers.get("x-hub-signature-256", "")
    if not given:
        raise SignatureError("X-Hub-Signature-256 header missing")
    if not hmac.compare_digest(given.encode(), body_signature(app_secret, request.body).encode()):
        raise SignatureError("X-Hub-Signature-256 does not match this body")
