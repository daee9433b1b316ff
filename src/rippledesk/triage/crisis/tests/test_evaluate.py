"""The crisis tick end to end on messages stored by the real importer and analysis stack."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from tests.crisis_desk import (
    BUCKET,
    Row,
    arrived_when_sent,
    calm,
    pools,
    quarter,
    spike,
    store,
    watch,
)

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.jobs.api import handler_for
from rippledesk.jobs.models import Job
from rippledesk.triage.crisis.detect import bucket_of
from rippledesk.triage.crisis.evaluate import Outcome, do_evaluate, first_analysis_after
from rippledesk.triage.crisis.models import (
    Crisis,
    CrisisAlert,
    CrisisBucket,
    CrisisMessage,
    CrisisSeries,
    CrisisSettings,
)
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User, Workspace

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme() -> Workspace:
    workspace = do_get_or_create_workspace("acme", "Acme Air")
    manager = User.objects.create_user("max", email="max@acme.example", password="x-long-pass")
    do_add_member(workspace, manager, Role.MANAGER)
    agent = User.objects.create_user("ava", email="ava@acme.example", password="x-long-pass")
    do_add_member(workspace, agent, Role.AGENT)
    return workspace


def history(start: datetime, hours: int) -> list[Row]:
    """Ordinary traffic: on AcmeAir one or two calm messages a quarter hour and a complaint
    every other one; on AcmeShop one calm message a quarter hour."""
    rows: list[Row] = []
    complaints = [pools().negative["customer_service"], pools().negative["late_flight"]]
    for i in range(hours * 4):
        at = start + i * BUCKET
        rows += calm("AcmeAir", at, 1 + i % 2) + calm("AcmeShop", at, 1)
        if i % 2:
            rows.append(Row(complaints[i // 2 % 2][i % 40], "AcmeAir", at + timedelta(minutes=5)))
    return rows


def ticks(start: datetime, end: datetime) -> list[tuple[datetime, Outcome]]:
    """One tick in the middle of every quarter hour from ``start`` to ``end``."""
    done = []
    at = start + timedelta(minutes=7)
    while at < end:
        done.append((at, do_evaluate(at)))
        at += BUCKET
    return done


def test_a_day_of_traffic_then_two_fires(acme: Workspace, tmp_path: Path) -> None:
    start = quarter(timezone.now()) - timedelta(hours=12)
    fire = start + timedelta(hours=8)  # angry posts about lost luggage on AcmeAir
    rush = start + timedelta(hours=10)  # a burst of calm messages on AcmeShop
    store(
        acme,
        history(start, 11)
        + spike("lost_luggage", "AcmeAir", fire, 14)
        + spike("lost_luggage", "AcmeAir", fire + BUCKET, 10)
        + calm("AcmeShop", rush, 16),
        tmp_path,
    )
    arrived_when_sent(acme)
    watch(acme, start - timedelta(days=1))

    log = ticks(start, start + timedelta(hours=11, minutes=45))

    opened_at = {at: outcome.opened for at, outcome in log if outcome.opened}
    assert [quarter(at) for at in opened_at] == [fire, rush]
    luggage, rush_crisis = Crisis.objects.order_by("started_at")
    # One incident for the fire, not one per series it lit (topic and channel, topic
    # everywhere, the channel, everything): the most specific one tells it.
    assert luggage.topic == "lost_luggage"
    assert str(luggage.channel) == "X (Twitter) AcmeAir"
    assert luggage.volume_spike
    assert luggage.negativity_spike
    assert (luggage.first_bucket, luggage.last_bucket) == (bucket_of(fire), bucket_of(fire) + 1)
    assert luggage.message_count == luggage.negative_count == 24
    assert luggage.peak_count == 14
    assert luggage.peak_expected < 1
    grouped = CrisisMessage.objects.filter(crisis=luggage).select_related("message")
    assert {link.message.channel_account.name for link in grouped} == {"AcmeAir"}
    assert all(fire <= link.message.sent_at < fire + 2 * BUCKET for link in grouped)
    # the fire ended on its own an hour after its last spike
    assert luggage.status == "resolved"
    assert luggage.resolved_automatically
    assert luggage.resolved_at is not None
    assert luggage.resolved_at - luggage.last_seen_at <= timedelta(hours=1, minutes=30)

    assert rush_crisis.topic == ""
    assert str(rush_crisis.channel) == "X (Twitter) AcmeShop"
    assert rush_crisis.volume_spike
    assert not rush_crisis.negativity_spike
    assert rush_crisis.message_count == 16 + 1  # the rush and that quarter's usual message

    # each incident was announced once, by email to the manager (agents are not paged)
    assert sorted(m.subject for m in mail.outbox) == [
        "[rippledesk] Crisis: Everything on X (Twitter) AcmeShop",
        "[rippledesk] Crisis: Lost luggage on X (Twitter) AcmeAir",
    ]
    assert all(m.to == ["max@acme.example"] for m in mail.outbox)
    assert any(f"/w/acme/crisis/{luggage.pk}/" in str(m.body) for m in mail.outbox)
    assert CrisisAlert.objects.filter(status="sent").count() == 2


def test_nothing_alarms_during_the_warm_up(acme: Workspace, tmp_path: Path) -> None:
    now = timezone.now()
    store(acme, spike("lost_luggage", "AcmeAir", quarter(now), 20), tmp_path)
    watch(acme, now - timedelta(hours=2))
    outcome = do_evaluate(timezone.now())
    assert outcome.spikes == 0
    assert not Crisis.objects.exists()
    assert CrisisBucket.objects.filter(series__topic="lost_luggage", count=20).count() == 2


def test_a_person_resolves_and_the_tail_stays_quiet(acme: Workspace, tmp_path: Path) -> None:
    now = timezone.now()
    watch(acme, now - timedelta(days=2))
    store(acme, spike("cancelled_flight", "AcmeAir", quarter(now) - BUCKET, 12), tmp_path)
    first = do_evaluate(timezone.now())
    crisis = Crisis.objects.get()
    assert first.opened == [crisis.pk]
    Crisis.objects.filter(pk=crisis.pk).update(
        status="resolved", resolved_at=now, resolved_automatically=False
    )
    store(acme, spike("cancelled_flight", "AcmeAir", quarter(now), 12), tmp_path)
    second = do_evaluate(timezone.now())
    crisis.refresh_from_db()
    assert second.opened == second.reopened == []
    assert crisis.status == "resolved"
    assert crisis.message_count == 24
    assert len(mail.outbox) == 1


def test_one_customers_rant_is_not_a_crisis_twelve_customers_are(
    acme: Workspace, tmp_path: Path
) -> None:
    now = timezone.now()
    watch(acme, now - timedelta(days=2))
    rant = [
        Row(row.text, row.channel, row.at, author="furious_fred")
        for row in spike("lost_luggage", "AcmeAir", quarter(now), 12)
    ]
    store(acme, rant, tmp_path)
    assert do_evaluate(timezone.now()).opened == []
    assert CrisisBucket.objects.filter(count=1, negatives=1).exists()
    store(acme, spike("lost_luggage", "AcmeShop", quarter(now), 12), tmp_path)
    (opened,) = do_evaluate(timezone.now()).opened
    assert Crisis.objects.get(pk=opened).peak_count == 12


def test_late_and_future_dated_messages(acme: Workspace, tmp_path: Path) -> None:
    """A backfill of last week is old news; a platform clock running ahead counts now."""
    now = timezone.now()
    watch(acme, now - timedelta(days=2))
    store(
        acme,
        spike("late_flight", "AcmeAir", quarter(now) - timedelta(days=7), 30)
        + spike("late_flight", "AcmeShop", quarter(now) + timedelta(hours=3), 9),
        tmp_path,
    )
    at = timezone.now()
    outcome = do_evaluate(at)
    crisis = Crisis.objects.get()
    assert outcome.opened == [crisis.pk]
    assert str(crisis.channel) == "X (Twitter) AcmeShop"
    assert crisis.first_bucket == bucket_of(at)
    assert not CrisisBucket.objects.filter(bucket__lt=bucket_of(at) - 4).exists()


def test_one_broken_workspace_does_not_stop_the_others(
    acme: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = do_get_or_create_workspace("globex", "Globex")
    now = timezone.now()
    watch(acme, now - timedelta(days=2))
    watch(other, now - timedelta(days=2))
    # a setting no form accepts, written behind the desk's back
    CrisisSettings.objects.filter(workspace=acme).update(alpha=0.0)
    store(acme, spike("lost_luggage", "AcmeAir", quarter(now), 10), tmp_path)
    store(other, spike("lost_luggage", "GlobexHelp", quarter(now), 10), tmp_path)
    with caplog.at_level(logging.ERROR):
        outcome = do_evaluate(timezone.now())
    assert outcome.failed == [acme.pk]
    assert "crisis detection failed for workspace" in caplog.text
    assert Crisis.objects.get().workspace == other


def test_the_tick_always_schedules_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when a tick fails outright, the chain goes on (fault injected on purpose)."""

    def broken(now: datetime | None = None) -> Outcome:
        raise RuntimeError("database restarting")

    monkeypatch.setattr("rippledesk.triage.crisis.evaluate.do_evaluate", broken)
    handler_for("triage.crisis_tick")({})
    queued = Job.objects.get(name="triage.crisis_tick")
    assert queued.status == "queued"
    assert queued.run_at > timezone.now()


