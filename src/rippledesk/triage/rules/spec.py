"""What a rule says, as types: its conditions (field, operator, value) and its actions.

Stored as JSON on ``Rule``; every read and every write goes through :meth:`RuleSpec.parse`,
which refuses anything malformed with one problem per place (``conditions.1.value``,
``actions.0.team_id``), in words a person can act on. The checks that need the database (does
the team exist, would the rule trigger itself) are in ``checks.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from rippledesk.core.errors import InvalidInput
from rippledesk.triage.rules.fields import FIELDS, LIST_OPERATORS, OPERATORS, FieldInfo
from rippledesk.triage.rules.models import Match, Trigger

MAX_CONDITIONS = 20
MAX_ACTIONS = 10
TEXT_MAX = 2_000


Value = str | int | float | list[str] | list[int]


def split_list(raw: object) -> list[str]:
    """A list from a list or from comma-separated text (what a form sends)."""
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _number(raw: object, info: FieldInfo) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("must be a number")
    try:
        number = float(str(raw).replace(",", "").replace("_", "").strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    if info.minimum is not None and number < info.minimum:
        raise ValueError(f"must be at least {info.minimum:g}")
    if info.maximum is not None and number > info.maximum:
        raise ValueError(f"must be at most {info.maximum:g}")
    return number


def _ids(raw: object, many: bool) -> int | list[int]:
    items = split_list(raw) if many else [str(raw).strip()]
    if not items or not all(item.isdigit() for item in items):
        raise ValueError("give the id of an existing one (a whole number)")
    ids = [int(item) for item in items]
    return ids if many else ids[0]


def _words(raw: object, info: FieldInfo, many: bool) -> str | list[str]:
    items = split_list(raw) if many else [str(raw).strip()]
    if not items or not all(items):
        raise ValueError("give a value")
    if info.choices:
        wrong = [item for item in items if item not in info.choices]
        if wrong:
            raise ValueError(f"{wrong[0]!r} is not one of {', '.join(info.choices)}")
    if any(len(item) > 200 for item in items):
        raise ValueError("values are at most 200 characters")
    return items if many else items[0]


class Condition(BaseModel):
    """``field`` ``op`` ``value``: e.g. audience gt 10000, intent is churn_threat."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    op: str
    value: Value

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r}; known: {', '.join(FIELDS)}")
        return name

    @field_validator("op")
    @classmethod
    def _operator_fits(cls, op: str, info: Any) -> str:
        field = FIELDS.get(str(info.data.get("field", "")))
        if field is not None and op not in OPERATORS[field.kind]:
            allowed = ", ".join(OPERATORS[field.kind])
            raise ValueError(f"{field.label} takes the operators {allowed}, not {op!r}")
        return op

    @field_validator("value", mode="before")
    @classmethod
    def _value_fits(cls, raw: object, info: Any) -> object:
        """The value in its canonical type for the field and operator (form text included)."""
        field = FIELDS.get(str(info.data.get("field", "")))
        op = info.data.get("op")
        if field is None or op is None:
            return raw  # the field or operator is already reported
        many = op in LIST_OPERATORS
        if field.kind == "number":
            return _number(raw, field)
        if field.kind in ("channel", "team"):
            return _ids(raw, many)
        if field.kind == "text":
            items = split_list(raw) if many else [str(raw).strip()]
            if not items or not items[0]:
                raise ValueError("give the text to look for")
            return [i.casefold() for i in items] if many else items[0].casefold()
        return _words(raw, field, many)


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    # Which triggers running this action can set off (for the loop checks).
    emits: ClassVar[frozenset[str]] = frozenset()


Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


def _clean(text: str) -> str:
    clean = text.replace("\r\n", "\n").strip()
    if not clean:
        raise ValueError("write the text first")
    return clean


class SetPriority(_Action):
    emits: ClassVar[frozenset[str]] = frozenset({Trigger.PRIORITY_CHANGED})
    type: Literal["set_priority"]
    priority: Literal["low", "normal", "high", "urgent"]


class RouteToTeam(_Action):
    emits: ClassVar[frozenset[str]] = frozenset({Trigger.TEAM_CHANGED, Trigger.ASSIGNED})
    type: Literal["route_to_team"]
    team_id: int


class AssignAgent(_Action):
    emits: ClassVar[frozenset[str]] = frozenset({Trigger.ASSIGNED})
    type: Literal["assign_agent"]
    user_id: int


