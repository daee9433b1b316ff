"""Fixtures for every test, under tests/ and beside the code in src/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _inline_jobs(settings: object) -> None:
    """Jobs run right after commit unless a test asks for the database queue."""
    settings.RIPPLEDESK_JOBS = "inline"  # type: ignore[attr-defined]
