"""The one customer behind messages on every channel."""

from __future__ import annotations

from django.db import models

from rippledesk.channels.models import ChannelAccount
from rippledesk.core.models import TimeStampedModel
from rippledesk.workspaces.models import Workspace


class Customer(TimeStampedModel):
    """A person or organisation the business talks to, across all their identities."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    display_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "display_name"], name="customer_ws_name")]

    def __str__(self) -> str:
        return self.display_name


class Identity(TimeStampedModel):
    """One handle of a customer on one channel account (an X user id, an email address, ...)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    channel_account = models.ForeignKey(  # identity_unique_external leads with it
        ChannelAccount, on_delete=models.CASCADE, related_name="identities", db_index=False
    )
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255)
    display_name = models.CharField(max_length=200, blank=True)
    audience_size = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Followers or subscribers, when the platform tells us."
    )

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "external_id"], name="identity_unique_external"
            )
        ]

    def __str__(self) -> str:
        return self.handle


class Purchase(TimeStampedModel):
    """Something the customer bought, when a shop or CRM tells us (API or admin for now).

    Shown in the customer panel so an agent answering a complaint knows what is at stake.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    external_id = models.CharField(max_length=255, blank=True)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    purchased_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-purchased_at"], name="purchase_customer_date")
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.customer_id})"
