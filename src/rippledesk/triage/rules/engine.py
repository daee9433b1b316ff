"""Running the rules: after an event commits, each matching rule acts, in order, and is logged.

Subscribed to ``MessagesStored`` (after analysis and routing, so conditions see the message's
labels and the routed team) and to ``ConversationsChanged``. For one event and conversation,
the enabled rules of its triggers run in ``position`` order; each sees the conversation as the
rules before it left it, so when two rules set the same thing the later one wins. A rule with
``stop_processing`` that fires ends the list for that event.

Nothing here may stall the pipeline: a rule that raises is logged (``RuleRun`` and the
``rippledesk.rules`` logger) and the next rule runs; anything else the event bus logs, and the
other subscribers still run.

Loops. Events caused by a rule's actions carry a ``Chain`` (a context variable that
``core.events.emit_on_commit`` passes along with the event): how many rule generations deep the
change is, and which (rule, conversation) pairs fired on the way. A rule fires at most once per
conversation in one chain, and events more than ``MAX_DEPTH`` generations deep run no rules (both
are logged as skipped). Save-time checks (``checks.py``) refuse the loops they can see.

History is left alone: customer messages written more than ``FRESH`` ago (an import of last
year's tweets) and changes the desk makes to conversations idle for longer run no rules.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from rippledesk.conversations.models import Conversation, Direction, Message
from rippledesk.core.errors import ActionError
from rippledesk.core.events import ConversationsChanged, MessagesStored, SlaAlert
from rippledesk.triage.live import FRESH
from rippledesk.triage.rules.actions import do_disable_rule
from rippledesk.triage.rules.effects import MissingReference, perform
from rippledesk.triage.rules.facts import Facts, matches
from rippledesk.triage.rules.models import Outcome, Rule, RuleReference, RuleRun, Trigger
from rippledesk.triage.rules.spec import ACTION_LABELS, RuleInvalid, RuleSpec
from rippledesk.workspaces.models import Membership

logger = logging.getLogger("rippledesk.rules")
MAX_DEPTH = 3
CHUNK = 1000
MESSAGE_TRIGGERS = (Trigger.CONVERSATION_CREATED, Trigger.MESSAGE_RECEIVED)
_CHANGES = {
    "status": Trigger.STATUS_CHANGED,
    "assignee": Trigger.ASSIGNED,
    "team": Trigger.TEAM_CHANGED,
    "priority": Trigger.PRIORITY_CHANGED,
}


@dataclass(frozen=True)
class Chain:
    """Where an event stands in a chain of rule actions (depth 0: a person or customer)."""

    depth: int = 0
    fired: frozenset[tuple[int, int]] = field(default_factory=frozenset)


_chain: ContextVar[Chain] = ContextVar("rippledesk_rule_chain", default=Chain())  # noqa: B039


@dataclass(frozen=True)
class Occasion:
    """One event for one conversation: which triggers, which customer message, and when."""

    conversation_id: int
    triggers: tuple[str, ...]
    message_id: int | None
    at: datetime
    sla_metric: str | None = None


def on_messages_stored(event: MessagesStored) -> None:
    since = timezone.now() - FRESH
    if event.newest_sent_at is not None and event.newest_sent_at < since:
        return  # a batch of history: nothing live in it
    for occasion in message_occasions(event.message_ids):
        run_rules(occasion)


def on_conversations_changed(event: ConversationsChanged) -> None:
    for occasion in change_occasions(event):
        run_rules(occasion)


def on_sla_alert(event: SlaAlert) -> None:
    trigger = Trigger.SLA_WARNING if event.kind == "warning" else Trigger.SLA_BREACH
    if event.kind not in ("warning", "breach") or not _workspaces_with((trigger,)):
        return
    message = (
        Message.objects.filter(conversation_id=event.conversation_id, direction=Direction.INBOUND)
        .order_by("-sent_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    run_rules(Occasion(event.conversation_id, (trigger,), message, timezone.now(), event.metric))


def _workspaces_with(triggers: tuple[str, ...]) -> set[int]:
    return set(
        Rule.objects.filter(enabled=True, trigger__in=triggers).values_list(
            "workspace_id", flat=True
        )
    )


def message_occasions(message_ids: tuple[int, ...]) -> list[Occasion]:
    """Per conversation with fresh customer messages: its latest one, and whether the
    conversation started with this batch (no message of it was stored before)."""
    workspaces = _workspaces_with(MESSAGE_TRIGGERS)
    if not workspaces:
        return []
    since = timezone.now() - FRESH
    latest: dict[int, tuple[datetime, int]] = {}
    first_in_batch: dict[int, int] = {}
    ids = sorted(message_ids)
    for start in range(0, len(ids), CHUNK):
        rows = Message.objects.filter(
            pk__in=ids[start : start + CHUNK], conversation__workspace_id__in=workspaces
        ).values_list("pk", "conversation_id", "direction", "sent_at")
        for pk, conversation_id, direction, sent_at in rows:
            first_in_batch[conversation_id] = min(pk, first_in_batch.get(conversation_id, pk))
            if direction == Direction.INBOUND and sent_at >= since:
                latest[conversation_id] = max(
                    (sent_at, pk), latest.get(conversation_id, (sent_at, pk))
                )
    occasions = []
    for conversation_id, (sent_at, pk) in sorted(latest.items()):
        started = not Message.objects.filter(
            conversation_id=conversation_id, pk__lt=first_in_batch[conversation_id]
        ).exists()
        triggers = (Trigger.CONVERSATION_CREATED,) if started else ()
        occasions.append(
            Occasion(conversation_id, (*triggers, Trigger.MESSAGE_RECEIVED), pk, sent_at)
        )
    return occasions


def change_occasions(event: ConversationsChanged) -> list[Occasion]:
    """The changed conversations; changes the desk made to idle (historic) ones are skipped."""
    trigger = _CHANGES.get(event.what)
    if trigger is None:
        return []
    workspaces = _workspaces_with((trigger,))
    if not workspaces:
        return []
    rows = Conversation.objects.filter(
        pk__in=list(event.conversation_ids), workspace__in=workspaces
    )
    if event.actor_user_id is None:
        rows = rows.filter(last_activity_at__gte=timezone.now() - FRESH)
    now = timezone.now()
    occasions = []
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        message = (
            Message.objects.filter(conversation_id=pk, direction=Direction.INBOUND)
            .order_by("-sent_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        occasions.append(Occasion(pk, (trigger,), message, now))
    return occasions


def run_rules(occasion: Occasion) -> None:
    """Run the enabled rules of the occasion's triggers on its conversation, in order."""
    conversation = (
        Conversation.objects.select_related("workspace", "channel_account", "customer")
        .filter(pk=occasion.conversation_id)
        .first()
    )
    if conversation is None:
        return
    rules = list(
        Rule.objects.filter(
            workspace=conversation.workspace_id, enabled=True, trigger__in=occasion.triggers
        ).order_by("position", "pk")
    )
    if not rules:
        return
    message = None
    if occasion.message_id is not None:
        message = (
            Message.objects.select_related("author_identity").filter(pk=occasion.message_id).first()
        )
    broken = broken_rules(rules)
    for rule in rules:
        if rule.pk in broken:
            _switch_off(rule, conversation, occasion, broken[rule.pk])
            continue
        try:
            fired = _run_rule(rule, conversation, message, occasion)
        except Exception as exc:  # a rule must never take the others down with it
            logger.exception("rule %s failed on conversation %s", rule.pk, conversation.pk)
            _log(rule, conversation, occasion, Outcome.FAILED, error=_unexpected(exc))
            continue
        if fired and rule.stop_processing:
            break


