"""Automation rules of a workspace (managers and admins): list, read, create, replace, delete,
and each rule's run log.

The body says what the web form says: ``conditions`` are ``{field, op, value}`` and ``actions``
are ``{type, ...}`` with the parameters of that type. The same action functions check both,
so a refusal here has the web form's words, and its ``field`` names the place
(``conditions.0.value``, ``actions.1.team_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rippledesk.api.auth import seat
from rippledesk.api.errors import ErrorOut, InputSchema
from rippledesk.api.pagination import CursorParam, Id, Limit, keyset
from rippledesk.triage.rules.actions import (
    RuleInput,
    access_rule,
    do_create_rule,
    do_delete_rule,
    do_update_rule,
    require_manager,
)
from rippledesk.triage.rules.fields import FIELDS
from rippledesk.triage.rules.models import Rule, RuleRun
from rippledesk.triage.rules.spec import ACTION_LABELS

router = Router(tags=["automation rules"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ConditionValue = str | int | float | list[str] | list[int]


class ConditionIn(InputSchema):
    field: str = Field(..., description=f"one of {', '.join(FIELDS)}")
    op: str = Field(..., description="is, is_not, in, not_in, gt, gte, lt, lte, eq, contains, …")
    value: ConditionValue = Field(..., description="a list (or comma-separated text) for in/not_in")


class ActionIn(InputSchema):
    type: str = Field(..., description=f"one of {', '.join(ACTION_LABELS)}")
    priority: str | None = Field(None, description="set_priority: low, normal, high, urgent")
    status: str | None = Field(None, description="set_status: open, pending, resolved")
    team_id: int | None = Field(None, description="route_to_team")
    user_id: int | None = Field(None, description="assign_agent; notify with to='user'")
    to: str | None = Field(None, description="notify: managers, assignee or user")
    text: str | None = Field(
        None, max_length=2000, description="add_note, notify, suggest_reply, auto_reply"
    )


class RuleIn(InputSchema):
    name: str = Field(..., max_length=200)
    trigger: str = Field(
        ...,
        description="conversation_created, message_received, status_changed, assigned, "
        "team_changed, priority_changed",
    )
    match: str = Field("all", description="all or any")
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=50)
    actions: list[ActionIn] = Field(..., max_length=50)
    enabled: bool = True
    cooldown_minutes: int = Field(0, ge=0, le=10_000_000)
    stop_processing: bool = False


class ConditionOut(Schema):
    field: str
    op: str
    value: ConditionValue


class RuleOut(Schema):
    id: int
    name: str
    enabled: bool
    position: int
    trigger: str
    match: str
    conditions: list[ConditionOut]
    actions: list[dict[str, Any]]
    cooldown_minutes: int
    stop_processing: bool
    disabled_reason: str
    last_fired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RulePage(Schema):
    items: list[RuleOut]
    next_cursor: str | None


class RunOut(Schema):
    id: int
    at: datetime
    conversation_number: int | None
    trigger: str
    outcome: str
    done: list[str]
    error: str
    depth: int


class RunPage(Schema):
    items: list[RunOut]
    next_cursor: str | None


def rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        name=rule.name,
        enabled=rule.enabled,
        position=rule.position,
        trigger=rule.trigger,
        match=rule.match,
        conditions=[ConditionOut(**c) for c in rule.conditions],
        actions=list(rule.actions),
        cooldown_minutes=rule.cooldown_minutes,
        stop_processing=rule.stop_processing,
        disabled_reason=rule.disabled_reason,
        last_fired_at=rule.last_fired_at,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _input(payload: RuleIn) -> RuleInput:
    return RuleInput(
        name=payload.name,
        trigger=payload.trigger,
        match=payload.match,
        conditions=[c.model_dump() for c in payload.conditions],
        actions=[a.model_dump(exclude_none=True) for a in payload.actions],
        enabled=payload.enabled,
        cooldown_minutes=payload.cooldown_minutes,
        stop_processing=payload.stop_processing,
    )


@router.get("/w/{workspace}/rules", response={200: RulePage, **ERRORS})
def list_rules(request: HttpRequest, workspace: str, cursor: CursorParam, limit: Limit) -> RulePage:
    """In run order."""
    desk = seat(request, workspace)
    require_manager(desk)
    rows = Rule.objects.filter(workspace=desk.workspace)
    page, next_cursor = keyset(
        rows, (("position", False), ("id", False)), (int, int), cursor, limit
    )
    return RulePage(items=[rule_out(r) for r in page], next_cursor=next_cursor)


@router.post("/w/{workspace}/rules", response={201: RuleOut, **ERRORS})
def create_rule(request: HttpRequest, workspace: str, payload: RuleIn) -> Status[RuleOut]:
    """Placed after the others; refused (422) when it names what is not there or would loop."""
    desk = seat(request, workspace)
    return Status(201, rule_out(do_create_rule(desk, _input(payload))))


@router.get("/w/{workspace}/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def get_rule(request: HttpRequest, workspace: str, rule_id: Id) -> RuleOut:
    return rule_out(access_rule(seat(request, workspace), rule_id))


@router.put("/w/{workspace}/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def replace_rule(request: HttpRequest, workspace: str, rule_id: Id, payload: RuleIn) -> RuleOut:
    """Replace everything the rule says (its place in the order stays)."""
    desk = seat(request, workspace)
    return rule_out(do_update_rule(desk, access_rule(desk, rule_id), _input(payload)))


@router.delete("/w/{workspace}/rules/{rule_id}", response={204: None, **ERRORS})
def delete_rule(request: HttpRequest, workspace: str, rule_id: Id) -> Status[None]:
    desk = seat(request, workspace)
    do_delete_rule(desk, access_rule(desk, rule_id))
    return Status(204, None)


@router.get("/w/{workspace}/rules/{rule_id}/runs", response={200: RunPage, **ERRORS})
def list_runs(
    request: HttpRequest, workspace: str, rule_id: Id, cursor: CursorParam, limit: Limit
) -> RunPage:
    """The rule's run log, newest first."""
    rule = access_rule(seat(request, workspace), rule_id)
    rows = RuleRun.objects.filter(rule=rule).select_related("conversation")
    page, next_cursor = keyset(rows, (("id", True),), (int,), cursor, limit)
    return RunPage(
        items=[
            RunOut(
                id=r.pk,
                at=r.at,
                conversation_number=r.conversation.number if r.conversation else None,
                trigger=r.trigger,
                outcome=r.outcome,
                done=list(r.done),
                error=r.error,
                depth=r.depth,
            )
            for r in page
        ],
        next_cursor=next_cursor,
    )
