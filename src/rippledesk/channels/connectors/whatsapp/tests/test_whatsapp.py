"""The WhatsApp Cloud API connector against Meta's documented payloads, through the desk."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from tests.fake_platform import fake_platform

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.meta_hooks import body_signature
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.models import Conversation, DeliveryAttempt, Message
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRET = "meta-app-secret-for-tests"
pytestmark = pytest.mark.django_db


def connect(graph_base: str = "http://127.0.0.1:9") -> ChannelAccount:
    config = {
        "phone_number_id": "106540352242922",
        "access_token": "EAAG-test",
        "app_secret": SECRET,
        "verify_token": "my-verify-token",
        "graph_base": graph_base,
    }
    workspace = do_get_or_create_workspace("acme")
    return do_connect_channel(
        workspace, "whatsapp", "+15550783881", config, check_credentials=False
    )


def post(client: Client, account: ChannelAccount, body: bytes, signature: str | None = None) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/hooks/{account.webhook_token}/",
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=signature
            if signature is not None
            else body_signature(SECRET, body),
        )


def test_meta_setup_handshake(client: Client) -> None:
    account = connect()
    url = f"/hooks/{account.webhook_token}/"
    ok = client.get(
        url,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "my-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


def test_a_text_message_arrives_with_the_customers_name(client: Client) -> None:
    account = connect()
    response = post(client, account, (FIXTURES / "text_message.json").read_bytes())
    assert response.json() == {"received": 1, "new": 1}
    message = Message.objects.get()
    assert message.body == "Does it come in another color? مرحبا 👋"
    assert message.sent_at.timestamp() == 1749416383
    conversation = message.conversation
    assert conversation.customer.display_name == "Sheena Nelson"
    assert conversation.customer.identities.get().external_id == "16505551234"
    # Meta retries: the same delivery again adds nothing
    assert post(client, account, (FIXTURES / "text_message.json").read_bytes()).json()["new"] == 0
    assert Message.objects.count() == 1


def test_status_updates_are_stored_and_ignored(client: Client) -> None:
    account = connect()
    post(client, account, (FIXTURES / "status_delivered.json").read_bytes())
    event = InboundEvent.objects.get()
    assert event.error == "ignored: status"
    assert event.processed_at is not None
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "signature", "status"),
    [
        (b'{"object": "whatsapp_business_account", "entry": []}', "sha256=forged", 401),
        (b'{"object": "whatsapp_business_account", "entry": []}', "", 401),
        (b"{not json", None, 400),
        (b'{"object": "page"}', None, 400),
        (b'{"object": "whatsapp_business_account", "entry": [{"changes": [{}]}]}', None, 400),
        (b"\xff\xfe invalid utf-8", None, 400),
    ],
)
def test_bad_deliveries_are_refused_and_nothing_is_stored(
    client: Client, body: bytes, signature: str | None, status: int
) -> None:
    account = connect()
    response = post(client, account, body, signature)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert not InboundEvent.objects.exists()


def _seat(account: ChannelAccount) -> Any:
    agent = User.objects.create_user("agent", password="x-long-password")
    do_add_member(account.workspace, agent, Role.MANAGER)
    return seat_in(agent, account.workspace)


def test_replies_are_refused_outside_the_24_hour_window(client: Client) -> None:
    account = connect()
    post(client, account, (FIXTURES / "text_message.json").read_bytes())  # sent in 2025
    seat = _seat(account)
    conversation = access_conversation(seat, Conversation.objects.get().number)
    with pytest.raises(InvalidInput, match="only within 24 hours"):
        do_reply(seat, conversation, "Yes, in blue!")
    assert not Message.objects.filter(direction="outbound").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_in_the_window_goes_out_and_a_131047_is_shown(client: Client) -> None:
    account = connect()
    fresh = json.loads((FIXTURES / "text_message.json").read_text())
    fresh["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(
        int(timezone.now().timestamp())
    )
    post(client, account, json.dumps(fresh).encode())
    seat = _seat(account)
    number = Conversation.objects.get().number
    answer = (200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.out1"}]})
    with fake_platform(answer) as graph:
        ChannelAccount.objects.filter(pk=account.pk).update(
            config={**account.config, "graph_base": graph.url}
        )
        reply = do_reply(seat, access_conversation(seat, number), "Yes, in blue!")
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", "wamid.out1")
    assert graph.requests[0].path == "/v21.0/106540352242922/messages"
    assert graph.requests[0].headers["authorization"] == "Bearer EAAG-test"
    refusal = (400, json.loads((FIXTURES / "send_error_131047.json").read_text()))
    with fake_platform(refusal) as graph:
        ChannelAccount.objects.filter(pk=account.pk).update(
            config={**account.config, "graph_base": graph.url}
        )
        second = do_reply(seat, access_conversation(seat, number), "And in red.")
    second.refresh_from_db()
    assert second.delivery_status == "failed"
    assert DeliveryAttempt.objects.get(message=second).error == (
        "WhatsApp answered 400: Re-engagement message (code 131047)"
    )
    assert timezone.now() - reply.sent_at < timedelta(minutes=1)
