"""Google reviews polled from a fake Business Profile API, rated, and answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fake_platform import fake_platform

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.models import ChannelAccount
from rippledesk.channels.polling import poll_account
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.models import Conversation, Message
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.django_db(transaction=True)


def connect(api: str) -> ChannelAccount:
    config = {
        "location": "accounts/1098765/locations/2233445",
        "access_token": "ya29.token",
        "api_base": api,
    }
    return do_connect_channel(
        do_get_or_create_workspace("acme"),
        "reviews",
        "Acme on Google",
        config,
        check_credentials=False,
    )


def test_reviews_are_polled_once_with_ratings_and_answered() -> None:
    page = json.loads((FIXTURES / "reviews_page.json").read_text())
    with fake_platform((200, page), (200, page), (200, {})) as api:
        account = connect(api.url)
        assert poll_account(account) == 2
        assert poll_account(account) == 0  # nothing newer than the cursor
        assert account.poll_cursor == "2026-11-24T17:45:10.123Z"
        angry = Message.objects.get(body__startswith="Waited 40 minutes")
        assert angry.rating == 1
        assert angry.conversation.kind == "review"
        assert angry.conversation.customer.display_name == "Tomás Ortega"
        quiet = Message.objects.get(rating=5)
        assert quiet.body == "(5-star rating without text)"
        assert quiet.conversation.customer.display_name == "Anonymous"
        agent = User.objects.create_user("agent", password="x-long-password")
        do_add_member(account.workspace, agent, Role.MANAGER)
        seat = seat_in(agent, account.workspace)
        assert seat is not None
        number = Conversation.objects.get(external_id="AbFvOqmK4hF0").number
        reply = do_reply(
            seat, access_conversation(seat, number), "We're sorry, Tomás. Please call us."
        )
    assert "orderBy=updateTime+desc" in api.requests[0].path
    put = api.requests[-1]
    assert (put.method, put.path) == (
        "PUT",
        "/v4/accounts/1098765/locations/2233445/reviews/AbFvOqmK4hF0/reply",
    )
    assert json.loads(put.body) == {"comment": "We're sorry, Tomás. Please call us."}
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
    assert reply.is_public


def test_a_failed_poll_is_kept_and_keeps_the_cursor() -> None:
    with fake_platform(
        (
            401,
            {"error": {"code": 401, "message": "Request had invalid authentication credentials."}},
        )
    ) as api:
        account = connect(api.url)
        assert poll_account(account) == 0
    account.refresh_from_db()
    assert (
        account.poll_error == "Google answered 401: Request had invalid authentication credentials."
    )
    assert account.poll_cursor == ""
    assert not Message.objects.exists()
