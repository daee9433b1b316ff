"""Automation rules pages (managers and admins): the list, the form, the run log.

Plain forms, post/redirect/get; a refused rule re-renders the form with every problem next to
its row and field, and the rows as typed.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.core.errors import ActionError
from rippledesk.triage.rules.actions import (
    access_rule,
    do_create_rule,
    do_delete_rule,
    do_move_rule,
    do_set_rule_enabled,
    do_update_rule,
    require_manager,
)
from rippledesk.triage.rules.fields import FIELDS, OPERATOR_LABELS, OPERATORS
from rippledesk.triage.rules.models import Match, Rule, Trigger
from rippledesk.triage.rules.queries import rule_rows, rule_runs
from rippledesk.triage.rules.spec import (
    ACTION_LABELS,
    RuleInvalid,
)
from rippledesk.web.views.frame import frame, seat_for
from rippledesk.web.views.rule_form import (
    FormState,
    rule_input,
    state_from_post,
    state_from_rule,
    target_choices,
)
from rippledesk.workspaces.access import Seat

RUNS_PER_PAGE = 50


def _rule_id(raw: str) -> int:
    return int(raw) if raw.isdigit() else 0


@login_required
def rules(request: HttpRequest, workspace: str) -> HttpResponse:
    """The rules in run order; POST switches one on or off, moves or deletes it."""
    seat = seat_for(request, workspace)
    require_manager(seat)
    if request.method == "POST":
        rule = access_rule(seat, _rule_id(request.POST.get("rule", "")))
        try:
            _list_action(request, seat, rule)
        except ActionError as error:
            flash.error(request, f"{rule.name}: {error.message}")
        return redirect("web:rules", workspace=seat.workspace.slug)
    context = {**frame(request, seat, section="rules"), "rows": rule_rows(seat)}
    return render(request, "web/rules.html", context)


def _list_action(request: HttpRequest, seat: Seat, rule: Rule) -> None:
    if "enable" in request.POST:
        do_set_rule_enabled(seat, rule, request.POST["enable"] == "1")
        flash.success(request, f"{rule.name} is {'on' if rule.enabled else 'off'}.")
    elif "move" in request.POST:
        do_move_rule(seat, rule, request.POST["move"])
    elif "delete" in request.POST:
        do_delete_rule(seat, rule)
        flash.success(request, f"Deleted the rule {rule.name}.")


def _form_page(
    request: HttpRequest, seat: Seat, state: FormState, rule: Rule | None, status: int = 200
) -> HttpResponse:
    conditions, actions = state.padded()
    context = {
        **frame(request, seat, section="rules"),
        "rule": rule,
        "form": state,
        "condition_rows": conditions,
        "action_rows": actions,
        "triggers": Trigger.choices,
        "matches": Match.choices,
        "fields": [(name, info) for name, info in FIELDS.items()],
        "operators": OPERATOR_LABELS,
        "operators_by_kind": OPERATORS,
        "action_types": list(ACTION_LABELS.items()),
        "targets": target_choices(seat),
    }
    return render(request, "web/rule_form.html", context, status=status)


@login_required
def rule_form(request: HttpRequest, workspace: str, rule_id: int | None = None) -> HttpResponse:
    """Create (no id) or edit a rule; "add a row" re-renders with the rows as typed."""
    seat = seat_for(request, workspace)
    require_manager(seat)
    rule = access_rule(seat, rule_id) if rule_id is not None else None
    if request.method != "POST":
        try:
            state = state_from_rule(rule) if rule else FormState()
        except RuleInvalid as exc:  # a stored rule that no longer parses: start it again
            state = FormState(name=rule.name if rule else "", errors=exc.by_field())
        return _form_page(request, seat, state, rule)
    state = state_from_post(request.POST)
    if "more" in request.POST:
        return _form_page(request, seat, state, rule)
    data = rule_input(seat, state)
    try:
        saved = do_update_rule(seat, rule, data) if rule else do_create_rule(seat, data)
    except RuleInvalid as exc:
        state.errors = exc.by_field()
        return _form_page(request, seat, state, rule, status=exc.status)
    flash.success(request, f"Saved the rule {saved.name}.")
    return redirect("web:rules", workspace=seat.workspace.slug)


@login_required
def rule_log(request: HttpRequest, workspace: str) -> HttpResponse:
    """What the rules did, newest first (optionally of one rule: ``?rule=<id>``)."""
    seat = seat_for(request, workspace)
    require_manager(seat)
    raw = request.GET.get("rule", "")
    rule = access_rule(seat, _rule_id(raw)) if raw else None
    page = Paginator(rule_runs(seat, rule), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {**frame(request, seat, section="rules"), "page": page, "rule": rule}
    return render(request, "web/rule_log.html", context)
