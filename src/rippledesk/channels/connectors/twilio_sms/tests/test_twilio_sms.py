"""The Twilio SMS connector against Twilio's documented formats, end to end through the desk."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from tests.fake_platform import fake_platform

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.twilio_sms.adapter import TwilioSms, signature
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.channels.outbox import deliver
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.models import Conversation, DeliveryAttempt, Message
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOKEN = "twilio-auth-token-for-tests"
pytestmark = pytest.mark.django_db


def test_signature_matches_twilios_documented_example() -> None:
    # Twilio's published example: this URL, these fields and auth token 12345.
    form = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+12349013030"],
        "Digits": ["1234"],
        "From": ["+12349013030"],
        "To": ["+18005551212"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature("12345", url, form) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def connect(api_base: str = "http://127.0.0.1:9") -> ChannelAccount:
    workspace = do_get_or_create_workspace("acme")
    config = {
        "account_sid": "AC" + "0" * 32,
        "auth_token": TOKEN,
        "from_number": "+15005550006",
        "api_base": api_base,
    }
    return do_connect_channel(workspace, "sms", "+15005550006", config, check_credentials=False)


def post(client: Client, account: ChannelAccount, body: str, *, sign: str | None = None) -> Any:
    """POST a form body to the account's webhook, signed like Twilio unless ``sign`` is given.

    Jobs queued by the request run when its transaction commits (inline jobs in tests).
    """
    url = f"http://testserver/hooks/{account.webhook_token}/"
    form = urllib.parse.parse_qs(body, keep_blank_values=True)
    header = sign if sign is not None else signature(TOKEN, url, form)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/hooks/{account.webhook_token}/",
            data=body,
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=header,
        )


def test_an_inbound_sms_becomes_a_message_in_the_customers_conversation(client: Client) -> None:
    account = connect()
    response = post(client, account, (FIXTURES / "inbound_sms.txt").read_text().strip())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    message = Message.objects.get(external_id="SM1f0e8ae6ade43cb3c0ce4525424e404f")
    assert message.body == "My order #A1234 never arrived. 😡"
    assert message.direction == "inbound"
    assert not message.is_public
    conversation = message.conversation
    assert (conversation.kind, conversation.channel_account) == ("sms", account)
    assert conversation.customer.identities.get().external_id == "+14155552671"
    assert InboundEvent.objects.get().processed_at is not None


def test_mms_media_and_right_to_left_text_are_kept(client: Client) -> None:
    account = connect()
    post(client, account, (FIXTURES / "inbound_mms.txt").read_text().strip())
    message = Message.objects.get()
    assert message.body.startswith("החבילה הגיעה שבורה")
    assert "[attachment] https://api.twilio.com/2010-04-01/Accounts/" in message.body


@pytest.mark.parametrize(
    ("body", "sign", "status", "says"),
    [
        ("MessageSid=SM1&From=%2B1&To=%2B2&Body=hi", "forged", 401, "does not match"),
        ("MessageSid=SM1&From=%2B1&To=%2B2&Body=hi", "", 401, "missing"),
        ("From=%2B1&To=%2B2&Body=hi", None, 400, "MessageSid missing"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_stored(
    client: Client, body: str, sign: str | None, status: int, says: str
) -> None:
    account = connect()
    response = post(client, account, body, sign=sign)
    assert response.status_code == status
    assert says in response.json()["error"]["message"]
    assert not InboundEvent.objects.exists()
    assert not Message.objects.exists()


def test_wrong_content_type_unknown_hook_and_huge_bodies(client: Client) -> None:
    account = connect()
    as_json = client.post(
        f"/hooks/{account.webhook_token}/",
        data={"a": 1},
        content_type="application/json",
        HTTP_X_TWILIO_SIGNATURE="x",
    )
    assert as_json.status_code in (400, 401)
    assert client.post("/hooks/nope/", data="", content_type="text/plain").status_code == 404
    huge = client.post(
        f"/hooks/{account.webhook_token}/",
        data="Body=" + "x" * (1024 * 1024 + 10),
        content_type="application/x-www-form-urlencoded",
    )
    assert huge.status_code == 413
    assert not InboundEvent.objects.exists()


def test_config_is_checked_before_saving() -> None:
    workspace = do_get_or_create_workspace("acme")
    with pytest.raises(InvalidInput, match="auth_token is required"):
        do_connect_channel(workspace, "sms", "+1", {"account_sid": "AC1", "from_number": "+1"})
    refusal = (401, {"code": 20003, "message": "Authenticate"})
    with (
        fake_platform(refusal) as twilio,
        pytest.raises(InvalidInput, match="Twilio refused these credentials"),
    ):
        do_connect_channel(
            workspace,
            "sms",
            "+1",
            {
                "account_sid": "AC1",
                "auth_token": "bad",
                "from_number": "+1",
                "api_base": twilio.url,
            },
        )
    assert not ChannelAccount.objects.exists()
    assert (
        TwilioSms().check_config({"account_sid": "AC1", "auth_token": "t", "from_number": "+1"})[
            "api_base"
        ]
        == "https://api.twilio.com"
    )


def _reply_to_sms(client: Client, api_base: str) -> Message:
    account = connect(api_base)
    post(client, account, (FIXTURES / "inbound_sms.txt").read_text().strip())
    agent = User.objects.create_user("agent", password="x-long-password")
    do_add_member(account.workspace, agent, Role.MANAGER)
    seat = seat_in(agent, account.workspace)
    assert seat is not None
    number = Conversation.objects.get().number
    return do_reply(seat, access_conversation(seat, number), "We're on it, sorry!")


@pytest.mark.django_db(transaction=True)
def test_a_reply_goes_out_through_twilios_api(client: Client) -> None:
    with fake_platform((201, {"sid": "SMreply1", "status": "queued"})) as twilio:
        reply = _reply_to_sms(client, twilio.url)
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", "SMreply1")
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert request.form == {
        "To": ["+14155552671"],
        "From": ["+15005550006"],
        "Body": ["We're on it, sorry!"],
    }
    assert request.headers["authorization"].startswith("Basic ")


@pytest.mark.django_db(transaction=True)
def test_a_500_then_200_sends_once(client: Client, settings: Any) -> None:
    from rippledesk.jobs.worker import run_pending  # noqa: PLC0415

    settings.RIPPLEDESK_JOBS = "database"
    with fake_platform((500, {"message": "Internal"}), (201, {"sid": "SMok"})) as twilio:
        # webhook event, then the reply's delivery: both are queued jobs now
        account = connect(twilio.url)
        post(client, account, (FIXTURES / "inbound_sms.txt").read_text().strip())
        assert run_pending() == 1
        agent = User.objects.create_user("agent", password="x-long-password")
        do_add_member(account.workspace, agent, Role.MANAGER)
        seat = seat_in(agent, account.workspace)
        assert seat is not None
        reply = do_reply(seat, access_conversation(seat, Conversation.objects.get().number), "Hi")
        assert run_pending() == 1  # first try: 500, retry scheduled in 5 s
        reply.refresh_from_db()
        assert reply.delivery_status == "queued"
        from rippledesk.jobs.models import Job  # noqa: PLC0415

        Job.objects.filter(status="queued").update(run_at="2000-01-01T00:00:00Z")
        assert run_pending() == 1
        reply.refresh_from_db()
        assert (reply.delivery_status, reply.external_id) == ("sent", "SMok")
        assert len(twilio.requests) == 2
        assert deliver(reply.pk) == "sent"  # a duplicate job sends nothing
        assert len(twilio.requests) == 2
    attempts = list(DeliveryAttempt.objects.order_by("pk").values_list("succeeded", "error"))
    assert attempts == [(False, "Twilio answered 500: Internal"), (True, "")]


@pytest.mark.django_db(transaction=True)
def test_a_400_marks_the_reply_failed_with_twilios_reason(client: Client) -> None:
    error = (FIXTURES / "send_error_21211.json").read_text()
    import json  # noqa: PLC0415

    with fake_platform((400, json.loads(error))) as twilio:
        reply = _reply_to_sms(client, twilio.url)
    reply.refresh_from_db()
    assert reply.delivery_status == "failed"
    attempt = DeliveryAttempt.objects.get(message=reply)
    assert attempt.error == (
        "Twilio answered 400: The 'To' number +1555 is not a valid phone number. (code 21211)"
    )
    assert len(twilio.requests) == 1


def test_a_new_sms_reopens_a_resolved_conversation(client: Client) -> None:
    account = connect()
    post(client, account, "MessageSid=SMa&From=%2B1555&To=%2B2&Body=first")
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(status="resolved")
    post(client, account, "MessageSid=SMb&From=%2B1555&To=%2B2&Body=again")
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.resolved_at is None
    assert Message.objects.filter(conversation=conversation, event="status").get().body == (
        "Reopened: the customer wrote again"
    )
    assert Conversation.objects.count() == 1
