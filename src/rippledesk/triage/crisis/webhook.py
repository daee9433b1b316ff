"""The outgoing crisis webhook: Slack-compatible JSON, signed so a receiver can trust it.

The body is what a Slack incoming webhook takes (``text`` as the notification fallback,
``blocks`` for the layout), so a Slack URL works as it is; any other receiver gets the same JSON
and can check where it came from:

``X-Rippledesk-Timestamp``
    Unix seconds when the request was signed.
``X-Rippledesk-Signature``
    ``v1=`` + hex HMAC-SHA256, keyed with the workspace's webhook secret, of
    ``b"v1:" + timestamp + b":" + body`` (the raw request body bytes).
``X-Rippledesk-Event``
    ``crisis.opened``, ``crisis.reopened`` or ``crisis.test``.
``X-Rippledesk-Delivery``
    The alert's id: the same on every retry, so a receiver can drop repeats.

:func:`verify` is the receiver's check (constant-time comparison, stale timestamps refused);
``docs/crisis-detection.md`` shows it in a few lines for receivers written in anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rippledesk.channels.adapters import DeliveryError

TIMEOUT = 10
TOLERANCE_SECONDS = 300
_HEADER_LIMIT = 150  # Slack's limit for a header block's text
_SECTION_LIMIT = 3000


@dataclass(frozen=True)
class Summary:
    """What an alert says, whatever carries it (email or webhook)."""

    title: str
    lines: tuple[str, ...]
    url: str
    event: str


def escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup (``<!channel>`` pings everyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(summary: Summary) -> dict[str, Any]:
    details = "\n".join(escape(line) for line in summary.lines)[:_SECTION_LIMIT]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": summary.title[:_HEADER_LIMIT]},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": details or " "}},
    ]
    if summary.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in rippledesk"},
                        "url": summary.url,
                    }
                ],
            }
        )
    fallback = summary.title + (f" {summary.url}" if summary.url else "")
    return {"text": fallback, "blocks": blocks}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), b"v1:" + timestamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return f"v1={digest}"


def verify(
    secret: str,
    timestamp: str,
    signature: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET (or drop it); report it instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str, payload: Mapping[str, Any], *, event: str, delivery: str) -> int:
    """Send one signed delivery; the HTTP status on success, DeliveryError otherwise.

    2xx is success. A redirect or a 4xx (other than 408 and 429) is the receiver refusing:
    permanent, retrying cannot help. 5xx, 408, 429, timeouts and connection failures are
    transient. Receivers dedupe on ``X-Rippledesk-Delivery``, so a retry after a timeout that
    did arrive is harmless.
    """
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "rippledesk-alerts",
        "X-Rippledesk-Timestamp": timestamp,
        "X-Rippledesk-Signature": sign(secret, timestamp, body),
        "X-Rippledesk-Event": f"crisis.{event}",
        "X-Rippledesk-Delivery": delivery,
    }
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise _refusal(error) from None
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise DeliveryError(f"cannot reach the webhook: {reason}", permanent=False) from None


def _refusal(error: urllib.error.HTTPError) -> DeliveryError:
    code = error.code
    if 300 <= code < 400:
        target = error.headers.get("Location", "another address")
        return DeliveryError(
            f"the webhook answered {code}, a redirect to {target}; save that URL instead",
            permanent=True,
        )
    try:
        said = error.read(300).decode("utf-8", "replace").strip()
    except OSError:
        said = ""
    words = f": {said}" if said else ""
    transient = code >= 500 or code in (408, 429)
    return DeliveryError(f"the webhook answered {code}{words}", permanent=not transient)
