"""Training is reproducible and the helpers it relies on behave (scikit-learn tests skip
without it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from rippledesk.analysis.evaluation import (
    classification_metrics,
    decode_rows,
    encode_rows,
    expected_calibration_error,
)
from rippledesk.analysis.linear import TextClassifier
from rippledesk.analysis.tests.test_linear import tiny_topics


def test_training_on_a_tiny_fixture_is_deterministic(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("vaderSentiment")
    from rippledesk.analysis.training import train_topics_from_labelled  # noqa: PLC0415

    texts, topics = tiny_topics()
    digests = []
    for attempt in range(2):
        fitted = train_topics_from_labelled(zip(texts, topics, strict=True))
        path = tmp_path / f"run{attempt}.npz"
        fitted.to_classifier("workspace-topics").save(path)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    model = TextClassifier.load(tmp_path / "run0.npz")
    assert model.labels == ("customer_service", "late_flight", "lost_luggage")
    assert 0.1 < fitted.temperature < 10
    assert model.predict(["my bag never arrived, where is my luggage"]) == ["lost_luggage"]


def test_topics_need_two_labels() -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("vaderSentiment")
    from rippledesk.analysis.training import train_topics_from_labelled  # noqa: PLC0415

    with pytest.raises(ValueError, match="at least two topics"):
        train_topics_from_labelled([("late again", "late_flight"), ("so late", "late_flight")])


def test_temperature_recovers_a_known_scale() -> None:
    from rippledesk.analysis.training import fit_temperature  # noqa: PLC0415

    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(4000, 3)) * 2
    probabilities = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=p) for p in probabilities])
    assert fit_temperature(true_logits * 3, y) == pytest.approx(3, rel=0.15)


def test_metrics_match_hand_computation() -> None:
    truth = ["a", "a", "b", "c"]
    predicted = ["a", "b", "b", "b"]
    metrics = classification_metrics(truth, predicted, ["a", "b", "c"])
    assert metrics.accuracy == 0.5
    assert metrics.macro_recall == pytest.approx((0.5 + 1 + 0) / 3)
    assert metrics.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0) / 3)
    confident = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert expected_calibration_error(confident, np.array([0, 1])) == 0.0


def test_split_bitmap_round_trips() -> None:
    rows = [0, 3, 4, 9, 10]
    assert decode_rows(encode_rows(rows, 11), 11) == rows
