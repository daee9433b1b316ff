"""The SLA endpoints: the policy for everyone in the workspace, attainment for managers."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from rippledesk.conversations.models import Conversation
from rippledesk.triage.models import OpeningHours, SlaEvent, SlaTarget
from tests.api_desk import Desk, error_of, make_desk

pytestmark = pytest.mark.django_db
BASE = "/api/w/acme"


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def test_policy_and_attainment(desk: Desk) -> None:
    SlaTarget.objects.create(
        workspace=desk.acme, priority="urgent", channel=desk.care, first_response_minutes=5
    )
    OpeningHours.objects.create(workspace=desk.acme, weekday=0, opens=time(9), closes=time(0))
    policy = desk.call("GET", f"{BASE}/sla").json()
    assert policy["lines"][0]["channel_id"] == desk.care.pk
    assert policy["week"] == [{"weekday": "Monday", "opens": "09:00", "closes": "00:00"}]
    conversation = Conversation.objects.filter(workspace=desk.acme).first()
    assert conversation is not None
    now = timezone.now()
    for kind in ("met", "met", "breach", "warning"):
        SlaEvent.objects.create(
            conversation=conversation,
            workspace=desk.acme,
            metric="first_response",
            kind=kind,
            priority="high",
            due_at=now,
            at=now - timedelta(hours=1),
        )
    report = desk.call("GET", f"{BASE}/sla/attainment?days=7", as_="manager").json()
    assert report["rows"][0] == {
        "metric": "first_response",
        "priority": "",
        "met": 2,
        "breached": 1,
        "rate": pytest.approx(2 / 3),
    }
    assert report["rows"][1]["priority"] == "high"
    agent = desk.call("GET", f"{BASE}/sla/attainment")
    assert agent.status_code == 403
    bad = desk.call("GET", f"{BASE}/sla/attainment?days=0", as_="manager")
    assert bad.status_code == 422
    assert error_of(bad)["field"] == "days"
    other = desk.call("GET", "/api/w/globex/sla")
    assert other.status_code == 404