def broken_rules(rules: list[Rule]) -> dict[int, str]:
    """Rules naming a team, person or channel that is gone, with the reason in words."""
    members = set(
        Membership.objects.filter(workspace__in={r.workspace_id for r in rules}).values_list(
            "workspace_id", "user_id"
        )
    )
    workspace_of = {r.pk: r.workspace_id for r in rules}
    reasons: dict[int, str] = {}
    for ref in RuleReference.objects.filter(rule__in=list(workspace_of)).order_by("pk"):
        gone = (
            (ref.kind == "team" and ref.team_id is None)
            or (ref.kind == "channel" and ref.channel_id is None)
            or (
                ref.kind == "user"
                and (ref.user_id is None or (workspace_of[ref.rule_id], ref.user_id) not in members)
            )
        )
        if gone and ref.rule_id not in reasons:
            what = {"team": "Team", "user": "Member", "channel": "Channel account"}[ref.kind]
            reasons[ref.rule_id] = (
                f"{what} {ref.name!r} no longer exists in this workspace; edit the rule and "
                "switch it on again."
            )
    return reasons


def _switch_off(rule: Rule, conversation: Conversation, occasion: Occasion, reason: str) -> None:
    do_disable_rule(rule, reason)
    _log(rule, conversation, occasion, Outcome.DISABLED, error=reason)


