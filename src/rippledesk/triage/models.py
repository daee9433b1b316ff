"""Routing settings: each agent's availability and capacity, each team's assignment policy."""

from __future__ import annotations

from django.db import models

from rippledesk.workspaces.models import Membership, Team


class Availability(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class AgentState(models.Model):
    """Whether a member takes new conversations now, and how many open ones at most."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="state")
    availability = models.CharField(
        max_length=8, choices=Availability.choices, default=Availability.OFFLINE
    )
    capacity = models.PositiveIntegerField(default=10)
    changed_at = models.DateTimeField()
    # Skills for the "skills" policy: language codes and complaint topics this agent handles
    # (empty: any).
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.membership} {self.availability}"


class AssignmentPolicy(models.TextChoices):
    MANUAL = "manual", "Manual (agents pick from the queue)"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"
    SKILLS = "skills", "Skills match, then least loaded"


class TeamRouting(models.Model):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing")
    policy = models.CharField(
        max_length=16, choices=AssignmentPolicy.choices, default=AssignmentPolicy.MANUAL
    )
    # Which conversations of its channels the team takes (empty: any). When several routing
    # teams share a channel, the one matching more of these wins (see ``routing``).
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    # Round robin's place: the member who got the last conversation.
    last_assigned = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.policy}"


class SlaTarget(models.Model):
    """One line of a workspace's SLA policy: the promised response and resolution times.

    A line is for one priority and either one channel account or every channel (``channel``
    empty). Precedence when several could apply: the line naming the conversation's channel wins
    over the every-channel line of the same priority; without either, ``sla.DEFAULT_MINUTES``.
    Two lines for the same priority and channel are refused (a unique constraint, and a clear
    message in the settings page), so no two policies ever compete.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="sla_targets"
    )
    priority = models.CharField(max_length=8)
    channel = models.ForeignKey(
        "channels.ChannelAccount",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_targets",
    )
    first_response_minutes = models.PositiveIntegerField()
    # After the first answer, each new customer message is answered within this (None: no target).
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    # From the first customer message to resolved (None: no target).
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warn_before_minutes = models.PositiveIntegerField(default=10)
    # Count only the workspace's business hours (and skip its holidays).
    business_hours = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "priority"],
                condition=models.Q(channel__isnull=True),
                name="sla_unique_priority",
            ),
            models.UniqueConstraint(
                fields=["workspace", "priority", "channel"],
                condition=models.Q(channel__isnull=False),
                name="sla_unique_priority_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: first response within {self.first_response_minutes} min"


class OpeningHours(models.Model):
    """One open interval of a weekday in the workspace's time zone (see ``triage.hours``)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField()  # 0 Monday .. 6 Sunday
    opens = models.TimeField()
    closes = models.TimeField()  # 00:00 means midnight at the end of the day

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Holiday(models.Model):
    """A local date the workspace is closed: business-hours SLA clocks stand still."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="holidays"
    )
    day = models.DateField()
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}".strip()


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class ConversationSla(models.Model):
    """The running SLA clocks of one conversation and how it did against each target.

    Kept for conversations that reach the desk live (customer messages of the last day);
    imported history is not put under a promise made today. ``*_due_at`` is the current
    deadline (None: no clock running); ``*_state`` is "" while running, then ``met`` or
    ``breached``. Next responses count how many were met and missed.
    """

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="sla_state"
    )
    target = models.ForeignKey(SlaTarget, on_delete=models.SET_NULL, null=True, blank=True)
    response_metric = models.CharField(max_length=16, blank=True, default="")
    response_due_at = models.DateTimeField(null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    response_warned = models.BooleanField(default=False)
    response_breached = models.BooleanField(default=False)
    first_response_state = models.CharField(max_length=8, blank=True, default="")
    next_responses_met = models.PositiveIntegerField(default=0)
    next_responses_missed = models.PositiveIntegerField(default=0)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warned = models.BooleanField(default=False)
    resolution_state = models.CharField(max_length=8, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The timer job's four questions: which warnings and breaches are due now.
            models.Index(fields=["response_warn_at"], name="sla_response_warn"),
            models.Index(fields=["response_due_at"], name="sla_response_due"),
            models.Index(fields=["resolution_warn_at"], name="sla_resolution_warn"),
            models.Index(fields=["resolution_due_at"], name="sla_resolution_due"),
        ]

    def __str__(self) -> str:
        return f"SLA of conversation {self.conversation_id}"


class SlaEventKind(models.TextChoices):
    WARNING = "warning", "Warning"
    BREACH = "breach", "Breach"
    MET = "met", "Met"


class SlaEvent(models.Model):
    """A warning before a deadline, a breach at it, or a target met: the attainment record."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="sla_events"
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="sla_events"
    )
    metric = models.CharField(max_length=16, choices=SlaMetric.choices)
    kind = models.CharField(max_length=8, choices=SlaEventKind.choices)
    priority = models.CharField(max_length=8)
    due_at = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "at"], name="sla_event_ws_at")]

    def __str__(self) -> str:
        return f"{self.metric} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


# Crisis detection and the automation rules keep their tables in modules of their own;
# importing them here registers them with the triage app (and its migrations).
from rippledesk.triage.crisis.models import (  # noqa: E402, F401
    Crisis,
    CrisisAlert,
    CrisisBucket,
    CrisisMessage,
    CrisisSeries,
    CrisisSettings,
)
from rippledesk.triage.rules.models import (  # noqa: E402, F401
    Notification,
    Rule,
    RuleReference,
    RuleRun,
    RuleSuggestion,
)
