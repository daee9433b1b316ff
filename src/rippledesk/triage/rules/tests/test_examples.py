"""The four example rules of the issue, as the demo seeds them, end to end through the webhooks:
a message arrives, is analysed and routed, the rules act, and people see the result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.triage.models import Holiday
from rippledesk.triage.rules import examples
from rippledesk.triage.rules.examples import do_seed_example_rules
from rippledesk.triage.rules.models import Notification, Outcome, Rule, RuleRun
from rippledesk.triage.rules.tests.support import Desk, build_desk
from rippledesk.triage.sla_actions import do_add_holiday, do_set_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    desk = build_desk()
    rules = do_seed_example_rules(desk.seat("ada"))
    assert [r.name for r in rules] == [
        examples.LOUD,
        examples.PRAISE,
        examples.CHURN,
        examples.AFTER_HOURS,
    ]
    return desk


def runs(rule_name: str) -> list[RuleRun]:
    return list(RuleRun.objects.filter(rule__name=rule_name).order_by("pk"))


@override_settings(RIPPLEDESK_NOTIFY_EMAIL=True)
def test_negative_from_a_large_audience_is_urgent_and_the_managers_are_told(desk: Desk) -> None:
    desk.tweet(
        "@AcmeAir the wifi on this flight is disappointing", user="bigvoice", followers=20_000
    )
    loud = desk.latest()
    assert (loud.sentiment, loud.priority) == ("negative", "urgent")
    told = Notification.objects.filter(conversation=loud).order_by("user__username")
    assert [n.user.username for n in told] == ["ada", "max"]  # the admin and the manager
    assert "bigvoice is unhappy in front of a large audience on AcmeAir" in told[0].text
    assert f"#{loud.number}" in told[0].text
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@acme.example", "max@acme.example"]
    assert f"/w/acme/conversations/{loud.number}/" in mail.outbox[0].body
    timeline = loud.messages.filter(direction=Direction.SYSTEM).values_list("body", flat=True)
    assert f'Rule "{examples.LOUD}" set the priority to urgent' in timeline
    [run] = runs(examples.LOUD)
    assert run.outcome == Outcome.FIRED
    assert run.done == ["set the priority to urgent", "notified Ada, Max"]

    # The same words from a small account: analysis leaves it at normal, and nobody is told.
    desk.tweet("@AcmeAir the wifi on this flight is disappointing", user="small", followers=500)
    quiet = desk.latest()
    assert quiet.pk != loud.pk
    assert (quiet.sentiment, quiet.priority) == ("negative", "normal")
    assert not Notification.objects.filter(conversation=quiet).exists()
    assert len(mail.outbox) == 2
    # The manager sees it in the desk: the count in the top bar and the list.
    manager = desk.client_for("max")
    page = manager.get("/w/acme/notifications/")
    assert page.status_code == 200
    assert b"bigvoice is unhappy" in page.content
    assert b'aria-label="1 unread"' in page.content
    manager.post("/w/acme/notifications/")
    assert b"unread" not in manager.get("/w/acme/inbox/").content


def test_praise_offers_the_agent_a_thank_you_in_the_composer(desk: Desk) -> None:
    desk.tweet("@AcmeAir thank you so much, the crew was amazing and so kind!", user="happyflyer")
    conversation = desk.latest()
    assert conversation.intent == "praise"
    agent = desk.client_for("ava")
    page = agent.get(f"/w/acme/conversations/{conversation.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Suggested by rules" in html
    # Filled in for the reader: the customer's first name and the agent's own.
    assert (
        "Thank you so much, happyflyer! We&#x27;ll pass your kind words on to the team. - Ava"
        in html
    )
    assert "data-use-suggestion" in html
    # A complaint gets no thank-you.
    desk.tweet("@AcmeAir my bag is lost and nobody answers", user="other")
    other = desk.latest()
    assert (
        "Suggested by rules"
        not in agent.get(f"/w/acme/conversations/{other.number}/").content.decode()
    )


def test_a_churn_threat_is_routed_to_the_retention_team(desk: Desk) -> None:
    desk.dm("Your service is terrible, I am switching to Delta for good", user="leaving")
    conversation = desk.latest()
    assert conversation.intent == "churn_threat"
    assert (conversation.team, conversation.assignee) == (desk.retention, desk.users["rita"])
    events = list(
        conversation.messages.filter(direction=Direction.SYSTEM)
        .order_by("pk")
        .values_list("body", flat=True)
    )
    # Routing gave it to Care first (the channel's team), then the rule moved it on.
    assert events[0].startswith("Routed to Ava (Care")
    assert events[1] == f'Rule "{examples.CHURN}" routed this to Retention (Rita)'
    assert runs(examples.CHURN)[0].done == ["routed to Retention (Rita)"]
    # A question stays with Care.
    desk.dm("Hi, where is my order #A12?", user="asking")
    assert desk.latest().team == desk.care


def test_a_message_at_night_is_acknowledged_once_in_its_channel(desk: Desk) -> None:
    today = timezone.now().date()  # the workspace keeps time in UTC
    admin = desk.seat("ada")
    do_set_week(admin, dict.fromkeys(range(7), "09:00-17:00"))
    do_add_holiday(admin, today.isoformat(), "Closed today")
    visitor = desk.visitor()
    desk.chat_say(visitor, "hello, is anyone there?")
    conversation = desk.latest()
    replies = Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND)
    assert replies.count() == 1
    ack = replies.get()
    assert ack.event == "auto_reply"
    assert ack.delivery_status == "sent"  # delivered in the same channel, by its adapter
    assert ack.body.startswith("Thanks for writing, Visitor!")
    # The visitor sees it in the chat; the desk still owes a person's answer.
    history = desk.chat_history(visitor)
    assert [(m["from"], m["author"], m["body"][:19]) for m in history] == [
        ("visitor", "", "hello, is anyone th"),
        ("agent", "Acme", "Thanks for writing,"),  # signed by the desk, not by the rule's name
    ]
    desk.chat_say(visitor, "my order never came")
    conversation.refresh_from_db()
    assert replies.count() == 1  # not again within the quiet period
    assert conversation.first_response_at is None
    assert conversation.waiting_since is not None
    fired, held = runs(examples.AFTER_HOURS)
    assert (fired.outcome, held.outcome) == (Outcome.FIRED, Outcome.SKIPPED)
    assert "waits 720 minutes" in held.error
    # In business hours nothing is sent.
    Holiday.objects.all().delete()
    do_set_week(admin, dict.fromkeys(range(7), "00:00-00:00"))
    other = desk.visitor()
    desk.chat_say(other, "a question in the day")
    assert not Message.objects.filter(
        conversation=desk.latest(), direction=Direction.OUTBOUND
    ).exists()


def test_old_history_runs_no_rules(desk: Desk) -> None:
    desk.tweet(
        "@AcmeAir the wifi on this flight is disappointing",
        user="bigvoice",
        followers=20_000,
        at=timezone.now() - timedelta(days=3),
    )
    conversation = Conversation.objects.get()
    assert conversation.priority != "urgent"
    assert not RuleRun.objects.exists()
    assert not Notification.objects.exists()


def test_seeding_twice_adds_nothing(desk: Desk) -> None:
    assert do_seed_example_rules(desk.seat("ada")) == []
    assert Rule.objects.count() == 4
