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

    def __str__(self) -> str:
        return f"{self.membership} {self.availability}"


class AssignmentPolicy(models.TextChoices):
    MANUAL = "manual", "Manual (agents pick from the queue)"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class TeamRouting(models.Model):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing")
    policy = models.CharField(
        max_length=16, choices=AssignmentPolicy.choices, default=AssignmentPolicy.MANUAL
    )
    # Round robin's place: the member who got the last conversation.
    last_assigned = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.policy}"


class SlaTarget(models.Model):
    """How soon a workspace promises a first response, per priority (an SLA policy line)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="sla_targets"
    )
    priority = models.CharField(max_length=8)
    first_response_minutes = models.PositiveIntegerField()
    warn_before_minutes = models.PositiveIntegerField(default=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "priority"], name="sla_unique_priority")
        ]

    def __str__(self) -> str:
        return f"{self.priority}: first response within {self.first_response_minutes} min"
