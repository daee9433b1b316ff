"""Writes on automation rules: create, update, switch on and off, reorder, delete.

Managers and admins only (agents may not change how the desk acts on its own). Web form and
API send the same :class:`RuleInput`, so both refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from rippledesk.core.errors import NotFound, PermissionDenied
from rippledesk.triage.rules.checks import Reference, check_spec, template_problems
from rippledesk.triage.rules.models import Rule, RuleReference
from rippledesk.triage.rules.spec import RuleInvalid, RuleSpec, valid_actions
from rippledesk.workspaces.access import Seat

COOLDOWN_MAX = 365 * 24 * 60
NAME_MAX = 120


@dataclass(frozen=True)
class RuleInput:
    """A rule as a person wrote it; conditions and actions are parsed by ``RuleSpec``."""

    name: str
    trigger: str
    match: str = "all"
    conditions: Sequence[Mapping[str, Any]] = ()
    actions: Sequence[Mapping[str, Any]] = ()
    enabled: bool = True
    cooldown_minutes: int = 0
    stop_processing: bool = False
    # Problems found before this input was built (the web form's own parsing), reported with
    # the rest so the person sees every one at once.
    early_problems: Sequence[tuple[str, str]] = field(default=())


def require_manager(seat: Seat) -> None:
    if not seat.can_manage:
        raise PermissionDenied(
            "Only managers and admins see and edit automation rules.", field="role"
        )


def access_rule(seat: Seat, rule_id: int) -> Rule:
    require_manager(seat)
    rule = Rule.objects.filter(workspace=seat.workspace, pk=rule_id).first()
    if rule is None:
        raise NotFound(f"No rule {rule_id}", field="rule")
    return rule


def _checked(
    seat: Seat, rule: Rule | None, data: RuleInput
) -> tuple[str, RuleSpec, list[Reference]]:
    """The clean name, the spec and what it references; RuleInvalid listing every problem."""
    require_manager(seat)
    problems: list[tuple[str, str]] = list(data.early_problems)
    name = " ".join(data.name.split())
    if not name or len(name) > NAME_MAX:
        problems.append(("name", f"give the rule a name of 1 to {NAME_MAX} characters"))
    else:
        same = Rule.objects.filter(workspace=seat.workspace, name=name)
        if rule is not None:
            same = same.exclude(pk=rule.pk)
        if same.exists():
            problems.append(("name", f"there is already a rule called {name!r}"))
    if not 0 <= data.cooldown_minutes <= COOLDOWN_MAX:
        problems.append(("cooldown_minutes", f"must be 0 to {COOLDOWN_MAX} minutes (a year)"))
    try:
        spec = RuleSpec.parse(
            {
                "trigger": data.trigger,
                "match": data.match,
                "conditions": list(data.conditions),
                "actions": list(data.actions),
            }
        )
    except RuleInvalid as exc:
        texts = template_problems(valid_actions(list(data.actions)))
        raise RuleInvalid(_in_form_order(problems + exc.problems + texts)) from None
    try:
        found = check_spec(rule, seat.workspace, spec, enabled=data.enabled)
    except RuleInvalid as exc:
        problems += exc.problems
    if problems:
        raise RuleInvalid(_in_form_order(problems))
    return name, spec, found


_FORM_ORDER = ("name", "trigger", "match", "conditions", "actions", "cooldown_minutes")


def _in_form_order(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Problems top to bottom as the form shows them; a parameter "is required" of an action
    whose target the form already said is wrong is the same problem, said once."""
    wrong_target = {place.rsplit(".", 1)[0] for place, _ in problems if place.endswith(".target")}
    kept = [
        (place, message)
        for place, message in problems
        if not (message == "is required" and place.rsplit(".", 1)[0] in wrong_target)
    ]

    def position(problem: tuple[str, str]) -> tuple[int, int]:
        head, _, rest = problem[0].partition(".")
        row = rest.split(".", 1)[0]
        section = _FORM_ORDER.index(head) if head in _FORM_ORDER else len(_FORM_ORDER)
        return section, int(row) if row.isdigit() else -1

    return sorted(kept, key=position)