def test_disabled_workspaces_are_not_watched(acme: Workspace, tmp_path: Path) -> None:
    now = timezone.now()
    watch(acme, now - timedelta(days=2))
    store(acme, spike("lost_luggage", "AcmeAir", quarter(now), 15), tmp_path)
    (opened,) = do_evaluate(timezone.now()).opened
    CrisisSettings.objects.filter(workspace=acme).update(enabled=False)
    store(acme, spike("late_flight", "AcmeShop", quarter(now), 15), tmp_path)
    assert do_evaluate(timezone.now()).opened == []
    assert not CrisisSeries.objects.filter(topic="late_flight").exists()
    # the open incident still ends once its hour of quiet has passed
    later = do_evaluate(timezone.now() + timedelta(hours=2))
    assert later.resolved == [opened]


def test_the_recount_starts_at_the_right_analysis(acme: Workspace, tmp_path: Path) -> None:
    start = quarter(timezone.now()) - timedelta(hours=5)
    store(acme, history(start, 4), tmp_path)
    arrived_when_sent(acme)
    cut = start + timedelta(hours=2)
    found = first_analysis_after(cut)
    before = MessageAnalysis.objects.filter(created_at__lt=cut)
    assert found == max(before.values_list("id", flat=True))
    assert not MessageAnalysis.objects.filter(id__lte=found, created_at__gte=cut).exists()
    assert first_analysis_after(start - timedelta(days=1)) == 0
