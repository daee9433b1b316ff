"""Tables of the automation rules: the rules, what they point at, what they did, and what they
left for people (suggested replies, notifications).

Conditions and actions are stored as JSON but never read as raw dicts: ``spec.RuleSpec`` parses
them (``Rule.spec``) and refuses anything malformed, naming the place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from rippledesk.core.models import TimeStampedModel

if TYPE_CHECKING:
    from rippledesk.triage.rules.spec import RuleSpec


class Trigger(models.TextChoices):
    """The events a rule can wait for (see docs/automation.md for when each is emitted)."""

    CONVERSATION_CREATED = "conversation_created", "A conversation starts"
    MESSAGE_RECEIVED = "message_received", "A customer message arrives"
    STATUS_CHANGED = "status_changed", "The status changes"
    ASSIGNED = "assigned", "The assignee changes"
    TEAM_CHANGED = "team_changed", "The team changes"
    PRIORITY_CHANGED = "priority_changed", "The priority changes"
    SLA_WARNING = "sla_warning", "An SLA deadline is near"
    SLA_BREACH = "sla_breach", "An SLA deadline passes"


class Match(models.TextChoices):
    ALL = "all", "all conditions hold"
    ANY = "any", "any condition holds"


class Rule(TimeStampedModel):
    """One automation rule of a workspace; rules run in ``position`` order (then id)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="rules"
    )
    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=24, choices=Trigger.choices)
    match = models.CharField(max_length=4, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    # At most once per conversation within this many minutes (0: every time it matches).
    cooldown_minutes = models.PositiveIntegerField(default=0)
    # When this rule fires, later rules do not run for the same event.
    stop_processing = models.BooleanField(default=False)
    # Why the desk switched the rule off (a deleted team, a removed agent); "" otherwise.
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "triage"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="rule_unique_name")
        ]
        indexes = [
            models.Index(fields=["workspace", "enabled", "trigger"], name="rule_ws_enabled_trigger")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self) -> RuleSpec:
        """The stored conditions and actions, parsed and type-checked."""
        from rippledesk.triage.rules.spec import RuleSpec  # noqa: PLC0415 - spec imports models

        return RuleSpec.load(self.trigger, self.match, self.conditions, self.actions)


class RuleReference(models.Model):
    """A team, person or channel account a rule names, so deleting it can be noticed.

    Rebuilt whenever the rule is saved. The foreign keys are SET_NULL: when the thing is
    deleted the row stays with its ``name``, and the engine switches the rule off saying which.
    """

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=8)  # team, user, channel
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.ForeignKey(
        "channels.ChannelAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        app_label = "triage"

    def __str__(self) -> str:
        return f"{self.rule} -> {self.kind} {self.name}"


class Outcome(models.TextChoices):
    FIRED = "fired", "Fired"
    PARTIAL = "partial", "Fired, some actions failed"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    DISABLED = "disabled", "Switched off"


class RuleRun(models.Model):
    """One time a rule matched a conversation (or failed, or was held back), for the run log.

    Rules that are evaluated and do not match leave no row: on a busy desk that would be a row
    per message per rule.
    """

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rule_runs",
    )
    trigger = models.CharField(max_length=24)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    # What was done, one line per action ("set the priority to urgent", "no change: ...").
    done = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    depth = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        app_label = "triage"
        indexes = [
            models.Index(fields=["workspace", "-at"], name="rulerun_ws_at"),
            models.Index(fields=["rule", "conversation", "-at"], name="rulerun_rule_conv_at"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.outcome} at {self.at:%Y-%m-%d %H:%M}"


class RuleSuggestion(models.Model):
    """A reply a rule suggests to the agent, shown in the conversation's composer.

    ``body`` keeps its ``{{variables}}``: it is filled in for the agent who reads it, so
    ``{{agent.first_name}}`` signs with their name. One per rule and conversation.
    """

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="rule_suggestions"
    )
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True)
    rule_name = models.CharField(max_length=120)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        app_label = "triage"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "rule"], name="rule_suggestion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_name} on {self.conversation_id}"


class Notification(models.Model):
    """Something a person of the desk should look at, shown in the app (and emailed when the
    desk can send mail)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=200)  # who raised it: 'Rule "VIP complaints"'
    text = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "triage"
        indexes = [
            models.Index(fields=["user", "workspace", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "workspace", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"to {self.user_id}: {self.text[:40]}"
