"""Base model shared by every domain table."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Gives every row aware-UTC creation and update times.

    ``created_at`` uses a default rather than ``auto_now_add`` so bulk writers that bypass
    ``save()`` (see ``core.bulk``) can supply it explicitly.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
