"""Facebook and Instagram comments and DMs, from Meta's documented payloads through the desk."""

from __future__ import annotations

import json
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
from rippledesk.conversations.models import Conversation, Message
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRET = "meta-app-secret"
pytestmark = pytest.mark.django_db


def connect(kind: str, account_id: str, graph: str = "http://127.0.0.1:9") -> ChannelAccount:
    config = {
        "account_id": account_id,
        "access_token": "page-token",
        "app_secret": SECRET,
        "verify_token": "vt",
        "graph_base": graph,
    }
    workspace = do_get_or_create_workspace("acme")
    return do_connect_channel(workspace, kind, f"Acme {kind}", config, check_credentials=False)


def deliver(client: Client, account: ChannelAccount, body: bytes) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/hooks/{account.webhook_token}/",
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=body_signature(SECRET, body),
        )


def test_a_page_comment_and_a_messenger_dm(client: Client) -> None:
    page = connect("facebook", "101543211234567")
    assert deliver(client, page, (FIXTURES / "page_comment.json").read_bytes()).status_code == 200
    deliver(client, page, (FIXTURES / "page_messenger.json").read_bytes())
    comment = Message.objects.get(external_id="987654321098765_1122334455667788")
    assert comment.body.startswith("Third time my order is late.")
    assert comment.is_public
    assert comment.conversation.kind == "public_thread"
    assert comment.conversation.customer.display_name == "Marta Silva"
    dm = Message.objects.get(conversation__kind="dm")
    assert dm.body == "Can I change the delivery address for order 88213?"
    assert not dm.is_public


def test_instagram_comment_and_the_wrong_object_is_refused(client: Client) -> None:
    account = connect("instagram", "17841405309211844")
    deliver(client, account, (FIXTURES / "instagram_comment.json").read_bytes())
    assert Message.objects.get().body == "Love the new colours! 😍 Is the blue one back in stock?"
    wrong = deliver(client, account, (FIXTURES / "page_comment.json").read_bytes())
    assert wrong.status_code == 400
    assert InboundEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_public_reply_answers_the_comment_and_private_goes_to_messages(client: Client) -> None:
    with fake_platform((200, {"id": "1122334455667788_99", "message_id": "m_out_1"})) as graph:
        page = connect("facebook", "101543211234567", graph.url)
        deliver(client, page, (FIXTURES / "page_comment.json").read_bytes())
        fresh = json.loads((FIXTURES / "page_messenger.json").read_text())
        now_ms = int(timezone.now().timestamp() * 1000)
        fresh["entry"][0]["messaging"][0]["timestamp"] = now_ms  # inside the 24-hour window
        deliver(client, page, json.dumps(fresh).encode())
        agent = User.objects.create_user("agent", password="x-long-password")
        do_add_member(page.workspace, agent, Role.MANAGER)
        seat = seat_in(agent, page.workspace)
        assert seat is not None
        public = Conversation.objects.get(kind="public_thread")
        private = Conversation.objects.get(kind="dm")
        do_reply(seat, access_conversation(seat, public.number), "So sorry Marta, we're on it.")
        do_reply(seat, access_conversation(seat, private.number), "Yes: send the new address.")
    comment_reply, dm_reply = graph.requests
    assert comment_reply.path == "/v21.0/987654321098765_1122334455667788/comments"
    assert json.loads(comment_reply.body) == {"message": "So sorry Marta, we're on it."}
    assert dm_reply.path == "/v21.0/101543211234567/messages"
    assert json.loads(dm_reply.body)["recipient"] == {"id": "7281927364512345"}
    assert set(
        Message.objects.filter(direction="outbound").values_list("delivery_status", flat=True)
    ) == {"sent"}


def test_a_dm_older_than_24_hours_cannot_be_answered_privately(client: Client) -> None:
    page = connect("facebook", "101543211234567")
    deliver(client, page, (FIXTURES / "page_messenger.json").read_bytes())  # sent in 2025
    agent = User.objects.create_user("agent", password="x-long-password")
    do_add_member(page.workspace, agent, Role.MANAGER)
    seat = seat_in(agent, page.workspace)
    assert seat is not None
    private = access_conversation(seat, Conversation.objects.get(kind="dm").number)
    with pytest.raises(InvalidInput, match="only within 24 hours"):
        do_reply(seat, private, "Sorry for the wait!")