def _store(rule: Rule, name: str, spec: RuleSpec, data: RuleInput, found: list[Reference]) -> None:
    rule.name = name
    rule.trigger = spec.trigger
    rule.match = spec.match
    rule.conditions = [c.model_dump() for c in spec.conditions]
    rule.actions = [a.model_dump() for a in spec.actions]
    rule.enabled = data.enabled
    rule.cooldown_minutes = data.cooldown_minutes
    rule.stop_processing = data.stop_processing
    rule.disabled_reason = ""
    rule.save()
    rule.references.all().delete()
    RuleReference.objects.bulk_create(
        RuleReference(
            rule=rule,
            kind=ref.kind,
            name=ref.name[:200],
            team_id=ref.id if ref.kind == "team" else None,
            user_id=ref.id if ref.kind == "user" else None,
            channel_id=ref.id if ref.kind == "channel" else None,
        )
        for ref in found
    )


def do_create_rule(seat: Seat, data: RuleInput) -> Rule:
    """A new rule, placed after the workspace's others."""
    name, spec, found = _checked(seat, None, data)
    with transaction.atomic():
        last = Rule.objects.filter(workspace=seat.workspace).aggregate(m=Max("position"))["m"]
        rule = Rule(workspace=seat.workspace, position=0 if last is None else last + 1)
        _store(rule, name, spec, data, found)
    return rule


def do_update_rule(seat: Seat, rule: Rule, data: RuleInput) -> Rule:
    """Replace what the rule says; saving clears a reason the desk had for switching it off."""
    name, spec, found = _checked(seat, rule, data)
    with transaction.atomic():
        _store(rule, name, spec, data, found)
    return rule


def do_set_rule_enabled(seat: Seat, rule: Rule, enabled: bool) -> None:
    """Switch a rule on (checked again: its team may be gone, or it may close a circle) or off."""
    require_manager(seat)
    if enabled:
        try:
            spec = rule.spec
        except RuleInvalid as exc:
            raise RuleInvalid([("rule", f"edit the rule first: {exc.message}")]) from None
        found = check_spec(rule, seat.workspace, spec, enabled=True)
        with transaction.atomic():
            _store(rule, rule.name, spec, _as_input(rule, enabled=True), found)
        return
    Rule.objects.filter(pk=rule.pk).update(enabled=False)
    rule.refresh_from_db()


def _as_input(rule: Rule, *, enabled: bool) -> RuleInput:
    return RuleInput(
        name=rule.name,
        trigger=rule.trigger,
        match=rule.match,
        enabled=enabled,
        cooldown_minutes=rule.cooldown_minutes,
        stop_processing=rule.stop_processing,
    )


def do_move_rule(seat: Seat, rule: Rule, direction: str) -> None:
    """Move the rule one place earlier (``up``) or later (``down``) in the run order."""
    require_manager(seat)
    if direction not in ("up", "down"):
        raise RuleInvalid([("direction", "say up or down")])
    with transaction.atomic():
        order = list(
            Rule.objects.select_for_update()
            .filter(workspace=seat.workspace)
            .order_by("position", "pk")
            .values_list("pk", flat=True)
        )
        at = order.index(rule.pk)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
        for position, pk in enumerate(order):
            Rule.objects.filter(pk=pk).exclude(position=position).update(position=position)
    rule.refresh_from_db()


def do_delete_rule(seat: Seat, rule: Rule) -> None:
    require_manager(seat)
    rule.delete()


def do_disable_rule(rule: Rule, reason: str) -> None:
    """The desk switches a rule off (what it names was deleted); the reason is shown in the list."""
    Rule.objects.filter(pk=rule.pk).update(enabled=False, disabled_reason=reason[:300])
