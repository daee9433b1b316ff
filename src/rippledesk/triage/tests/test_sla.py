"""First-response SLA clocks: defaults, a workspace's own targets, warning and late states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rippledesk.triage.models import SlaTarget
from rippledesk.triage.sla import DEFAULT_MINUTES, clock, targets
from rippledesk.workspaces.actions import do_get_or_create_workspace

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_workspace_targets_override_the_defaults() -> None:
    workspace = do_get_or_create_workspace("acme")
    SlaTarget.objects.create(
        workspace=workspace, priority="urgent", first_response_minutes=5, warn_before_minutes=2
    )
    rules = targets(workspace)
    assert rules["urgent"] == (5, 2)
    assert rules["normal"] == (DEFAULT_MINUTES["normal"], 10)


def test_clock_states() -> None:
    rules = {"urgent": (15, 5), "normal": (240, 10)}
    fresh = clock(NOW - timedelta(minutes=3), "urgent", rules, NOW)
    assert fresh is not None
    assert (fresh.state, fresh.minutes, fresh.label) == ("ok", 12, "due in 12m")
    close = clock(NOW - timedelta(minutes=12), "urgent", rules, NOW)
    assert close is not None
    assert (close.state, close.label) == ("warning", "due in 3m")
    late = clock(NOW - timedelta(hours=6), "normal", rules, NOW)
    assert late is not None
    assert (late.state, late.label) == ("late", "late 2h")
    assert clock(None, "urgent", rules, NOW) is None
    unknown = clock(NOW, "weird", rules, NOW)
    assert unknown is not None
    assert unknown.minutes == 240  # an unknown priority counts as normal
