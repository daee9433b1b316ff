"""Stored analysis results, one row per message and model version.

Kept apart from Message so a new model version can re-score history next to the old results
(``rippledesk reanalyze``) and dashboards can say which version produced a number.
"""

from __future__ import annotations

from django.db import models

from rippledesk.conversations.models import Message


class MessageAnalysis(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="analyses")
    model_name = models.CharField(max_length=64)
    # "2026.11.2+enc2026.11.2+2026.11.1+2026.11.1": one version per model of the stack.
    model_version = models.CharField(max_length=64)
    analysable = models.BooleanField(default=True)
    sentiment = models.CharField(max_length=8)
    sentiment_scores = models.JSONField(default=dict)
    emotion = models.CharField(max_length=12)
    emotion_scores = models.JSONField(default=dict)
    intent = models.CharField(max_length=16)
    topic = models.CharField(max_length=64, blank=True)
    urgency = models.CharField(max_length=8)
    language = models.CharField(max_length=8)
    pii = models.JSONField(default=list, blank=True)
    ripple_risk = models.FloatField()
    priority = models.CharField(max_length=8)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "message analyses"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "model_name", "model_version"], name="analysis_unique_version"
            )
        ]
        indexes = [models.Index(fields=["model_name", "model_version"], name="analysis_version")]

    def __str__(self) -> str:
        return f"{self.model_name} {self.model_version} on message {self.message_id}"
