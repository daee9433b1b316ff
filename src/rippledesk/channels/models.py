"""Where messages come from: channel accounts, raw inbound events and file imports."""

from __future__ import annotations

from django.db import models

from rippledesk.core.models import TimeStampedModel
from rippledesk.workspaces.models import Workspace


class ChannelKind(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", "Email"
    WEBCHAT = "webchat", "Web chat"
    SMS = "sms", "SMS"
    REVIEWS = "reviews", "Reviews"
    OTHER = "other", "Other"


class ChannelAccount(TimeStampedModel):
    """One account of the business on one platform, e.g. the X handle @AppleSupport."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=24, choices=ChannelKind.choices)
    name = models.CharField(max_length=200, help_text="The handle, address or page name.")
    config = models.JSONField(default=dict, blank=True)
    # The secret part of this account's webhook URL (/hooks/<token>/); NULL for accounts that
    # only receive imports. Platforms also sign their requests; the token only routes them.
    webhook_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "name"], name="channelaccount_unique_name"
            )
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class InboundEvent(TimeStampedModel):
    """A platform event exactly as received, stored before any processing.

    The unique ``(channel_account, external_event_id)`` pair is what makes webhook retries and
    duplicate deliveries harmless.
    """

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="inbound_events"
    )
    external_event_id = models.CharField(max_length=255)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "external_event_id"], name="inboundevent_unique_external"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_account} event {self.external_event_id}"


class ImportRun(TimeStampedModel):
    """One run of ``rippledesk import``: what file, what it added, what it refused."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    source_format = models.CharField(max_length=24)
    source_name = models.CharField(max_length=500)
    rows_read = models.PositiveIntegerField(default=0)
    messages_added = models.PositiveIntegerField(default=0)
    messages_already_present = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    conversations_added = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_format} import of {self.source_name}"


class ImportProblem(models.Model):
    """A row an import rejected (or kept with a warning), with the line and the reason."""

    class Severity(models.TextChoices):
        REJECTED = "rejected", "Rejected"
        WARNING = "warning", "Warning"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    severity = models.CharField(max_length=12, choices=Severity.choices)
    message = models.TextField()

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
