"""The web chat widget's endpoints, as a visitor's browser and an agent use them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, TestCase

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_add_note, do_reply
from rippledesk.conversations.models import Conversation, Message
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

pytestmark = pytest.mark.django_db


def connect() -> ChannelAccount:
    workspace = do_get_or_create_workspace("acme")
    config = {"allowed_origins": "https://shop.example", "greeting": "Hi there!"}
    return do_connect_channel(workspace, "webchat", "Acme shop chat", config)


def new_visitor(client: Client, account: ChannelAccount) -> str:
    return str(client.post(f"/chat/{account.webhook_token}/session").json()["visitor"])


def say(client: Client, account: ChannelAccount, visitor: str, body: str, client_id: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/chat/{account.webhook_token}/messages",
            data=json.dumps({"visitor": visitor, "body": body, "client_id": client_id}),
            content_type="application/json",
        )


def history(client: Client, account: ChannelAccount, visitor: str, after: int = 0) -> Any:
    return client.get(
        f"/chat/{account.webhook_token}/messages", {"visitor": visitor, "after": str(after)}
    )


def test_a_visitor_chats_and_an_agent_answers(client: Client) -> None:
    account = connect()
    visitor = new_visitor(client, account)
    assert (
        say(client, account, visitor, "Is my order shipped? <b>#A12</b>", "m1").status_code == 202
    )
    conversation = Conversation.objects.get()
    assert (conversation.kind, conversation.channel_account) == ("chat", account)
    assert conversation.customer.display_name.startswith("Visitor ")
    agent = User.objects.create_user("agent", password="x-long-password", first_name="Ava")
    do_add_member(account.workspace, agent, Role.MANAGER)
    seat = seat_in(agent, account.workspace)
    assert seat is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_reply(seat, access_conversation(seat, conversation.number), "Yes, it left today.")
    do_add_note(seat, access_conversation(seat, conversation.number), "internal only")
    rows = history(client, account, visitor).json()["messages"]
    assert [(r["from"], r["body"]) for r in rows] == [
        ("visitor", "Is my order shipped? <b>#A12</b>"),
        ("agent", "Yes, it left today."),
    ]
    assert rows[1]["author"] == "Ava"
    assert history(client, account, visitor, after=rows[0]["id"]).json()["messages"] == rows[1:]
    reply = Message.objects.get(direction="outbound")
    assert (reply.delivery_status, reply.external_id) == ("sent", f"webchat-{reply.pk}")


def test_retries_store_nothing_twice_and_visitors_are_kept_apart(client: Client) -> None:
    account = connect()
    one, two = new_visitor(client, account), new_visitor(client, account)
    assert say(client, account, one, "hello", "m1").json() == {"stored": True}
    assert say(client, account, one, "hello", "m1").json() == {"stored": False}
    say(client, account, two, "other person", "m1")
    assert Message.objects.count() == 2
    assert [r["body"] for r in history(client, account, one).json()["messages"]] == ["hello"]
    assert Conversation.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"visitor": "forged", "body": "hi", "client_id": "1"}, 403, "visitor"),
        ({"body": "hi", "client_id": "1"}, 403, "visitor"),
        ({"visitor": None, "body": "   ", "client_id": "1"}, 422, "body"),
        ({"visitor": None, "body": "x" * 5001, "client_id": "1"}, 422, "body"),
        ({"visitor": None, "body": "hi"}, 422, "client_id"),
    ],
)
def test_bad_messages_are_refused_with_the_field(
    client: Client, payload: dict[str, Any], status: int, field: str
) -> None:
    account = connect()
    if "visitor" in payload and payload["visitor"] is None:
        payload["visitor"] = new_visitor(client, account)
    response = client.post(
        f"/chat/{account.webhook_token}/messages",
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == status
    assert response.json()["error"]["field"] == field
    assert not InboundEvent.objects.exists()


def test_malformed_bodies_and_other_accounts(client: Client) -> None:
    account = connect()
    url = f"/chat/{account.webhook_token}/messages"
    assert client.post(url, data="{nope", content_type="application/json").status_code == 400
    assert client.post(url, data=b"\xff\xfe", content_type="application/json").status_code == 400
    assert (
        client.post(
            "/chat/unknown/messages", data="{}", content_type="application/json"
        ).status_code
        == 404
    )
    other = do_connect_channel(account.workspace, "webchat", "Other site", {})
    visitor = new_visitor(client, account)
    # a visitor id signed for one chat does not open another's
    assert history(client, other, visitor).status_code == 403


def test_the_page_and_loader_are_served_for_embedding(client: Client) -> None:
    account = connect()
    page = client.get(f"/chat/{account.webhook_token}/")
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == "frame-ancestors 'self' https://shop.example"
    assert "X-Frame-Options" not in page
    assert b"Hi there!" in page.content
    loader = client.get(f"/chat/{account.webhook_token}/widget.js")
    assert loader["Content-Type"].startswith("text/javascript")
    assert f"/chat/{account.webhook_token}/".encode() in loader.content


def test_a_visitor_may_leave_a_name_and_email(client: Client) -> None:
    account = connect()
    visitor = new_visitor(client, account)
    url = f"/chat/{account.webhook_token}/messages"
    bad = client.post(
        url,
        data=json.dumps(
            {"visitor": visitor, "body": "hi", "client_id": "x", "email": "not-an-email"}
        ),
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "email")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            url,
            data=json.dumps(
                {
                    "visitor": visitor,
                    "body": "hi",
                    "client_id": "m1",
                    "name": "Rosa",
                    "email": "rosa@example.org",
                }
            ),
            content_type="application/json",
        )
    customer = Conversation.objects.get().customer
    assert (customer.display_name, customer.email) == ("Rosa", "rosa@example.org")
