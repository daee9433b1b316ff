"""Loops: refused when a rule is saved or switched on; held by the run-time guards otherwise.
Also the order rules run in, and ``stop_processing``."""

from __future__ import annotations

import pytest

from rippledesk.conversations.models import Direction
from rippledesk.triage.rules.actions import RuleInput, do_set_rule_enabled, do_update_rule
from rippledesk.triage.rules.engine import MAX_DEPTH
from rippledesk.triage.rules.models import Outcome, Rule, RuleRun
from rippledesk.triage.rules.spec import RuleInvalid
from rippledesk.triage.rules.tests.support import Desk, build_desk

pytestmark = pytest.mark.django_db
QUESTION = "Hi, where is my order #A12?"  # neutral: analysis changes no priority


@pytest.fixture
def desk() -> Desk:
    return build_desk()


@pytest.mark.parametrize(
    ("trigger", "action", "words"),
    [
        ("priority_changed", {"type": "set_priority", "priority": "high"}, "set priority"),
        ("status_changed", {"type": "set_status", "status": "pending"}, "set status"),
        ("assigned", {"type": "assign_agent", "user_id": 0}, "assign to agent"),
        ("team_changed", {"type": "route_to_team", "team_id": 0}, "route to team"),
        ("assigned", {"type": "route_to_team", "team_id": 0}, "route to team"),
    ],
)
def test_a_rule_that_sets_off_its_own_trigger_is_refused(
    desk: Desk, trigger: str, action: dict[str, object], words: str
) -> None:
    if "user_id" in action:
        action = {**action, "user_id": desk.users["ava"].pk}
    if "team_id" in action:
        action = {**action, "team_id": desk.care.pk}
    with pytest.raises(RuleInvalid) as refused:
        desk.rule("loop", trigger=trigger, actions=[{"type": "add_note", "text": "x"}, action])
    assert refused.value.field == "actions.1.type"
    assert f"its action '{words}' changes that again, so it would set itself off" in str(
        refused.value
    )
    assert not Rule.objects.exists()


def test_rules_that_set_each_other_off_are_refused_naming_the_other(desk: Desk) -> None:
    desk.rule(
        "Escalate",
        trigger="priority_changed",
        actions=[{"type": "assign_agent", "user_id": desk.users["ava"].pk}],
    )
    bump_priority: list[dict[str, object]] = [{"type": "set_priority", "priority": "high"}]
    circle = {"trigger": "assigned", "actions": bump_priority}
    with pytest.raises(RuleInvalid) as refused:
        desk.rule("Bump", **circle)
    message = str(refused.value)
    assert refused.value.field == "trigger"
    assert "rules would set each other off in a circle" in message
    assert "this rule set priority when the assignee changes" in message
    assert "'Escalate' assign to agent when the priority changes" in message
    # Saved switched off it is fine; switching it on is refused for the same reason.
    bump = desk.rule("Bump", enabled=False, **circle)
    with pytest.raises(RuleInvalid, match="circle"):
        do_set_rule_enabled(desk.seat(), bump, True)
    bump.refresh_from_db()
    assert not bump.enabled
    # Breaking the circle (another trigger) lets it on.
    do_update_rule(
        desk.seat(),
        bump,
        RuleInput(name="Bump", trigger="message_received", actions=bump_priority),
    )
    bump.refresh_from_db()
    assert bump.enabled


def _stored(desk: Desk, name: str, trigger: str, actions: list[dict[str, object]]) -> Rule:
    """A rule as an older version might have stored it, without today's save-time checks."""
    position = Rule.objects.filter(workspace=desk.workspace).count()
    return Rule.objects.create(
        workspace=desk.workspace, name=name, trigger=trigger, actions=actions, position=position
    )


def test_a_chain_of_rules_stops_at_the_depth_limit(desk: Desk) -> None:
    desk.rule("1 high", actions=[{"type": "set_priority", "priority": "high"}])
    desk.rule(
        "2 pending",
        trigger="priority_changed",
        actions=[{"type": "set_status", "status": "pending"}],
    )
    desk.rule(
        "3 retention",
        trigger="status_changed",
        actions=[{"type": "route_to_team", "team_id": desk.retention.pk}],
    )
    desk.rule("4 note", trigger="team_changed", actions=[{"type": "add_note", "text": "deep"}])
    desk.dm(QUESTION)
    conversation = desk.latest()
    assert (conversation.priority, conversation.status, conversation.team) == (
        "high",
        "pending",
        desk.retention,
    )
    log = list(RuleRun.objects.order_by("pk").values_list("rule__name", "outcome", "depth"))
    assert log == [
        ("1 high", Outcome.FIRED, 0),
        ("2 pending", Outcome.FIRED, 1),
        ("3 retention", Outcome.FIRED, 2),
        ("4 note", Outcome.SKIPPED, MAX_DEPTH),
    ]
    assert "at most 3 deep" in RuleRun.objects.get(rule__name="4 note").error
    assert not conversation.messages.filter(direction=Direction.NOTE).exists()


def test_stored_rules_that_loop_fire_once_per_chain(desk: Desk) -> None:
    desk.rule("start", actions=[{"type": "set_priority", "priority": "high"}])
    _stored(desk, "ping", "priority_changed", [{"type": "set_status", "status": "pending"}])
    _stored(desk, "pong", "status_changed", [{"type": "set_priority", "priority": "low"}])
    desk.dm(QUESTION)
    conversation = desk.latest()
    log = list(RuleRun.objects.order_by("pk").values_list("rule__name", "outcome", "depth"))
    assert log == [
        ("start", Outcome.FIRED, 0),
        ("ping", Outcome.FIRED, 1),
        ("pong", Outcome.FIRED, 2),
        ("ping", Outcome.SKIPPED, 3),
    ]
    held = RuleRun.objects.filter(rule__name="ping").order_by("pk").last()
    assert held is not None
    assert "Already fired on this conversation" in held.error
    assert (conversation.priority, conversation.status) == ("low", "pending")
    # The next customer message starts a new chain: the rules run again, and stop again.
    desk.dm("and another question", user="danaruiz")
    assert RuleRun.objects.filter(rule__name="start").count() == 2


def test_rules_run_in_order_and_the_later_one_wins(desk: Desk) -> None:
    desk.rule("first", actions=[{"type": "set_priority", "priority": "high"}])
    desk.rule("second", actions=[{"type": "set_priority", "priority": "low"}])
    desk.dm(QUESTION)
    assert desk.latest().priority == "low"
    first = Rule.objects.get(name="first")
    do_update_rule(
        desk.seat(),
        first,
        RuleInput(
            name="first",
            trigger="message_received",
            actions=first.actions,
            stop_processing=True,
        ),
    )
    desk.dm("another one", user="someone")
    assert desk.latest().priority == "high"
    assert RuleRun.objects.filter(rule__name="second").count() == 1
