"""Fixtures for every test, under tests/ and beside the code in src/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _inline_jobs(settings: object) -> None:
    """Jobs run right after commit unless a test asks for the database queue."""
    settings.RIPPLEDESK_JOBS = "inline"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """No cached page parts (counts, banners, policies, wake throttles) from an earlier test:
    ids repeat across tests once their rows are rolled back."""
    from django.core.cache import cache  # noqa: PLC0415

    cache.clear()


@pytest.fixture(autouse=True)
def _event_handlers_do_not_fail(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """The event bus logs a failing subscriber instead of raising (see ``core.events.emit``);
    in tests such a failure is still a failure, unless the test is about it."""
    yield
    if request.node.get_closest_marker("handler_failures_expected"):
        return
    failed = [r.getMessage() for r in caplog.records if r.name == "rippledesk.events"]
    assert not failed, f"an event handler failed: {failed[0]}"
