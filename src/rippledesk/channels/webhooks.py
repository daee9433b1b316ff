"""The one webhook endpoint: ``POST /hooks/<token>/`` for every connector.

Verify, store raw, answer: the token finds the channel account, its connector checks the
platform's signature (401 and nothing stored when it fails), parses the events (400 naming the
problem), and the events are stored idempotently with their processing queued. The answer goes
back before any message is written, so platforms never time out waiting for us.
"""

from __future__ import annotations

import urllib.parse

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rippledesk.channels.connectors import connector_for
from rippledesk.channels.connectors.base import PayloadError, SignatureError, WebhookRequest
from rippledesk.channels.ingest import do_store_events
from rippledesk.channels.models import ChannelAccount
from rippledesk.core.errors import json_error

MAX_BODY = 1024 * 1024
FORM = "application/x-www-form-urlencoded"


def _form(request: HttpRequest, body: bytes) -> dict[str, list[str]]:
    if request.content_type != FORM:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"body is not UTF-8 (byte {error.start})") from None
    return urllib.parse.parse_qs(text, keep_blank_values=True)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, token: str) -> HttpResponse:
    account = (
        ChannelAccount.objects.filter(webhook_token=token).first() if len(token) <= 64 else None
    )
    connector = connector_for(account.kind) if account is not None else None
    if account is None or connector is None:
        return json_error(404, "not_found", "No channel listens at this address.")
    if request.method == "GET":
        # The platform's setup handshake (Meta's hub.challenge); other connectors have none.
        handshake = getattr(connector, "handshake", None)
        answer = handshake(request.GET, account.config) if callable(handshake) else None
        if answer is None:
            return json_error(403, "forbidden", "Verification failed: wrong or missing token.")
        content_type, text = answer
        return HttpResponse(text, content_type=content_type)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        return json_error(413, "too_large", f"Body is {length:,} bytes; the limit is {MAX_BODY:,}.")
    body = request.body
    try:
        hook = WebhookRequest(
            url=request.build_absolute_uri(),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            form=_form(request, body),
        )
        connector.verify_webhook(hook, account.config)
        events = connector.parse_webhook(hook)
    except SignatureError as error:
        return json_error(401, "bad_signature", str(error))
    except PayloadError as error:
        return json_error(400, "bad_payload", str(error))
    stored = do_store_events(account, events)
    ack = getattr(connector, "ack", None)
    if callable(ack):
        content_type, text = ack()
        return HttpResponse(text, content_type=content_type)
    return JsonResponse({"received": len(events), "new": len(stored)})
