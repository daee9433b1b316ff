"""The X connector against the Account Activity formats, end to end through the desk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from tests.fake_platform import fake_platform

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.x.adapter import hmac_b64
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.models import Conversation, Message
from rippledesk.customers.models import Identity
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRET = "x-consumer-secret-for-tests"
pytestmark = pytest.mark.django_db


def connect(api_base: str = "http://127.0.0.1:9") -> ChannelAccount:
    config = {
        "user_id": "2244994945",
        "consumer_secret": SECRET,
        "access_token": "user-token",
        "api_base": api_base,
    }
    workspace = do_get_or_create_workspace("acme")
    return do_connect_channel(workspace, "x", "AcmeAir", config, check_credentials=False)


def deliver(
    client: Client, account: ChannelAccount, name: str, signature: str | None = None
) -> Any:
    body = (FIXTURES / name).read_bytes()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/hooks/{account.webhook_token}/",
            data=body,
            content_type="application/json",
            HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature
            if signature is not None
            else hmac_b64(SECRET, body),
        )


def test_crc_challenge(client: Client) -> None:
    account = connect()
    answer = client.get(f"/hooks/{account.webhook_token}/", {"crc_token": "challenge-123"})
    assert answer.status_code == 200
    assert answer.json() == {"response_token": hmac_b64(SECRET, b"challenge-123")}
    assert client.get(f"/hooks/{account.webhook_token}/").status_code == 403


def test_a_mention_and_the_brands_reply_form_one_thread(client: Client) -> None:
    account = connect()
    assert deliver(client, account, "mention_and_reply.json").status_code == 200
    assert deliver(client, account, "brand_reply.json").status_code == 200
    conversation = Conversation.objects.get()
    messages = list(conversation.messages.order_by("sent_at").values_list("direction", "body"))
    assert [d for d, _ in messages] == ["inbound", "outbound"]
    assert messages[0][1].startswith("@AcmeAir my flight AA12 was cancelled")
    assert conversation.first_response_seconds == 338  # 20:19:24 -> 20:25:02
    assert conversation.customer.display_name == "danaruiz"
    assert Identity.objects.get(external_id="6253282").audience_size == 48210


def test_a_dm_opens_a_private_conversation(client: Client) -> None:
    account = connect()
    deliver(client, account, "direct_message.json")
    message = Message.objects.get()
    assert message.body == "Booking code is QX7PLM. I need to be in Denver tomorrow."
    assert not message.is_public
    assert message.conversation.kind == "dm"
    assert message.conversation.external_id == "dm:6253282"


def test_likes_are_stored_and_ignored_and_bad_deliveries_refused(client: Client) -> None:
    account = connect()
    deliver(client, account, "favorite.json")
    assert InboundEvent.objects.get().error == "ignored: favorite_events"
    assert deliver(client, account, "favorite.json").json()["new"] == 0
    assert (
        deliver(client, account, "direct_message.json", signature="sha256=forged").status_code
        == 401
    )
    bad = client.post(
        f"/hooks/{account.webhook_token}/",
        data=b'{"tweet_create_events": []}',
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=hmac_b64(SECRET, b'{"tweet_create_events": []}'),
    )
    assert bad.status_code == 400
    assert "for_user_id missing" in bad.json()["error"]["message"]
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_public_and_private_replies_use_the_right_endpoints(client: Client) -> None:
    answers = (
        201,
        {"data": {"id": "1050200000000000001", "text": "ok", "dm_event_id": "1050200000000000002"}},
    )
    with fake_platform(answers) as api:
        account = connect(api.url)
        deliver(client, account, "mention_and_reply.json")
        deliver(client, account, "direct_message.json")
        agent = User.objects.create_user("agent", password="x-long-password")
        do_add_member(account.workspace, agent, Role.MANAGER)
        seat = seat_in(agent, account.workspace)
        assert seat is not None
        public = Conversation.objects.get(kind="public_thread")
        private = Conversation.objects.get(kind="dm")
        do_reply(seat, access_conversation(seat, public.number), "@danaruiz So sorry, DM us.")
        do_reply(seat, access_conversation(seat, private.number), "Rebooked you on AA14.")
    tweet, dm = api.requests
    assert tweet.path == "/2/tweets"
    assert tweet.headers["authorization"] == "Bearer user-token"
    assert json.loads(tweet.body) == {
        "text": "@danaruiz So sorry, DM us.",
        "reply": {"in_reply_to_tweet_id": "1050118621198921728"},
    }
    assert dm.path == "/2/dm_conversations/with/6253282/messages"
    assert json.loads(dm.body) == {"text": "Rebooked you on AA14."}
    sent = dict(
        Message.objects.filter(direction="outbound", author_user=agent).values_list(
            "body", "external_id"
        )
    )
    assert sent == {
        "@danaruiz So sorry, DM us.": "1050200000000000001",
        "Rebooked you on AA14.": "1050200000000000002",
    }
