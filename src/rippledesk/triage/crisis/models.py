"""Tables of crisis detection (imported by ``triage/models.py``, so they belong to ``triage``).

- :class:`CrisisSettings`: a workspace's thresholds and where alerts go;
- :class:`CrisisSeries` + :class:`CrisisBucket`: what each series has learned, and its counts
  per 15-minute bucket (kept 35 days, for the charts and for folding settled buckets);
- :class:`Crisis` (an incident), :class:`CrisisMessage` (its messages) and
  :class:`CrisisAlert` (each email or webhook delivery and how it went).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Message
from rippledesk.workspaces.models import Workspace

DEFAULT_ALPHA = 0.001
DEFAULT_MIN_MESSAGES = 6


class CrisisSettings(models.Model):
    """One workspace's crisis detection; a row appears the first time the detector runs."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="crisis_settings"
    )
    enabled = models.BooleanField(default=True)
    alpha = models.FloatField(default=DEFAULT_ALPHA)
    min_messages = models.PositiveIntegerField(default=DEFAULT_MIN_MESSAGES)
    email_enabled = models.BooleanField(default=True)
    # Comma-separated addresses; empty: every manager and admin with an address.
    recipients = models.TextField(blank=True, default="")
    webhook_url = models.CharField(max_length=2000, blank=True, default="")
    webhook_secret = models.CharField(max_length=64, blank=True, default="")
    # When the detector first looked at this workspace: its averages start here, and nothing
    # alarms before the warm-up after it has passed.
    watching_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "crisis settings"

    def __str__(self) -> str:
        return f"crisis settings of {self.workspace_id}"


class CrisisSeries(models.Model):
    """A topic ("" = all topics) on a channel account (NULL = all channels) and its baseline."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=64, blank=True, default="")
    channel = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    origin = models.BigIntegerField()
    through = models.BigIntegerField()
    level = models.FloatField(default=0.0)
    negative_level = models.FloatField(default=0.0)
    dispersion = models.FloatField(default=1.0)
    negative_dispersion = models.FloatField(default=1.0)

    class Meta:
        verbose_name_plural = "crisis series"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "topic", "channel"],
                condition=models.Q(channel__isnull=False),
                name="crisis_series_unique_channel",
            ),
            models.UniqueConstraint(
                fields=["workspace", "topic"],
                condition=models.Q(channel__isnull=True),
                name="crisis_series_unique_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic or 'all topics'} on {self.channel_id or 'all channels'}"


class CrisisBucket(models.Model):
    """One series in one 15-minute UTC bucket: how many customers wrote (``count``), how many
    of them something negative, and what the detector expected of each."""

    series = models.ForeignKey(CrisisSeries, on_delete=models.CASCADE, related_name="buckets")
    bucket = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    negatives = models.PositiveIntegerField(default=0)
    expected = models.FloatField(null=True, blank=True)
    expected_negatives = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "bucket"], name="crisis_bucket_unique")
        ]
        indexes = [models.Index(fields=["bucket"], name="crisis_bucket_index")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.bucket}: {self.count}"


class CrisisStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


OPEN_STATUSES = (CrisisStatus.ACTIVE, CrisisStatus.ACKNOWLEDGED)


class Crisis(models.Model):
    """One incident: consecutive spiking buckets of one series (see ``crisis.tracking``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crises")
    series = models.ForeignKey(CrisisSeries, on_delete=models.CASCADE, related_name="crises")
    topic = models.CharField(max_length=64, blank=True, default="")
    channel = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="crises"
    )
    status = models.CharField(
        max_length=12, choices=CrisisStatus.choices, default=CrisisStatus.ACTIVE
    )
    volume_spike = models.BooleanField(default=False)
    negativity_spike = models.BooleanField(default=False)
    first_bucket = models.BigIntegerField()
    last_bucket = models.BigIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()  # the end of the last spiking bucket
    # Customers who wrote in the busiest bucket, and how many were expected there.
    peak_count = models.PositiveIntegerField(default=0)
    peak_expected = models.FloatField(default=0.0)
    peak_at = models.DateTimeField()
    message_count = models.PositiveIntegerField(default=0)
    negative_count = models.PositiveIntegerField(default=0)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # True when the spike ended on its own (``quiet`` buckets without one).
    resolved_automatically = models.BooleanField(default=False)
    reopened_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "crises"
        indexes = [
            models.Index(fields=["workspace", "status", "-started_at"], name="crisis_ws_status"),
            models.Index(fields=["workspace", "-started_at"], name="crisis_ws_started"),
            models.Index(fields=["series", "-last_bucket"], name="crisis_series_latest"),
        ]

    def __str__(self) -> str:
        return f"crisis {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CrisisMessage(models.Model):
    """A message of a spiking bucket, grouped under its incident."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="links")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    negative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crisis", "message"], name="crisis_message_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} in crisis {self.crisis_id}"


class AlertKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class AlertStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class CrisisAlert(models.Model):
    """One email or webhook delivery about an incident (or a test from the settings page)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    event = models.CharField(max_length=16)  # opened, reopened, test
    status = models.CharField(
        max_length=8, choices=AlertStatus.choices, default=AlertStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="crisis_alert_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event} ({self.status})"
