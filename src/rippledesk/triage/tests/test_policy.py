"""Queue policies: who is served first, and how aging bounds the wait of low-risk messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rippledesk.triage.policy import AGING_MINUTES, Waiting, queue_key

T0 = datetime(2015, 2, 22, 8, 0, tzinfo=UTC)


def first(policy: str, *items: Waiting) -> Waiting:
    return min(items, key=lambda w: queue_key(policy, w))  # type: ignore[arg-type]


def test_fifo_risk_and_priority_orders() -> None:
    old_calm = Waiting(T0, 0.1, "low", 1)
    new_angry = Waiting(T0 + timedelta(minutes=5), 0.9, "urgent", 2)
    new_high = Waiting(T0 + timedelta(minutes=1), 0.5, "high", 3)
    assert first("fifo", old_calm, new_angry, new_high) is old_calm
    assert first("risk", old_calm, new_angry, new_high) is new_angry
    assert first("priority", old_calm, new_high, new_angry) is new_angry


def test_aging_lets_a_long_wait_overtake_risk_but_not_a_short_one() -> None:
    calm = Waiting(T0, 0.0, "low", 1)
    soon = Waiting(T0 + timedelta(minutes=AGING_MINUTES / 2), 1.0, "urgent", 2)
    late = Waiting(T0 + timedelta(minutes=AGING_MINUTES * 1.5), 1.0, "urgent", 3)
    assert first("aged", calm, soon) is soon  # half the horizon: risk still wins
    assert first("aged", calm, late) is calm  # waited longer than the horizon: served first
    # The order of two waiting messages does not depend on when the agent looks.
    assert queue_key("aged", calm) < queue_key("aged", late)


def test_aging_horizon_is_a_parameter() -> None:
    calm = Waiting(T0, 0.0, "low", 1)
    risky = Waiting(T0 + timedelta(minutes=90), 1.0, "urgent", 2)
    assert queue_key("aged", risky, 60) > queue_key("aged", calm, 60)
    assert queue_key("aged", risky, 120) < queue_key("aged", calm, 120)
