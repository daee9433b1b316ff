"""The database queue: one row per job, claimed by workers with a lease.

A worker that dies (even by SIGKILL) leaves its job ``running`` with a lease in the past; the
next claim takes it again, so every job runs to completion at least once. Handlers are written
to be safe to run twice (they check what is already done), which makes "at least once"
behave as "exactly once".
"""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    name = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    run_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "run_at"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.status})"
