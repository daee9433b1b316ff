"""Tenants, people and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from rippledesk.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in. Roles live on Membership, so one person can serve several desks."""


class Workspace(TimeStampedModel):
    """One business's desk: its channels, customers, conversations and staff."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Conversation numbers are per workspace (#1, #2, ...) so agents can say them aloud; bulk
    # imports reserve a block of numbers by bumping this counter in one UPDATE.
    next_conversation_number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class Membership(TimeStampedModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Team(TimeStampedModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)
    # What the team works: an agent sees the conversations of the channel accounts granted to
    # any of their teams (managers and admins see the whole workspace; see ``access``).
    channel_accounts = models.ManyToManyField(
        "channels.ChannelAccount", related_name="teams", blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(TimeStampedModel):
    """A secret that lets an integration act as ``user`` through the JSON API.

    Only a SHA-256 digest is stored; the secret is shown once, when it is created. ``prefix``
    (the secret's first characters) lets a person tell their tokens apart in the UI.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"
