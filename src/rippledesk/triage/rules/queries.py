"""Reads for the rules pages and API: the rules in run order, in words, and the run log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Direction, Message
from rippledesk.conversations.timings import AUTO_REPLY
from rippledesk.triage.rules.actions import require_manager
from rippledesk.triage.rules.fields import FIELDS, OPERATOR_LABELS
from rippledesk.triage.rules.models import Rule, RuleRun, RuleSuggestion
from rippledesk.triage.rules.spec import (
    ACTION_LABELS,
    RuleInvalid,
    RuleSpec,
)
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Team, User

RUNS_LIMIT = 200


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    when: str
    conditions: list[str]
    actions: list[str]
    problem: str  # why it cannot run as it is ("" when it can)


def _names(workspace_id: int) -> dict[str, dict[int, str]]:
    return {
        "team": dict(Team.objects.filter(workspace=workspace_id).values_list("pk", "name")),
        "channel": dict(
            ChannelAccount.objects.filter(workspace=workspace_id).values_list("pk", "name")
        ),
        "user": {
            pk: full.strip() or username
            for pk, username, full in User.objects.filter(
                memberships__workspace=workspace_id
            ).values_list("pk", "username", "first_name")
        },
    }


def _one(value: object, names: dict[int, str]) -> str:
    if names and isinstance(value, int):
        return names.get(value, f"#{value} (gone)")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,g}"
    return str(value)


def _shown(value: object, names: dict[int, str]) -> str:
    values = value if isinstance(value, list) else [value]
    return ", ".join(_one(v, names) for v in values)


def _quoted(text: str, limit: int = 80) -> str:
    return "“" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") + "”"


def describe(spec: RuleSpec, names: dict[str, dict[int, str]]) -> tuple[list[str], list[str]]:
    """The conditions and actions of a spec in words, teams and people by name."""
    conditions = [
        f"{FIELDS[c.field].label} {OPERATOR_LABELS[c.op]} {_shown(c.value, names.get(c.field, {}))}"
        for c in spec.conditions
    ]
    actions = []
    for action in spec.actions:
        data = action.model_dump()
        words = ACTION_LABELS[action.type]
        for key in ("priority", "status"):
            if key in data:
                words += f": {data[key]}"
        if "team_id" in data:
            words += f": {names['team'].get(data['team_id'], 'a deleted team')}"
        if data.get("user_id") is not None:
            words += f": {names['user'].get(data['user_id'], 'a removed member')}"
        elif "to" in data:
            words += f" the {data['to']}"
        if "text" in data:
            words += " " + _quoted(data["text"])
        actions.append(words)
    return conditions, actions


def rule_rows(seat: Seat) -> list[RuleRow]:
    """The workspace's rules in run order, with what would stop them from running."""
    from rippledesk.triage.rules.engine import broken_rules  # noqa: PLC0415 - engine imports us

    require_manager(seat)
    rules = list(Rule.objects.filter(workspace=seat.workspace).order_by("position", "pk"))
    names = _names(seat.workspace.pk)
    broken = broken_rules(rules) if rules else {}
    rows = []
    for rule in rules:
        try:
            conditions, actions = describe(rule.spec, names)
            problem = broken.get(rule.pk, "")
        except RuleInvalid as exc:
            conditions, actions, problem = [], [], f"Stored definition is invalid: {exc.message}"
        rows.append(RuleRow(rule, rule.get_trigger_display(), conditions, actions, problem))
    return rows


def rule_runs(seat: Seat, rule: Rule | None = None) -> QuerySet[RuleRun]:
    require_manager(seat)
    runs = RuleRun.objects.filter(workspace=seat.workspace)
    if rule is not None:
        runs = runs.filter(rule=rule)
    return runs.select_related("rule", "conversation").order_by("-at", "-pk")


def suggestions_for(conversation_id: int) -> list[RuleSuggestion]:
    """The rules' suggested replies still relevant: made after the last reply of the desk."""
    last_reply = (
        Message.objects.filter(conversation_id=conversation_id, direction=Direction.OUTBOUND)
        .exclude(event=AUTO_REPLY)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    rows = RuleSuggestion.objects.filter(conversation_id=conversation_id)
    if last_reply is not None:
        rows = rows.filter(created_at__gt=last_reply)
    return list(rows.order_by("created_at", "pk"))
