"""The web chat widget's endpoints, under ``/chat/<token>/``.

- ``widget.js``: the loader a site embeds with one ``<script>`` tag; it adds a chat button that
  opens the chat page in an iframe.
- the chat page itself (framed only by the account's allowed origins);
- ``session`` (POST): a new anonymous visitor id, signed so no one can read another visitor's
  conversation by guessing ids;
- ``messages`` (POST a message, GET the conversation since a message id).

Visitor messages become InboundEvents keyed by the widget's own message id, so a retried POST
stores nothing twice, and go through the same processing job as every other channel.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rippledesk.channels.connectors.base import EventData
from rippledesk.channels.connectors.config import load_config
from rippledesk.channels.connectors.webchat.adapter import MAX_BODY, WebChatConfig
from rippledesk.channels.ingest import do_store_events
from rippledesk.channels.models import ChannelAccount, ChannelKind
from rippledesk.conversations.models import Conversation, DeliveryStatus, Direction, Message
from rippledesk.core.errors import json_error

SALT = "rippledesk.webchat.visitor"
HISTORY = 200


def _account(token: str) -> ChannelAccount | None:
    if len(token) > 64:
        return None
    return ChannelAccount.objects.filter(webhook_token=token, kind=ChannelKind.WEBCHAT).first()


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    return json_error(status, "invalid", message, field)


def _visitor(account: ChannelAccount, signed: str) -> str | None:
    try:
        data = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account.pk:
        return None
    return str(data.get("v") or "") or None


@require_GET
def widget_js(request: HttpRequest, token: str) -> HttpResponse:
    account = _account(token)
    if account is None:
        return HttpResponse("/* no chat here */", content_type="text/javascript", status=404)
    page = request.build_absolute_uri(reverse("webchat-page", args=[token]))
    # JSON is a valid JS string literal; the URL is built from our own token alphabet.
    context = {"page_json": json.dumps(page)}
    return render(request, "webchat/widget.js", context, content_type="text/javascript")


@xframe_options_exempt
@require_GET
def chat_page(request: HttpRequest, token: str) -> HttpResponse:
    account = _account(token)
    if account is None:
        return HttpResponse("No chat here.", status=404, content_type="text/plain")
    config = load_config(WebChatConfig, account.config)
    response = render(
        request,
        "webchat/chat.html",
        {"account": account, "token": token, "greeting": config.greeting},
    )
    origins = " ".join(config.origins)
    response["Content-Security-Policy"] = f"frame-ancestors 'self' {origins}".strip()
    return response


@csrf_exempt
@require_POST
def session(request: HttpRequest, token: str) -> JsonResponse:
    account = _account(token)
    if account is None:
        return _error(404, "No chat here.")
    visitor = secrets.token_urlsafe(12)
    return JsonResponse({"visitor": signing.dumps({"a": account.pk, "v": visitor}, salt=SALT)})


def _read_json(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > 64 * 1024:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
def messages(request: HttpRequest, token: str) -> JsonResponse:
    account = _account(token)
    if account is None:
        return _error(404, "No chat here.")
    if request.method == "POST":
        return _post_message(request, account)
    if request.method == "GET":
        return _history(request, account)
    return _error(405, "Use GET or POST.")


def _post_message(request: HttpRequest, account: ChannelAccount) -> JsonResponse:
    data = _read_json(request)
    if data is None:
        return _error(400, "Send a JSON object of at most 64 KB.", "body")
    visitor = _visitor(account, str(data.get("visitor", "")))
    if visitor is None:
        return _error(403, "Unknown visitor; start a new chat session.", "visitor")
    body = str(data.get("body", "")).replace("\x00", "").strip()
    if not body:
        return _error(422, "Write a message first.", "body")
    if len(body) > MAX_BODY:
        return _error(422, f"A message is at most {MAX_BODY:,} characters.", "body")
    client_id = str(data.get("client_id", ""))[:64]
    if not client_id:
        return _error(422, "client_id is required (the widget's id for this message).", "client_id")
    email = str(data.get("email") or "").strip()[:254]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return _error(422, f"{email!r} is not an email address.", "email")
    name = str(data.get("name") or "").strip()[:200]
    payload = {"visitor": visitor, "body": body, "name": name, "email": email}
    stored = do_store_events(account, [EventData(f"{visitor}:{client_id}", payload)])
    return JsonResponse({"stored": bool(stored)}, status=202)


def _history(request: HttpRequest, account: ChannelAccount) -> JsonResponse:
    visitor = _visitor(account, request.GET.get("visitor", ""))
    if visitor is None:
        return _error(403, "Unknown visitor; start a new chat session.", "visitor")
    after = request.GET.get("after", "0")
    conversation = Conversation.objects.filter(
        channel_account=account, external_id=f"chat:{visitor}"
    ).first()
    rows: list[dict[str, Any]] = []
    if conversation is not None:
        found = (
            Message.objects.filter(
                conversation=conversation,
                direction__in=(Direction.INBOUND, Direction.OUTBOUND),
                pk__gt=int(after) if after.isdigit() else 0,
            )
            .exclude(direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.FAILED)
            .order_by("pk")[:HISTORY]
        )
        rows = [
            {
                "id": m.pk,
                "from": "visitor" if m.direction == Direction.INBOUND else "agent",
                "author": m.author_name if m.direction == Direction.OUTBOUND else "",
                "body": m.body,
                "at": m.sent_at.isoformat(),
            }
            for m in found
        ]
    return JsonResponse({"messages": rows})
