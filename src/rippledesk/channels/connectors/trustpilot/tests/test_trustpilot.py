"""Trustpilot review webhooks (Basic credentials), stars, and replies through the API."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from tests.fake_platform import fake_platform

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.models import Conversation, Message
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AUTH = "Basic " + base64.b64encode(b"rippledesk:hook-pass").decode()
pytestmark = pytest.mark.django_db


def connect(api: str = "http://127.0.0.1:9") -> ChannelAccount:
    config = {
        "business_user_id": "507f191e810c19729de860ea",
        "access_token": "tp-token",
        "webhook_username": "rippledesk",
        "webhook_password": "hook-pass",
        "api_base": api,
    }
    return do_connect_channel(
        do_get_or_create_workspace("acme"), "trustpilot", "Acme on Trustpilot", config
    )


def deliver(client: Client, account: ChannelAccount, body: bytes, auth: str = AUTH) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/hooks/{account.webhook_token}/",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )


def test_a_review_arrives_with_its_stars_and_wrong_credentials_store_nothing(
    client: Client,
) -> None:
    account = connect()
    body = (FIXTURES / "review_created.json").read_bytes()
    assert deliver(client, account, body, auth="Basic d3Jvbmc6d3Jvbmc=").status_code == 401
    assert not InboundEvent.objects.exists()
    assert deliver(client, account, body).status_code == 200
    review = Message.objects.get()
    assert review.body.startswith("Refund still missing\n\nReturned the jacket")
    assert review.rating == 1
    assert review.conversation.customer.display_name == "Hannah K."
    deleted = json.loads(body)
    deleted["events"][0]["eventName"] = "service-review-deleted"
    deliver(client, account, json.dumps(deleted).encode())
    assert InboundEvent.objects.filter(error="ignored: service-review-deleted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_reply_is_posted_to_the_review(client: Client) -> None:
    with fake_platform((201, {})) as api:
        account = connect(api.url)
        deliver(client, account, (FIXTURES / "review_created.json").read_bytes())
        agent = User.objects.create_user("agent", password="x-long-password")
        do_add_member(account.workspace, agent, Role.MANAGER)
        seat = seat_in(agent, account.workspace)
        assert seat is not None
        number = Conversation.objects.get().number
        reply = do_reply(
            seat, access_conversation(seat, number), "Hannah, your refund went out today."
        )
    [request] = api.requests
    assert request.path == "/v1/private/reviews/6744a1f0c2b7e1d3f8a90b12/reply"
    assert json.loads(request.body) == {
        "authorBusinessUserId": "507f191e810c19729de860ea",
        "message": "Hannah, your refund went out today.",
    }
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
