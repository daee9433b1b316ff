"""The rule form without JavaScript: rows of plain inputs to and from a ``RuleInput``.

Conditions are rows of (field, operator, value); actions are rows of (type, target, text),
where ``target`` is one select holding every priority, status, team, member and recipient as
``kind:value`` (``team:5``, ``priority:urgent``). Empty rows are dropped and the rest renumbered
before checking, so a problem's place (``actions.1.text``) is the row shown second. Teams and
channel accounts in conditions may be written by name; the form turns them into ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from rippledesk.analysis.types import PRIORITIES
from rippledesk.channels.models import ChannelAccount
from rippledesk.triage.rules.actions import RuleInput
from rippledesk.triage.rules.fields import FIELDS
from rippledesk.triage.rules.models import Rule
from rippledesk.triage.rules.spec import split_list
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Membership, Team

ROWS_MAX = 20
BLANK_ROWS = 1
# What kind of target each action needs ("" : none, only text).
TARGET_KIND = {
    "set_priority": "priority",
    "set_status": "status",
    "route_to_team": "team",
    "assign_agent": "user",
    "notify": "to",
    "add_note": "",
    "suggest_reply": "",
    "auto_reply": "",
}
TEXT_ACTIONS = {"add_note", "notify", "suggest_reply", "auto_reply"}
_TARGET_WORDS = {
    "priority": "a priority",
    "status": "a status",
    "team": "a team",
    "user": "a member",
    "to": "who to notify",
}


@dataclass
class FormState:
    """What the form shows: its rows (as typed) and the problems by place."""

    name: str = ""
    trigger: str = "message_received"
    match: str = "all"
    enabled: bool = True
    cooldown: str = "0"
    stop_processing: bool = False
    conditions: list[dict[str, str]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def padded(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Rows with a blank one to add to, each with its own problems attached."""
        blank_c = [{"field": "", "op": "", "value": ""}] * BLANK_ROWS
        blank_a = [{"type": "", "target": "", "text": ""}] * BLANK_ROWS
        conditions = [
            {**row, "index": i, "errors": self._row_errors("conditions", i)}
            for i, row in enumerate([*self.conditions, *blank_c][:ROWS_MAX])
        ]
        actions = [
            {**row, "index": i, "errors": self._row_errors("actions", i)}
            for i, row in enumerate([*self.actions, *blank_a][:ROWS_MAX])
        ]
        return conditions, actions

    def _row_errors(self, group: str, index: int) -> list[str]:
        prefix = f"{group}.{index}"
        return [
            f"{place.removeprefix(prefix + '.') or 'row'}: {message}"
            for place, message in self.errors.items()
            if place == prefix or place.startswith(prefix + ".")
        ]


def target_choices(seat: Seat) -> list[tuple[str, list[tuple[str, str]]]]:
    """The target select's groups: (label, [(value, text)])."""
    members = Membership.objects.filter(workspace=seat.workspace).select_related("user")
    return [
        ("Priority", [(f"priority:{p}", p) for p in PRIORITIES]),
        ("Status", [(f"status:{s}", s) for s in ("open", "pending", "resolved")]),
        (
            "Team",
            [(f"team:{t.pk}", t.name) for t in Team.objects.filter(workspace=seat.workspace)],
        ),
        (
            "Member",
            [
                (f"user:{m.user_id}", m.user.get_full_name() or m.user.get_username())
                for m in members.order_by("user__username")
            ],
        ),
        ("Notify", [("to:managers", "the managers and admins"), ("to:assignee", "the assignee")]),
    ]