def _run_rule(
    rule: Rule, conversation: Conversation, message: Message | None, occasion: Occasion
) -> bool:
    """Evaluate and, on a match, act; True when the rule fired (all or some actions done)."""
    try:
        spec = rule.spec
    except RuleInvalid as exc:
        _switch_off(rule, conversation, occasion, f"Its stored definition is invalid: {exc}")
        return False
    conversation.refresh_from_db()  # as the rules before this one left it
    if not matches(
        spec.conditions, spec.match, Facts(conversation, message, occasion.at, occasion.sla_metric)
    ):
        return False
    chain = _chain.get()
    held = _held_back(rule, conversation, chain)
    if held:
        _log(rule, conversation, occasion, Outcome.SKIPPED, error=held)
        return False
    token = _chain.set(Chain(chain.depth + 1, chain.fired | {(rule.pk, conversation.pk)}))
    try:
        return _act(rule, spec, conversation, occasion, chain.depth)
    finally:
        _chain.reset(token)


def _held_back(rule: Rule, conversation: Conversation, chain: Chain) -> str:
    """Why a matching rule must not act now ("" when it may)."""
    if (rule.pk, conversation.pk) in chain.fired:
        return "Already fired on this conversation in this chain of rule actions (loop guard)."
    if chain.depth >= MAX_DEPTH:
        return (
            f"This change was made by rules {chain.depth} deep; rules set off other rules at "
            f"most {MAX_DEPTH} deep (loop guard)."
        )
    if rule.cooldown_minutes:
        since = timezone.now() - timedelta(minutes=rule.cooldown_minutes)
        last = (
            RuleRun.objects.filter(
                rule=rule,
                conversation=conversation,
                outcome__in=(Outcome.FIRED, Outcome.PARTIAL),
                at__gte=since,
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if last is not None:
            return (
                f"Fired on this conversation at {last:%Y-%m-%d %H:%M} UTC; it waits "
                f"{rule.cooldown_minutes} minutes before firing on it again."
            )
    return ""


def _act(
    rule: Rule, spec: RuleSpec, conversation: Conversation, occasion: Occasion, depth: int
) -> bool:
    """Do the actions, each on its own (one refused does not undo the others), and log.

    Everything commits together at the end, so the events the actions emit (and the rules
    they set off) come after this rule has finished.
    """
    by = f'Rule "{rule.name}"'
    done: list[str] = []
    errors: list[str] = []
    missing = ""
    with transaction.atomic():
        for action in spec.actions:
            label = ACTION_LABELS[action.type]
            try:
                with transaction.atomic():
                    done.append(perform(action, rule, conversation, by))
            except MissingReference as exc:
                missing = f"Switched off: {exc}; edit the rule and switch it on again."
                errors.append(f"{label}: {exc}")
                break
            except ActionError as exc:
                errors.append(f"{label}: {exc.message}")
            except Exception as exc:
                logger.exception("action %s of rule %s failed", action.type, rule.pk)
                errors.append(f"{label}: {_unexpected(exc)}")
        outcome = Outcome.FAILED if not done else Outcome.PARTIAL if errors else Outcome.FIRED
        _log(rule, conversation, occasion, outcome, done=done, error="\n".join(errors), depth=depth)
        if done:
            Rule.objects.filter(pk=rule.pk).update(last_fired_at=timezone.now())
        if missing:
            do_disable_rule(rule, missing)
    return bool(done)


def _unexpected(exc: Exception) -> str:
    return f"unexpected error ({type(exc).__name__}); the details are in the server log"


def _log(
    rule: Rule,
    conversation: Conversation,
    occasion: Occasion,
    outcome: str,
    *,
    done: list[str] | None = None,
    error: str = "",
    depth: int | None = None,
) -> None:
    """A line of the run log; ``depth``: how many rules deep the triggering change was."""
    RuleRun.objects.create(
        rule=rule,
        workspace_id=rule.workspace_id,
        conversation=conversation,
        trigger=rule.trigger if rule.trigger in occasion.triggers else occasion.triggers[-1],
        outcome=outcome,
        done=done or [],
        error=error,
        depth=_chain.get().depth if depth is None else depth,
        at=timezone.now(),
    )
