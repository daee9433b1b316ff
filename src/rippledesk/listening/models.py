"""Where the desk listens beyond its own channels, and what it heard there."""

from __future__ import annotations

from django.db import models

from rippledesk.conversations.models import Conversation
from rippledesk.core.models import TimeStampedModel
from rippledesk.workspaces.models import Workspace


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS or Atom feed"
    X_SEARCH = "x_search", "X search"


class ListeningSource(TimeStampedModel):
    """A feed (forum, blog, news search) or an X search, polled every ``every_minutes``.

    ``keywords`` narrows a feed to entries that mention any of them; ``cursor`` is the newest
    entry seen (an X ``since_id``), saved in the same transaction as the mentions it found.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="listening")
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500, blank=True)
    query = models.CharField(max_length=500, blank=True)
    keywords = models.CharField(max_length=500, blank=True, help_text="comma separated")
    config = models.JSONField(default=dict, blank=True)
    every_minutes = models.PositiveIntegerField(default=15)
    cursor = models.CharField(max_length=200, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class MentionStatus(models.TextChoices):
    NEW = "new", "New"
    DISMISSED = "dismissed", "Dismissed"
    CONVERTED = "converted", "Turned into a conversation"


class Mention(models.Model):
    source = models.ForeignKey(ListeningSource, on_delete=models.CASCADE, related_name="mentions")
    external_id = models.CharField(max_length=300)
    author = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField()
    audience = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=MentionStatus.choices, default=MentionStatus.NEW
    )
    sentiment = models.CharField(max_length=8, blank=True)
    ripple_risk = models.FloatField(default=0.0)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="mention_unique_external"
            )
        ]
        indexes = [
            models.Index(fields=["source", "status", "-published_at"], name="mention_status")
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.title or self.body[:40]}"
