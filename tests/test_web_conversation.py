"""The conversation page and every action on it, as an agent uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from rippledesk.conversations.models import (
    CannedResponse,
    Conversation,
    DeliveryAttempt,
    Direction,
    Message,
)
from rippledesk.customers.models import Purchase
from rippledesk.workspaces.models import User
from tests.desk import Desk, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return build_desk(tmp_path)


def test_page_shows_timeline_customer_and_composer(desk: Desk) -> None:
    response = desk.client.get(desk.url("conversation", desk.number("alice_w")))
    assert response.status_code == 200
    html = response.content.decode()
    bodies = [
        "@AcmeCare my order never arrived",
        "@alice_w Sorry! DM us the order number?",
        "@AcmeCare done - thanks",
    ]
    positions = [html.index(body) for body in bodies]
    assert positions == sorted(positions)  # oldest first
    assert [m.direction for m in response.context["timeline"]] == ["inbound", "outbound", "inbound"]
    assert "4m 30s" in html
    assert "X (Twitter) · AcmeCare" in html
    assert "@alice_w" in html  # identity in the customer panel
    assert 'data-public-max="280"' in html  # X's public reply limit for the counter
    assert response.context["default_public"] is True
    assert "Suggested replies" in html


def test_customer_panel_lists_other_conversations_and_purchases(desk: Desk) -> None:
    latest = desk.conversation("bob_k")
    earlier = (
        Conversation.objects.filter(workspace=desk.workspace, customer__display_name="bob_k")
        .exclude(pk=latest.pk)
        .get()
    )
    Purchase.objects.create(
        customer=latest.customer,
        description="Flight LHR-JFK",
        amount="420.00",
        currency="GBP",
        purchased_at=latest.last_activity_at,
    )
    html = desk.client.get(desk.url("conversation", latest.number)).content.decode()
    panel = html[html.index("Other conversations") :]
    assert f'href="{desk.url("conversation", earlier.number)}"' in panel
    assert "@AcmeCare where is my refund?" in panel
    assert "Flight LHR-JFK" in html and "420.00 GBP" in html


def test_reply_is_sent_through_the_outbox_and_recorded(desk: Desk) -> None:
    conversation = desk.conversation("bob_k")
    assert conversation.first_response_at is None
    with pytest.MonkeyPatch.context():
        response = desk.client.post(
            desk.url("reply", conversation.number),
            {"body": "  Refund is on its way, Bob.  ", "mode": "reply"},
        )
    assert response.status_code == 302
    reply = Message.objects.get(conversation=conversation, direction=Direction.OUTBOUND)
    assert reply.body == "Refund is on its way, Bob."
    assert reply.is_public  # a public mention is answered in public
    assert reply.author_user == desk.agent
    conversation.refresh_from_db()
    assert conversation.first_response_at == reply.sent_at
    assert conversation.waiting_since is None
    assert conversation.assignee == desk.agent  # replying to an unassigned one takes it
    assert conversation.message_count == 2
    events = list(
        Message.objects.filter(conversation=conversation, direction=Direction.SYSTEM).values_list(
            "event", flat=True
        )
    )
    assert events == ["assigned"]


@pytest.mark.django_db(transaction=True)
def test_loopback_adapter_marks_the_reply_sent_after_commit(tmp_path: Path) -> None:
    desk = build_desk(tmp_path)
    conversation = desk.conversation("bob_k")
    desk.client.post(
        desk.url("reply", conversation.number), {"body": "On it", "visibility": "private"}
    )
    reply = Message.objects.get(conversation=conversation, direction=Direction.OUTBOUND)
    assert reply.delivery_status == "sent"
    assert reply.external_id == f"loopback-{reply.pk}"
    assert not reply.is_public
    attempt = DeliveryAttempt.objects.get(message=reply)
    assert (attempt.adapter, attempt.succeeded) == ("loopback", True)


@pytest.mark.parametrize(
    ("body", "visibility", "message"),
    [
        ("   ", "public", "the text is empty"),
        (
            "x" * 281,
            "public",
            "The reply is 281 characters; public replies on X (Twitter) allow 280",
        ),
        ("x" * 10_001, "private", "allow 10,000"),
    ],
)
def test_a_refused_reply_keeps_the_draft_and_says_why(
    desk: Desk, body: str, visibility: str, message: str
) -> None:
    number = desk.number("bob_k")
    response = desk.client.post(desk.url("reply", number), {"body": body, "visibility": visibility})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    if body.strip():
        assert body in html  # the agent's text is not lost
    assert not Message.objects.filter(
        direction=Direction.OUTBOUND, conversation__number=number
    ).exists()


def test_internal_note_never_leaves_the_desk(desk: Desk) -> None:
    conversation = desk.conversation("bob_k")
    desk.client.post(
        desk.url("reply", conversation.number), {"body": "Check order 123", "mode": "note"}
    )
    note = Message.objects.get(conversation=conversation, direction=Direction.NOTE)
    assert note.body == "Check order 123" and not note.is_public
    conversation.refresh_from_db()
    assert conversation.first_response_at is None  # a note is not an answer
    assert conversation.waiting_since is not None
    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    assert "Internal note" in page and "Check order 123" in page


def test_assign_unassign_and_team(desk: Desk) -> None:
    conversation = desk.conversation("alice_w")
    url = desk.url("assign", conversation.number)
    desk.client.post(url, {"assignee": "me", "version": conversation.version})
    conversation.refresh_from_db()
    assert conversation.assignee == desk.agent
    # the manager cannot hand it to an agent whose teams lack the channel
    manager = desk.client_for(desk.manager)
    page = manager.post(url, {"assignee": "shopper", "version": conversation.version}, follow=True)
    assert "shopper cannot see AcmeCare" in page.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee == desk.agent
    manager.post(url, {"assignee": "", "team": "", "version": conversation.version})
    conversation.refresh_from_db()
    assert conversation.assignee is None
    timeline = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    assert "Ava took this" in timeline
    assert "Max unassigned this" in timeline


def test_resolve_reopen_and_snooze(desk: Desk) -> None:
    conversation = desk.conversation("alice_w")
    url = desk.url("status", conversation.number)
    desk.client.post(url, {"status": "resolved", "version": conversation.version})
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.resolved_at is not None
    desk.client.post(url, {"status": "open", "version": conversation.version})
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.resolved_at is None
    desk.client.post(url, {"status": "snoozed", "for": "4h", "version": conversation.version})
    conversation.refresh_from_db()
    assert conversation.status == "snoozed" and conversation.snoozed_until is not None
    bad = desk.client.post(
        url, {"status": "snoozed", "for": "forever", "version": conversation.version}, follow=True
    )
    assert "Choose how long to snooze." in bad.content.decode()
    unknown = desk.client.post(
        url, {"status": "deleted", "version": conversation.version}, follow=True
    )
    assert "Unknown status" in unknown.content.decode()


def test_two_agents_resolving_at_once_the_second_is_told(desk: Desk) -> None:
    conversation = desk.conversation("alice_w")
    seen = conversation.version
    url = desk.url("status", conversation.number)
    manager = desk.client_for(desk.manager)
    manager.post(url, {"status": "resolved", "version": seen})
    second = desk.client.post(url, {"status": "resolved", "version": seen}, follow=True)
    html = second.content.decode()
    assert "was changed by someone else since you opened it (it is now resolved)" in html
    resolutions = Message.objects.filter(conversation=conversation, event="status").count()
    assert resolutions == 1


def test_a_forbidden_conversation_is_not_found(desk: Desk) -> None:
    mallory = desk.number("mallory")  # on @AcmeShop, which the agent's team is not granted
    missing = desk.client.get(desk.url("conversation", 999))
    for name in ("conversation", "timeline", "suggestions"):
        hidden = desk.client.get(desk.url(name, mallory))
        assert hidden.status_code == 404
        assert b"script" not in hidden.content or b"alert(1)" not in hidden.content
    for name in ("reply", "assign", "status", "presence"):
        assert desk.client.post(desk.url(name, mallory), {"body": "hi"}).status_code == 404
    assert not Message.objects.filter(conversation__number=mallory, direction="outbound").exists()
    foreign = Conversation.objects.get(workspace=desk.other)
    assert desk.client.get(desk.url("conversation", foreign.number, desk.other)).status_code == 404
    assert missing.status_code == 404


def test_presence_tells_each_agent_who_else_is_here(desk: Desk) -> None:
    number = desk.number("alice_w")
    manager = desk.client_for(desk.manager)
    manager.get(desk.url("conversation", number))
    beat = desk.client.post(desk.url("presence", number), {"composing": "1"}).json()
    assert beat["viewers"] == [{"name": "Max", "composing": False}]
    other = manager.post(desk.url("presence", number), {"composing": "0"}).json()
    assert other["viewers"] == [{"name": "Ava", "composing": True}]
    page = manager.get(desk.url("conversation", number)).content.decode()
    assert "Ava (typing a reply) also has this conversation open." in page


def test_canned_response_is_filled_in_for_the_conversation(desk: Desk) -> None:
    manager = desk.client_for(desk.manager)
    canned_url = reverse("web:canned", args=["acme"])
    saved = manager.post(
        canned_url,
        {
            "shortcut": "refund",
            "title": "Refund",
            "body": "Hi {{customer.first_name}}, {{agent.first_name}} here: refund sent.",
        },
    )
    assert saved.status_code == 302
    typo = manager.post(canned_url, {"shortcut": "x", "title": "X", "body": "{{custmer.name}}"})
    assert typo.status_code == 422
    assert "Unknown variable {{custmer.name}}" in typo.content.decode()
    agent_try = desk.client.post(canned_url, {"shortcut": "y", "title": "Y", "body": "hi"})
    assert agent_try.status_code == 403  # agents use canned responses; managers edit them
    number = desk.number("bob_k")
    text = desk.client.get(reverse("web:canned-text", args=["acme", number, "refund"])).json()
    assert text == {"text": "Hi bob_k, Ava here: refund sent."}
    assert CannedResponse.objects.count() == 1
    missing = desk.client.get(reverse("web:canned-text", args=["acme", number, "nope"]))
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "shortcut"


def test_suggested_replies_come_from_similar_answered_conversations(desk: Desk) -> None:
    # bob asks about his refund; alice's answered thread is not about refunds, so first
    # answer an older refund question, then ask for suggestions on the newer one.
    older = (
        Conversation.objects.filter(workspace=desk.workspace, customer__display_name="bob_k")
        .order_by("last_activity_at")
        .first()
    )
    assert older is not None
    latest = desk.number("bob_k")
    desk.client.post(
        desk.url("reply", older.number),
        {"body": "@bob_k Refunds take 5 days; DM us your booking code.", "visibility": "public"},
    )
    response = desk.client.get(desk.url("suggestions", latest))
    assert response.status_code == 200
    suggestions = response.context["suggestions"]
    assert [s.text for s in suggestions] == ["@bob_k Refunds take 5 days; DM us your booking code."]
    assert suggestions[0].source_number == older.number


def test_timeline_fragment_has_new_messages(desk: Desk) -> None:
    number = desk.number("alice_w")
    desk.client.post(desk.url("reply", number), {"body": "Fresh note", "mode": "note"})
    fragment = desk.client.get(desk.url("timeline", number))
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"Fresh note" in fragment.content


def test_tokens_page_creates_shows_once_and_revokes(desk: Desk) -> None:
    url = reverse("web:tokens")
    created = desk.client.post(url, {"name": "CRM sync"})
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("rd_")
    assert secret.encode() in created.content
    listing = desk.client.get(url)
    assert secret.encode() not in listing.content  # shown once only
    token = listing.context["tokens"][0]
    assert token.name == "CRM sync"
    desk.client.post(url, {"revoke": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is not None
    empty = desk.client.post(url, {"name": "  "})
    assert empty.status_code == 422


def test_team_load_is_for_managers(desk: Desk) -> None:
    alice = desk.conversation("alice_w")
    Conversation.objects.filter(pk=alice.pk).update(assignee=desk.agent)
    url = reverse("web:team-load", args=["acme"])
    assert desk.client.get(url).status_code == 403
    page = desk.client_for(desk.manager).get(url)
    assert page.status_code == 200
    rows = {r.username: r for r in page.context["rows"]}
    assert (rows["agent"].open, rows["agent"].waiting) == (1, 1)
    assert rows["manager"].open == 0
    assert page.context["unassigned"] == 3


def test_search_finds_messages_and_customers_within_reach(desk: Desk) -> None:
    url = reverse("web:search", args=["acme"])
    hits = desk.client.get(url, {"q": "refun"})  # a prefix while typing
    assert [m.conversation.customer.display_name for m in hits.context["hits"]] == [
        "bob_k",
        "bob_k",
    ]
    assert b"<mark>refund</mark>" in hits.content
    phrase = desk.client.get(url, {"q": '"order never arrived"'})
    assert [m.body for m in phrase.context["hits"]] == ["@AcmeCare my order never arrived"]
    # mallory's message is on a channel the agent cannot see; the manager finds it
    assert desk.client.get(url, {"q": "quotes"}).context["hits"] == []
    manager_page = desk.client_for(desk.manager).get(url, {"q": "quotes"})
    assert len(manager_page.context["hits"]) == 1
    assert b"<script>alert" not in manager_page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in manager_page.content
    customers = desk.client.get(url, {"q": "alice"}).context["customers"]
    assert [c.display_name for c in customers] == ["alice_w"]
    # operators and quotes in the input are just text, never a database error
    for junk in ['refund" OR', "NEAR(", "*", "a AND", "'; DROP", ""]:
        assert desk.client.get(url, {"q": junk}).status_code == 200
    assert (
        "globex"
        not in desk.client.get(url, {"q": "secret"}).content.decode().lower().split("search")[-1]
    )


def test_channels_page_connects_after_checking_credentials(desk: Desk) -> None:
    from tests.fake_platform import fake_platform  # noqa: PLC0415

    url = reverse("web:channels", args=["acme"])
    assert desk.client_for(desk.manager).get(url).status_code == 403
    admin = User.objects.create_superuser("root", password="root-long-password")
    client = desk.client_for(admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "AcmeCare" in page.content.decode()
    form = {
        "kind": "sms",
        "name": "+15005550006",
        "config_account_sid": "AC" + "1" * 32,
        "config_auth_token": "secret-token",
        "config_from_number": "+15005550006",
    }
    with fake_platform((401, {"message": "Authenticate", "code": 20003})) as twilio:
        refused = client.post(url, {**form, "config_api_base": twilio.url})
    assert refused.status_code == 422
    assert "Twilio refused these credentials" in refused.content.decode()
    assert "secret-token" not in refused.content.decode()  # secrets are not echoed back
    with fake_platform((200, {"sid": "AC" + "1" * 32})) as twilio:
        done = client.post(url, {**form, "config_api_base": twilio.url}, follow=True)
    assert "Connected +15005550006" in done.content.decode()
    assert "/hooks/" in done.content.decode()


def test_listening_page_lists_mentions_and_converts_one(desk: Desk) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from rippledesk.listening.models import ListeningSource, Mention  # noqa: PLC0415

    source = ListeningSource.objects.create(
        workspace=desk.workspace, kind="feed", name="Forum", url="https://forum.example/feed"
    )
    mention = Mention.objects.create(
        source=source,
        external_id="t/1",
        author="poster",
        body="Acme lost my <b>bag</b>",
        published_at=timezone.now(),
        ripple_risk=0.4,
        sentiment="negative",
        created_at=timezone.now(),
    )
    url = reverse("web:listening", args=["acme"])
    page = desk.client.get(url)
    assert "Acme lost my &lt;b&gt;bag&lt;/b&gt;" in page.content.decode()
    manager = desk.client_for(desk.manager)
    converted = manager.post(url, {"action": "convert", "mention": str(mention.pk)})
    assert converted.status_code == 302
    mention.refresh_from_db()
    assert mention.conversation is not None
    assert converted["Location"] == desk.url("conversation", mention.conversation.number)
    assert desk.client.post(url, {"action": "convert", "mention": "999"}).status_code == 404
    # an agent who turns a mention into a conversation can work it
    other = Mention.objects.create(
        source=source,
        external_id="t/2",
        author="poster2",
        body="Acme again",
        published_at=timezone.now(),
        created_at=timezone.now(),
    )
    taken = desk.client.post(url, {"action": "convert", "mention": str(other.pk)}, follow=True)
    assert taken.status_code == 200
    other.refresh_from_db()
    assert other.conversation is not None
    assert other.conversation.assignee == desk.agent


def test_a_snooze_ends_by_itself_with_a_note_in_the_timeline(desk: Desk) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    conversation = desk.conversation("alice_w")
    Conversation.objects.filter(pk=conversation.pk).update(
        status="snoozed", snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    desk.client.get(desk.inbox_url())
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)
    page = desk.client.get(desk.url("conversation", conversation.number)).content.decode()
    assert "Snooze ended: back in the queue" in page
