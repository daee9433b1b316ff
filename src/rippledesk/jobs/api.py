"""Register, enqueue and run jobs.

``RIPPLEDESK_JOBS`` picks the backend: ``database`` (the default: a row in ``jobs_job`` that a
worker runs, see ``worker.py``) or ``inline`` (run right after the enqueuing transaction
commits, in the same process; for tests and one-off commands). A job is a registered function
taking a JSON-able dict; it must be safe to run more than once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rippledesk.jobs.models import Job, JobStatus

Handler = Callable[[dict[str, Any]], None]
_registry: dict[str, Handler] = {}


def job(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the job ``name``."""

    def register(handler: Handler) -> Handler:
        _registry[name] = handler
        return handler

    return register


def handler_for(name: str) -> Handler:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no job registered as {name!r}") from None


def backend() -> str:
    return str(getattr(settings, "RIPPLEDESK_JOBS", "database"))


def enqueue(name: str, payload: dict[str, Any], *, delay: timedelta | None = None) -> None:
    """Run ``name(payload)`` after the current transaction commits (now, outside one)."""
    handler_for(name)  # an unknown job is a programming error: fail at the call site
    if backend() == "inline" and not delay:
        transaction.on_commit(lambda: handler_for(name)(payload))
        return
    now = timezone.now()
    Job.objects.create(
        name=name, payload=payload, run_at=now + (delay or timedelta()), created_at=now
    )


def ensure_waiting(name: str, *, delay: timedelta) -> None:
    """Start a self-rescheduling job (a tick) unless one is already queued or running."""
    waiting = Job.objects.filter(name=name, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    if not waiting.exists():
        enqueue(name, {}, delay=delay)
