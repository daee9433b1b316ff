"""The checks of a rule that need the database: what it names exists, and it cannot loop.

Loops are refused when a rule is saved or switched on, with the reason in words:

- a rule whose own action sets off its own trigger (sets the priority when the priority
  changes, assigns when the assignee changes), and
- rules that would set each other off in a circle (A assigns when the priority changes, B
  sets the priority when the assignee changes).

This looks at triggers and actions only, not at conditions: a circle that the conditions
happen to break today is still refused, because a later edit of a condition would close it
without warning. What gets past (rules saved before a check existed) is held by the engine's
run-time guard (``engine.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.canned import check_template
from rippledesk.core.errors import InvalidInput
from rippledesk.triage.rules.models import Rule, Trigger
from rippledesk.triage.rules.spec import (
    ACTION_LABELS,
    AssignAgent,
    Notify,
    RouteToTeam,
    RuleInvalid,
    RuleSpec,
    SuggestReply,
    _Action,
    _TextAction,
)
from rippledesk.workspaces.models import Membership, Team, User, Workspace

_TRIGGER_WORDS = {
    Trigger.CONVERSATION_CREATED: "when a conversation starts",
    Trigger.MESSAGE_RECEIVED: "when a customer message arrives",
    Trigger.STATUS_CHANGED: "when the status changes",
    Trigger.ASSIGNED: "when the assignee changes",
    Trigger.TEAM_CHANGED: "when the team changes",
    Trigger.PRIORITY_CHANGED: "when the priority changes",
    Trigger.SLA_WARNING: "when an SLA deadline is near",
    Trigger.SLA_BREACH: "when an SLA deadline passes",
}


@dataclass(frozen=True)
class Reference:
    """Something a rule names: ``kind`` team, user or channel, with its id and name today."""

    kind: str
    id: int
    name: str


def references(
    workspace: Workspace, spec: RuleSpec
) -> tuple[list[Reference], list[tuple[str, str]]]:
    """Everything the spec names, and a problem for each that is not in the workspace."""
    found: list[Reference] = []
    problems: list[tuple[str, str]] = []
    teams = dict(Team.objects.filter(workspace=workspace).values_list("pk", "name"))
    channels = dict(ChannelAccount.objects.filter(workspace=workspace).values_list("pk", "name"))
    members = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))

    def need(kind: str, ids: Iterable[int], known: dict[int, str], place: str) -> None:
        for pk in ids:
            if pk in known:
                found.append(Reference(kind, pk, known[pk]))
            else:
                problems.append((place, f"no {kind} with id {pk} in this workspace"))

    for index, condition in enumerate(spec.conditions):
        value = condition.value
        ids = [value] if isinstance(value, int) else value if isinstance(value, list) else []
        numbers = [v for v in ids if isinstance(v, int)]
        if condition.field == "team":
            need("team", numbers, teams, f"conditions.{index}.value")
        elif condition.field == "channel":
            need("channel", numbers, channels, f"conditions.{index}.value")
    names = dict(User.objects.filter(pk__in=members).values_list("pk", "username"))
    for index, action in enumerate(spec.actions):
        if isinstance(action, RouteToTeam):
            need("team", [action.team_id], teams, f"actions.{index}.team_id")
        elif isinstance(action, AssignAgent | Notify) and action.user_id is not None:
            need("user", [action.user_id], names, f"actions.{index}.user_id")
    return found, problems


def template_problems(actions: Iterable[tuple[int, _Action]]) -> list[tuple[str, str]]:
    """Unknown ``{{variables}}`` in the actions' texts (agent ones only in suggested replies)."""
    problems = []
    for index, action in actions:
        if isinstance(action, _TextAction):
            try:
                check_template(action.text, with_agent=isinstance(action, SuggestReply))
            except InvalidInput as exc:
                problems.append((f"actions.{index}.text", exc.message))
    return problems


def _describe(trigger: str, spec: RuleSpec, emitted: str) -> str:
    """'sets the priority when the assignee changes' for the action that emits ``emitted``."""
    doing = next(ACTION_LABELS[a.type].lower() for a in spec.actions if emitted in a.emits)
    return f"{doing} {_TRIGGER_WORDS[Trigger(trigger)]}"


def self_loop_problems(spec: RuleSpec) -> list[tuple[str, str]]:
    """A refusal for a rule whose own action sets off its own trigger."""
    if spec.trigger in spec.emits():
        index = next(i for i, a in enumerate(spec.actions) if spec.trigger in a.emits)
        action = ACTION_LABELS[spec.actions[index].type].lower()
        return [
            (
                f"actions.{index}.type",
                f"this rule runs {_TRIGGER_WORDS[Trigger(spec.trigger)]} and its action "
                f"'{action}' changes that again, so it would set itself off; pick another "
                "trigger (e.g. when a customer message arrives) or another action",
            )
        ]
    return []


def circle_problems(
    rule: Rule | None, spec: RuleSpec, workspace: Workspace
) -> list[tuple[str, str]]:
    """A refusal for a rule that closes a circle with the workspace's enabled rules."""
    others = Rule.objects.filter(workspace=workspace, enabled=True)
    if rule is not None and rule.pk:
        others = others.exclude(pk=rule.pk)
    specs: dict[int, tuple[str, RuleSpec]] = {0: ("this rule", spec)}
    for other in others:
        try:
            specs[other.pk] = (f"'{other.name}'", other.spec)
        except RuleInvalid:
            continue  # a broken stored rule never runs (the engine switches it off)
    path = _circle(specs)
    if not path:
        return []
    steps = [
        f"{specs[pk][0]} {_describe(specs[pk][1].trigger, specs[pk][1], specs[nxt][1].trigger)}"
        for pk, nxt in zip(path, path[1:] + path[:1], strict=True)
    ]
    return [
        (
            "trigger",
            "rules would set each other off in a circle: "
            + "; then ".join(steps)
            + "; change a trigger or an action so the circle is broken",
        )
    ]


def _circle(specs: dict[int, tuple[str, RuleSpec]]) -> list[int]:
    """A circle of rules through rule 0 (each one's actions set off the next's trigger)."""
    edges = {
        pk: [o for o, (_, other) in specs.items() if other.trigger in spec.emits()]
        for pk, (_, spec) in specs.items()
    }
    stack: list[tuple[int, list[int]]] = [(0, [0])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        for nxt in edges[node]:
            if nxt == 0:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []


def check_spec(
    rule: Rule | None, workspace: Workspace, spec: RuleSpec, *, enabled: bool
) -> list[Reference]:
    """Refuse (RuleInvalid, every problem listed) a spec that names what is not there, uses an
    unknown template variable, or would loop when enabled; else what it references."""
    found, problems = references(workspace, spec)
    problems += template_problems(enumerate(spec.actions))
    problems += self_loop_problems(spec)
    if enabled and not problems:
        problems += circle_problems(rule, spec, workspace)
    if problems:
        raise RuleInvalid(problems)
    return found