class SetStatus(_Action):
    emits: ClassVar[frozenset[str]] = frozenset({Trigger.STATUS_CHANGED})
    type: Literal["set_status"]
    status: Literal["open", "pending", "resolved"]


class _TextAction(_Action):
    text: Text

    @field_validator("text")
    @classmethod
    def _text(cls, text: str) -> str:
        return _clean(text)


class AddNote(_TextAction):
    type: Literal["add_note"]


class Notify(_TextAction):
    """Tell people: the workspace's managers and admins, the assignee, or one member."""

    type: Literal["notify"]
    to: Literal["managers", "assignee", "user"]
    user_id: int | None = None

    @model_validator(mode="after")
    def _user_when_needed(self) -> Notify:
        if self.to == "user" and self.user_id is None:
            raise ValueError("user_id: say which member to notify")
        if self.to != "user" and self.user_id is not None:
            raise ValueError(f"user_id: only with to='user' (this notifies the {self.to})")
        return self


class SuggestReply(_TextAction):
    type: Literal["suggest_reply"]


class AutoReply(_TextAction):
    type: Literal["auto_reply"]


Action = Annotated[
    SetPriority
    | RouteToTeam
    | AssignAgent
    | SetStatus
    | AddNote
    | Notify
    | SuggestReply
    | AutoReply,
    Field(discriminator="type"),
]
ACTION_LABELS = {
    "set_priority": "Set priority",
    "route_to_team": "Route to team",
    "assign_agent": "Assign to agent",
    "set_status": "Set status",
    "add_note": "Add internal note",
    "notify": "Notify",
    "suggest_reply": "Suggest a reply to the agent",
    "auto_reply": "Send automatic reply in the channel",
}


_ACTION = TypeAdapter(Action)


def valid_actions(actions: Sequence[object]) -> list[tuple[int, _Action]]:
    """The actions among ``actions`` that parse on their own, with their places (for checking
    the rest of a rule whose other parts are refused)."""
    found: list[tuple[int, _Action]] = []
    for index, item in enumerate(actions):
        try:
            found.append((index, _ACTION.validate_python(item)))
        except ValidationError:
            continue
    return found


class RuleInvalid(InvalidInput):
    """A rule refused: ``problems`` lists every (field, message); the first is the message."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        field, message = problems[0]
        super().__init__(f"{field}: {message}" if field else message, field=field or None)
        self.problems = list(problems)

    def by_field(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for field, message in self.problems:
            found.setdefault(field, message)
        return found


class RuleSpec(BaseModel):
    """When (trigger), if (match over conditions), then (actions)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trigger: str
    match: str = "all"
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RuleSpec:
        """The spec, or RuleInvalid naming every problem by its place."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise RuleInvalid([_problem(error) for error in exc.errors()]) from None

    @classmethod
    def load(cls, trigger: str, match: str, conditions: object, actions: object) -> RuleSpec:
        return cls.parse(
            {"trigger": trigger, "match": match, "conditions": conditions, "actions": actions}
        )

    @field_validator("trigger")
    @classmethod
    def _known_trigger(cls, trigger: str) -> str:
        if trigger not in Trigger.values:
            raise ValueError(f"unknown trigger {trigger!r}; known: {', '.join(Trigger.values)}")
        return trigger

    @field_validator("match")
    @classmethod
    def _known_match(cls, match: str) -> str:
        if match not in Match.values:
            raise ValueError("say 'all' (every condition holds) or 'any' (one is enough)")
        return match

    def emits(self) -> frozenset[str]:
        return frozenset().union(*(action.emits for action in self.actions))


def _problem(error: Any) -> tuple[str, str]:
    """(dotted place, message) of one pydantic error, without pydantic's jargon."""
    loc = [str(part) for part in error.get("loc", ())]
    if len(loc) > 2 and loc[0] == "actions" and loc[2] in ACTION_LABELS:
        del loc[2]  # the union's tag: the place is actions.N.field
    message = str(error.get("msg", "is not valid"))
    kind = error.get("type")
    if kind == "union_tag_invalid":
        loc.append("type")
        message = f"unknown action; known: {', '.join(ACTION_LABELS)}"
    elif kind == "union_tag_not_found":
        loc.append("type")
        message = f"say which action (type): {', '.join(ACTION_LABELS)}"
    elif kind == "extra_forbidden":
        message = "is not part of this action" if loc[:1] == ["actions"] else "is not known"
    elif kind == "missing":
        message = "is required"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        if message.startswith("user_id: "):
            loc.append("user_id")
            message = message.removeprefix("user_id: ")
    return ".".join(loc), message
