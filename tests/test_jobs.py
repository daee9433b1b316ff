"""The job queue: registered handlers, retries with backoff, giving up, inline mode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from rippledesk.jobs.api import enqueue, job
from rippledesk.jobs.models import Job
from rippledesk.jobs.worker import backoff, claim, run_pending

pytestmark = pytest.mark.django_db
calls: list[dict[str, Any]] = []


@job("tests.record")
def _record(payload: dict[str, Any]) -> None:
    calls.append(payload)


@job("tests.flaky")
def _flaky(payload: dict[str, Any]) -> None:
    raise RuntimeError("platform down")


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()


def test_database_jobs_wait_for_a_worker(settings: Any) -> None:
    settings.RIPPLEDESK_JOBS = "database"
    enqueue("tests.record", {"n": 1})
    enqueue("tests.record", {"n": 2}, delay=timedelta(hours=1))
    assert calls == []
    assert run_pending() == 1
    assert calls == [{"n": 1}]
    assert Job.objects.get(payload={"n": 1}).status == "done"
    assert Job.objects.get(payload={"n": 2}).status == "queued"  # not due yet


def test_inline_jobs_run_after_commit() -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue("tests.record", {"n": 3})
        assert calls == []
    assert calls == [{"n": 3}]
    assert not Job.objects.exists()


def test_failures_back_off_then_give_up(settings: Any) -> None:
    settings.RIPPLEDESK_JOBS = "database"
    enqueue("tests.flaky", {})
    Job.objects.update(max_attempts=3)
    for attempt in (1, 2, 3):
        Job.objects.update(run_at=timezone.now() - timedelta(seconds=1))
        assert run_pending() == 1
        stored = Job.objects.get()
        assert stored.attempts == attempt
        assert "platform down" in stored.last_error
    assert stored.status == "failed"
    assert stored.finished_at is not None
    assert run_pending() == 0
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 30)] == [2, 4, 8, 3600]


def test_an_expired_lease_is_claimed_again_and_a_live_one_is_not(settings: Any) -> None:
    settings.RIPPLEDESK_JOBS = "database"
    enqueue("tests.record", {"n": 4})
    [first] = claim()
    assert claim() == []  # leased to the first worker
    Job.objects.filter(pk=first).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert claim() == [first]
    assert Job.objects.get().attempts == 2


def test_unknown_jobs_fail_at_the_call_site() -> None:
    with pytest.raises(LookupError, match=r"no job registered as 'tests\.nope'"):
        enqueue("tests.nope", {})


def test_a_tick_is_started_once() -> None:
    from rippledesk.jobs.api import ensure_waiting  # noqa: PLC0415

    ensure_waiting("tests.record", delay=timedelta(seconds=5))
    ensure_waiting("tests.record", delay=timedelta(seconds=5))
    assert Job.objects.filter(name="tests.record", status="queued").count() == 1
