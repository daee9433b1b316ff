"""Conditions against real conversations: text, channel, team, unknown facts, any/all."""

from __future__ import annotations

import pytest

from rippledesk.triage.rules.models import RuleRun
from rippledesk.triage.rules.tests.support import Desk, build_desk

pytestmark = pytest.mark.django_db
NOTE = [{"type": "add_note", "text": "matched"}]


@pytest.fixture
def desk() -> Desk:
    return build_desk()


def fired() -> list[str]:
    return sorted(RuleRun.objects.values_list("rule__name", flat=True))


def test_text_channel_and_team_conditions(desk: Desk) -> None:
    desk.rule(
        "refund in chat",
        conditions=[
            {"field": "channel", "op": "is", "value": desk.chat.pk},
            {"field": "message_text", "op": "contains_any", "value": "refund, money back"},
            {"field": "team", "op": "is", "value": desk.care.pk},
        ],
        actions=NOTE,
    )
    desk.rule(
        "not from chat",
        conditions=[{"field": "channel_kind", "op": "is_not", "value": "webchat"}],
        actions=NOTE,
    )
    desk.chat_say(desk.visitor(), "I want my MONEY BACK now")
    assert fired() == ["refund in chat"]
    desk.dm("I want my money back", user="x_user")
    assert fired() == ["not from chat", "refund in chat"]


def test_unknown_facts_match_only_the_negative_operators(desk: Desk) -> None:
    desk.rule("small", conditions=[{"field": "audience", "op": "lt", "value": 100}], actions=NOTE)
    desk.rule("big", conditions=[{"field": "audience", "op": "gte", "value": 100}], actions=NOTE)
    desk.rule(
        "not an sla alert",
        conditions=[{"field": "sla_metric", "op": "is_not", "value": "resolution"}],
        actions=NOTE,
    )
    desk.chat_say(desk.visitor(), "hello")  # a web chat visitor: audience unknown
    assert fired() == ["not an sla alert"]


def test_any_needs_one_condition_and_all_needs_every_one(desk: Desk) -> None:
    conditions = [
        {"field": "message_text", "op": "starts_with", "value": "hello"},
        {"field": "message_count", "op": "gte", "value": 5},
    ]
    desk.rule("any", match="any", conditions=conditions, actions=NOTE)
    desk.rule("all", match="all", conditions=conditions, actions=NOTE)
    desk.rule("always", actions=NOTE)
    desk.dm("Hello there")
    assert fired() == ["always", "any"]
