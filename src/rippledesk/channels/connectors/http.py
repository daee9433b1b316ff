"""One way for connectors to call a platform's HTTP API and read its refusals.

Every connector sends JSON or a form, gets JSON back, and must sort failures the same way the
outbox understands them (``DeliveryError.permanent``):

- a 4xx is the platform refusing: permanent, with the platform's own words (each connector
  passes ``reason``, which finds them in its error body);
- a 5xx or 429 is the platform struggling: transient, retried with backoff;
- a refused or failed connection never reached it: transient;
- a timeout may have reached it: permanent unless ``timeout_is_safe`` (the call is idempotent,
  like Google's "set the reply"), so a retry never posts twice.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from rippledesk.channels.adapters import DeliveryError

TIMEOUT = 10
Reason = Callable[[Any], str | None]


def call(
    platform: str,
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    reason: Reason = lambda body: None,
    timeout: float = TIMEOUT,
    timeout_is_safe: bool = False,
) -> dict[str, Any]:
    """The JSON object the platform answered ({} for an empty or non-object answer)."""
    data: bytes | None = None
    sent = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        transient = error.code >= 500 or error.code == 429
        words = _reason(error, reason)
        raise DeliveryError(
            f"{platform} answered {error.code}: {words}", permanent=not transient
        ) from None
    except TimeoutError:
        if timeout_is_safe:
            raise DeliveryError(f"{platform} did not answer in time", permanent=False) from None
        raise DeliveryError(
            f"{platform} did not answer within {timeout:g} s; the message may have been sent, "
            "so it is not retried automatically",
            permanent=True,
        ) from None
    except urllib.error.URLError as error:
        raise DeliveryError(f"cannot reach {platform}: {error.reason}", permanent=False) from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _reason(error: urllib.error.HTTPError, reason: Reason) -> str:
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        body = None
    found = reason(body) if body is not None else None
    return found or str(error.reason or "no reason given")


def credentials_error(platform: str, error: DeliveryError) -> ValueError:
    """What ``check_credentials`` says when the platform refused, or could not be asked."""
    if error.permanent:
        return ValueError(f"{platform} refused these credentials: {error}")
    return ValueError(f"cannot check the credentials with {platform}: {error}")


def meta_error(body: Any) -> str | None:
    """Meta's Graph API error body: ``{"error": {"message": …, "code": …}}``."""
    detail = body.get("error") if isinstance(body, dict) else None
    if isinstance(detail, dict) and detail.get("message"):
        code = f" (code {detail['code']})" if detail.get("code") else ""
        return f"{detail['message']}{code}"
    return None
