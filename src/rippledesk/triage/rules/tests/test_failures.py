"""What the rules do with bad input and failures: refused at save, switched off with a reason
when what they name is deleted, and never stalling the next rule or the ingest."""

from __future__ import annotations

import logging

import pytest

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.conversations.models import Direction, Message
from rippledesk.triage.rules import effects
from rippledesk.triage.rules.actions import do_set_rule_enabled
from rippledesk.triage.rules.models import Outcome, Rule, RuleRun
from rippledesk.triage.rules.spec import RuleInvalid
from rippledesk.triage.rules.tests.support import Desk, build_desk
from rippledesk.workspaces.models import Membership

pytestmark = pytest.mark.django_db
CHURN = "Your service is terrible, I am switching to Delta for good"
NOTE = {"type": "add_note", "text": "checked by the desk"}


@pytest.fixture
def desk() -> Desk:
    return build_desk()


def test_naming_a_team_or_member_that_is_not_there_is_refused(desk: Desk) -> None:
    with pytest.raises(RuleInvalid) as refused:
        desk.rule(
            "bad",
            conditions=[{"field": "team", "op": "is", "value": 987654}],
            actions=[
                {"type": "route_to_team", "team_id": 987654},
                {"type": "notify", "to": "user", "user_id": 987654, "text": "hi"},
            ],
        )
    assert refused.value.by_field() == {
        "conditions.0.value": "no team with id 987654 in this workspace",
        "actions.0.team_id": "no team with id 987654 in this workspace",
        "actions.1.user_id": "no user with id 987654 in this workspace",
    }


def test_a_deleted_team_switches_its_rule_off_with_the_reason(desk: Desk) -> None:
    desk.rule(
        "to retention",
        conditions=[{"field": "intent", "op": "is", "value": "churn_threat"}],
        actions=[{"type": "route_to_team", "team_id": desk.retention.pk}],
    )
    desk.rule("note", actions=[NOTE])
    desk.retention.delete()
    desk.dm(CHURN)
    rule = Rule.objects.get(name="to retention")
    assert not rule.enabled
    assert rule.disabled_reason == (
        "Team 'Retention' no longer exists in this workspace; edit the rule and switch it on again."
    )
    conversation = desk.latest()
    assert conversation.team == desk.care  # routing placed it; the broken rule did nothing
    [run] = RuleRun.objects.filter(rule=rule)
    assert (run.outcome, run.error) == (Outcome.DISABLED, rule.disabled_reason)
    assert RuleRun.objects.get(rule__name="note").outcome == Outcome.FIRED  # the next one ran
    page = desk.client_for("max").get("/w/acme/rules/")
    assert "Switched off by the desk: Team &#x27;Retention&#x27; no longer exists" in (
        page.content.decode()
    )
    with pytest.raises(RuleInvalid, match="no team with id"):
        do_set_rule_enabled(desk.seat(), rule, True)


def test_a_member_who_left_switches_the_rule_that_names_them_off(desk: Desk) -> None:
    desk.rule("to rita", actions=[{"type": "assign_agent", "user_id": desk.users["rita"].pk}])
    Membership.objects.filter(user=desk.users["rita"]).delete()
    desk.dm("hello")
    rule = Rule.objects.get()
    assert not rule.enabled
    assert rule.disabled_reason.startswith("Member 'rita' no longer exists")


def test_an_action_the_channel_refuses_is_logged_and_the_next_rule_runs(desk: Desk) -> None:
    long_reply = "Thanks for writing! " * 20  # 400 characters: a public X reply allows 280
    desk.rule(
        "ack",
        actions=[
            {"type": "set_priority", "priority": "high"},
            {"type": "auto_reply", "text": long_reply},
        ],
    )
    desk.rule("note", actions=[NOTE])
    desk.tweet("@AcmeAir hello there")
    conversation = desk.latest()
    run = RuleRun.objects.get(rule__name="ack")
    assert run.outcome == Outcome.PARTIAL
    assert run.done == ["set the priority to high"]  # the first action stays done
    assert run.error.startswith("Send automatic reply in the channel: The reply is 399 characters")
    assert conversation.priority == "high"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert RuleRun.objects.get(rule__name="note").outcome == Outcome.FIRED
    assert Message.objects.filter(direction=Direction.NOTE, conversation=conversation).exists()
    assert MessageAnalysis.objects.filter(message__conversation=conversation).exists()


def test_a_crashing_action_does_not_stop_the_next_rule_or_the_ingest(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(effects, "do_desk_note", crash)
    desk.rule("crashes", actions=[NOTE])
    desk.rule("then high", actions=[{"type": "set_priority", "priority": "high"}])
    with caplog.at_level(logging.ERROR, logger="rippledesk.rules"):
        desk.dm("hello")
        desk.dm("hello again", user="second")
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2
    crashed = RuleRun.objects.filter(rule__name="crashes")
    assert [r.outcome for r in crashed] == [Outcome.FAILED, Outcome.FAILED]
    assert crashed[0].error == (
        "Add internal note: unexpected error (RuntimeError); the details are in the server log"
    )
    assert RuleRun.objects.filter(rule__name="then high", outcome=Outcome.FIRED).count() == 2
    assert "disk on fire" in caplog.text
    assert Rule.objects.get(name="crashes").enabled  # a crash is not a reason to switch off


def test_a_stored_rule_that_no_longer_parses_is_switched_off(desk: Desk) -> None:
    Rule.objects.create(
        workspace=desk.workspace,
        name="old",
        trigger="message_received",
        actions=[{"type": "launch_rocket"}],
    )
    desk.dm("hello")
    rule = Rule.objects.get()
    assert not rule.enabled
    assert "Its stored definition is invalid: actions.0.type: unknown action" in (
        rule.disabled_reason
    )
