"""Runs queued jobs: claim a few due rows under a lease, run them, record the outcome.

Claiming is one UPDATE over the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers
never wait on each other; SQLite serialises writers anyway). Failures are retried with
exponential backoff up to ``max_attempts``; a job whose worker vanished is claimed again once
its lease runs out.
"""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from rippledesk.jobs.api import handler_for
from rippledesk.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … after each failed attempt, at most an hour."""
    return min(BACKOFF_CAP, timedelta(seconds=2 ** max(1, attempts)))


def claim(limit: int = 10) -> list[int]:
    """Take up to ``limit`` due jobs (queued, or running with an expired lease)."""
    now = timezone.now()
    due = Q(status=JobStatus.QUEUED, run_at__lte=now) | Q(
        status=JobStatus.RUNNING, locked_until__lt=now
    )
    with transaction.atomic():
        rows = Job.objects.filter(due).order_by("run_at", "id")
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("id", flat=True)[:limit])
        if ids:
            Job.objects.filter(pk__in=ids).update(
                status=JobStatus.RUNNING, locked_until=now + LEASE, attempts=F("attempts") + 1
            )
    return ids


def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    now = timezone.now()
    try:
        handler_for(job.name)(job.payload)
    except Exception:  # a job's failure must never stop the worker
        error = traceback.format_exc(limit=5)[-4000:]
        failed = job.attempts >= job.max_attempts
        log.warning("job %s #%s failed (attempt %s): %s", job.name, job.pk, job.attempts, error)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED if failed else JobStatus.QUEUED,
            run_at=now + backoff(job.attempts),
            last_error=error,
            finished_at=now if failed else None,
        )
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())


def run_pending(limit: int = 100) -> int:
    """Run every job due now (up to ``limit``); how many ran. Used by tests and ``--once``."""
    ran = 0
    while ran < limit:
        ids = claim(min(10, limit - ran))
        if not ids:
            break
        for job_id in ids:
            run_job(job_id)
            ran += 1
    return ran


def work_forever(stop: threading.Event, *, idle_sleep: float = 0.5) -> None:
    """The worker loop: run due jobs, sleep briefly when there are none, until ``stop``."""
    while not stop.is_set():
        close_old_connections()
        try:
            ran = run_pending(limit=50)
        except Exception:  # e.g. the database restarting: try again shortly
            log.exception("worker loop error")
            ran = 0
        if not ran:
            stop.wait(idle_sleep)
    close_old_connections()


def start_worker_thread() -> tuple[threading.Thread, threading.Event]:
    """A daemon worker inside the current process (``rippledesk serve`` runs one)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=work_forever, args=(stop,), name="rippledesk-worker", daemon=True
    )
    thread.start()
    return thread, stop
