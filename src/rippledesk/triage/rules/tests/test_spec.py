"""What a rule may say: every malformed part refused, named by its place, in plain words; and
how conditions read unknown facts."""

from __future__ import annotations

from typing import Any

import pytest

from rippledesk.triage.rules.spec import Condition, RuleInvalid, RuleSpec

NOTE = {"type": "add_note", "text": "hi"}


def problems(**data: Any) -> dict[str, str]:
    with pytest.raises(RuleInvalid) as refused:
        RuleSpec.parse({"trigger": "message_received", "actions": [NOTE], **data})
    return refused.value.by_field()


def test_a_good_rule_is_parsed_into_canonical_values() -> None:
    spec = RuleSpec.parse(
        {
            "trigger": "message_received",
            "match": "any",
            "conditions": [
                {"field": "audience", "op": "gt", "value": "10,000"},
                {"field": "topic", "op": "in", "value": "baggage, refund"},
                {"field": "message_text", "op": "contains", "value": "  Cancel  "},
                {"field": "team", "op": "in", "value": [3, 4]},
            ],
            "actions": [{"type": "notify", "to": "user", "user_id": 7, "text": " look \r\n"}],
        }
    )
    assert [c.value for c in spec.conditions] == [10000.0, ["baggage", "refund"], "cancel", [3, 4]]
    assert spec.actions[0].model_dump() == {
        "type": "notify",
        "to": "user",
        "user_id": 7,
        "text": "look",
    }
    assert spec.emits() == frozenset()


def test_conditions_are_refused_by_place() -> None:
    found = problems(
        conditions=[
            {"field": "mood", "op": "is", "value": "x"},
            {"field": "audience", "op": "contains", "value": "5"},
            {"field": "audience", "op": "gt", "value": "lots"},
            {"field": "sentiment", "op": "is", "value": "angry"},
            {"field": "ripple_risk", "op": "gte", "value": 2},
            {"field": "sentiment", "op": "in", "value": ""},
        ]
    )
    assert found["conditions.0.field"].startswith("unknown field 'mood'; known: sentiment, ")
    assert found["conditions.1.op"] == (
        "Audience (followers) takes the operators gt, gte, lt, lte, eq, not 'contains'"
    )
    assert found["conditions.2.value"] == "'lots' is not a number"
    assert found["conditions.3.value"] == "'angry' is not one of negative, neutral, positive"
    assert found["conditions.4.value"] == "must be at most 1"
    assert found["conditions.5.value"] == "give a value"


def test_actions_are_refused_by_place() -> None:
    found = problems(
        actions=[
            {"type": "launch_rocket"},
            {"type": "set_priority"},
            {"type": "set_priority", "priority": "asap"},
            {"type": "notify", "to": "user", "text": "hi"},
            {"type": "add_note", "text": "   "},
            {"type": "set_status", "status": "open", "team_id": 3},
            {"text": "no type"},
        ]
    )
    assert found["actions.0.type"].startswith("unknown action; known: set_priority, ")
    assert found["actions.1.priority"] == "is required"
    assert found["actions.2.priority"].startswith("Input should be 'low', 'normal'")
    assert found["actions.3.user_id"] == "say which member to notify"
    assert found["actions.4.text"] == "write the text first"
    assert found["actions.5.team_id"] == "is not part of this action"
    assert found["actions.6.type"].startswith("say which action (type)")


def test_the_rule_itself_is_refused_by_place() -> None:
    assert problems(trigger="sometimes")["trigger"].startswith("unknown trigger 'sometimes'")
    assert problems(match="most")["match"].startswith("say 'all'")
    assert (
        problems(actions=[])["actions"]
        == "List should have at least 1 item after validation, not 0"
    )
    assert "conditions" in problems(conditions=[NOTE] * 21)


def test_invalid_lists_every_problem_and_names_the_first() -> None:
    with pytest.raises(RuleInvalid) as refused:
        RuleSpec.parse({"trigger": "x", "actions": []})
    assert refused.value.field == "trigger"
    assert len(refused.value.problems) == 2
    assert str(refused.value).startswith("trigger: unknown trigger 'x'")


def test_a_condition_value_may_be_a_list_or_text_for_the_many_operators() -> None:
    as_list = Condition(field="intent", op="not_in", value=["praise", "other"])
    as_text = Condition(field="intent", op="not_in", value="praise,other")
    assert as_list == as_text