def _rows(post: QueryDict, prefix: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for index in range(ROWS_MAX + BLANK_ROWS):
        row = {key: post.get(f"{prefix}-{index}-{key}", "").strip() for key in keys}
        if row[keys[0]]:
            rows.append(row)
    return rows[:ROWS_MAX]


def state_from_post(post: QueryDict) -> FormState:
    return FormState(
        name=post.get("name", ""),
        trigger=post.get("trigger", ""),
        match=post.get("match", "all"),
        enabled=post.get("enabled") == "on",
        cooldown=post.get("cooldown_minutes", "0").strip() or "0",
        stop_processing=post.get("stop_processing") == "on",
        conditions=_rows(post, "c", ("field", "op", "value")),
        actions=_rows(post, "a", ("type", "target", "text")),
    )


def _named_ids(seat: Seat, field_name: str, raw: str) -> tuple[str, str]:
    """Team or channel names in a condition's value as ids ("" problem when all are known)."""
    model = Team if field_name == "team" else ChannelAccount
    known = {
        name.casefold(): pk
        for pk, name in model.objects.filter(workspace=seat.workspace).values_list("pk", "name")
    }
    ids = []
    for item in split_list(raw):
        if item.isdigit():
            ids.append(item)
        elif item.casefold() in known:
            ids.append(str(known[item.casefold()]))
        else:
            what = "team" if field_name == "team" else "channel account"
            return raw, f"no {what} called {item!r}"
    return ",".join(ids), ""


def _condition(
    seat: Seat, row: dict[str, str], index: int, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    value = row["value"]
    info = FIELDS.get(row["field"])
    if info is not None and info.kind in ("team", "channel") and value:
        value, problem = _named_ids(seat, row["field"], value)
        if problem:
            problems.append((f"conditions.{index}.value", problem))
    return {"field": row["field"], "op": row["op"], "value": value}


def _action(row: dict[str, str], index: int, problems: list[tuple[str, str]]) -> dict[str, Any]:
    kind_needed = TARGET_KIND.get(row["type"])
    action: dict[str, Any] = {"type": row["type"]}
    if row["type"] in TEXT_ACTIONS:
        action["text"] = row["text"]
    if not kind_needed:
        return action
    kind, _, value = row["target"].partition(":")
    if kind != kind_needed and not (row["type"] == "notify" and kind == "user"):
        problems.append((f"actions.{index}.target", f"choose {_TARGET_WORDS[kind_needed]}"))
        return action
    if kind == "priority":
        action["priority"] = value
    elif kind == "status":
        action["status"] = value
    elif kind == "team":
        action["team_id"] = int(value) if value.isdigit() else -1
    elif kind == "user" and row["type"] == "notify":
        action.update(to="user", user_id=int(value) if value.isdigit() else -1)
    elif kind == "user":
        action["user_id"] = int(value) if value.isdigit() else -1
    else:
        action["to"] = value
    return action


def rule_input(seat: Seat, state: FormState) -> RuleInput:
    problems: list[tuple[str, str]] = []
    if not state.cooldown.isdigit():
        problems.append(("cooldown_minutes", "give a whole number of minutes (0: no pause)"))
    return RuleInput(
        name=state.name,
        trigger=state.trigger,
        match=state.match,
        conditions=[_condition(seat, r, i, problems) for i, r in enumerate(state.conditions)],
        actions=[_action(r, i, problems) for i, r in enumerate(state.actions)],
        enabled=state.enabled,
        cooldown_minutes=int(state.cooldown) if state.cooldown.isdigit() else 0,
        stop_processing=state.stop_processing,
        early_problems=problems,
    )


def state_from_rule(rule: Rule) -> FormState:
    """The form of a stored rule (ids of teams and channels shown as names)."""
    teams = dict(Team.objects.filter(workspace=rule.workspace_id).values_list("pk", "name"))
    channels = dict(
        ChannelAccount.objects.filter(workspace=rule.workspace_id).values_list("pk", "name")
    )
    spec = rule.spec
    conditions = []
    for c in spec.conditions:
        values = c.value if isinstance(c.value, list) else [c.value]
        names = teams if c.field == "team" else channels if c.field == "channel" else {}
        shown = [names.get(v, str(v)) if isinstance(v, int) else str(v) for v in values]
        number = isinstance(c.value, int | float) and FIELDS[c.field].kind == "number"
        text = f"{c.value:g}" if number else ", ".join(shown)
        conditions.append({"field": c.field, "op": c.op, "value": text})
    actions = []
    for a in spec.actions:
        data = a.model_dump()
        target = ""
        if "priority" in data:
            target = f"priority:{data['priority']}"
        elif "status" in data:
            target = f"status:{data['status']}"
        elif "team_id" in data:
            target = f"team:{data['team_id']}"
        elif data.get("user_id") is not None:
            target = f"user:{data['user_id']}"
        elif "to" in data:
            target = f"to:{data['to']}"
        actions.append({"type": a.type, "target": target, "text": data.get("text", "")})
    return FormState(
        name=rule.name,
        trigger=rule.trigger,
        match=rule.match,
        enabled=rule.enabled,
        cooldown=str(rule.cooldown_minutes),
        stop_processing=rule.stop_processing,
        conditions=conditions,
        actions=actions,
    )
