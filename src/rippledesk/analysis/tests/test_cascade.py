"""The sentiment cascade: the linear model answers, the int8 encoder re-reads the unsure."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rippledesk.analysis.cascade import (
    BUDGET_ENV,
    DEFAULT_BUDGET,
    ENCODER_ENV,
    CascadeRule,
    SentimentCascade,
    combine,
    encoder_budget,
    load_sentiment,
    unsure,
    within_budget,
)
from rippledesk.analysis.encoder import (
    MODEL_FILE,
    THREADS_ENV,
    VOCAB_FILE,
    EncoderUnavailable,
    SentimentEncoder,
    analysis_threads,
)
from rippledesk.analysis.evaluation import TRAINED_DIR, file_sha256
from rippledesk.analysis.linear import TextClassifier
from rippledesk.analysis.tests.test_linear import ODD_INPUTS

SAMPLE = Path(__file__).resolve().parents[4] / "data" / "airline-tweets" / "sample.csv"


@pytest.fixture(scope="module")
def linear() -> TextClassifier:
    return TextClassifier.load(TRAINED_DIR / "sentiment.npz")


@pytest.fixture(scope="module")
def cascade(linear: TextClassifier) -> SentimentCascade:
    return load_sentiment(linear, TRAINED_DIR)


@pytest.fixture(scope="module")
def tweets() -> list[str]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)][:200]


def test_rule_from_manifest_is_checked() -> None:
    rule = CascadeRule.from_dict({"threshold": 0.6, "weight": 0.4, "temperature": 1.5})
    assert rule == CascadeRule(0.6, 0.4, 1.5)
    with pytest.raises(ValueError, match="incomplete"):
        CascadeRule.from_dict({"threshold": 0.6})
    with pytest.raises(ValueError, match="out of range"):
        CascadeRule.from_dict({"threshold": 0.6, "weight": 1.5, "temperature": 1.0})


def test_combine_mixes_log_probabilities() -> None:
    linear_p = np.array([[0.5, 0.3, 0.2], [0.1, 0.45, 0.45]])
    logits = np.array([[0.0, 3.0, 0.0], [2.0, 0.0, 0.0]])
    only_linear = combine(linear_p, logits, CascadeRule(0.7, 0.0, 1.0))
    assert np.allclose(only_linear, linear_p)
    only_encoder = combine(linear_p, logits, CascadeRule(0.7, 1.0, 2.0))
    expected = np.exp(logits / 2.0) / np.exp(logits / 2.0).sum(axis=1, keepdims=True)
    assert np.allclose(only_encoder, expected)
    half = combine(linear_p, logits, CascadeRule(0.7, 0.5, 1.0))
    assert np.allclose(half.sum(axis=1), 1.0)
    assert half[0].argmax() == 1  # the encoder's strong "neutral" outweighs the linear lean
    assert list(unsure(linear_p, CascadeRule(0.5, 0.5, 1.0))) == [False, True]


def test_shipped_cascade_loads_with_its_rule(cascade: SentimentCascade) -> None:
    assert cascade.encoder is not None
    assert cascade.rule is not None
    assert "+enc" in cascade.version
    assert cascade.labels == ("negative", "neutral", "positive")
    manifest = json.loads((TRAINED_DIR / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["cascade"]["sentiment"]
    assert entry["selection"]["share"] <= entry["selection"]["max_share"]
    assert (TRAINED_DIR / MODEL_FILE).stat().st_size == entry["bytes"]
    assert file_sha256(TRAINED_DIR / MODEL_FILE) == entry["sha256"]


def test_only_unsure_texts_change(
    cascade: SentimentCascade, linear: TextClassifier, tweets: list[str]
) -> None:
    assert cascade.rule is not None
    assert cascade.encoder is not None
    before = linear.predict_proba(tweets)
    after, pending = cascade.scores(tweets)
    routed = unsure(before, cascade.rule)
    # Customer-service tweets fit the encoder's budget: every unsure one is re-read.
    assert 0 < routed.sum() <= DEFAULT_BUDGET * len(tweets)
    assert not pending.any()
    assert np.array_equal(after[~routed], before[~routed])
    logits = cascade.encoder.logits([t for t, r in zip(tweets, routed, strict=True) if r])
    assert np.allclose(after[routed], combine(before[routed], logits, cascade.rule))
    assert np.allclose(after.sum(axis=1), 1.0)


def test_within_budget_keeps_the_least_sure() -> None:
    linear_p = np.array(
        [[0.5, 0.3, 0.2], [0.4, 0.35, 0.25], [0.9, 0.05, 0.05], [0.34, 0.33, 0.33], [0.6, 0.2, 0.2]]
    )
    routed = np.array([0, 1, 3, 4])
    now, later = within_budget(linear_p, routed, 0.4)  # 2 of 5 rows
    assert (list(now), list(later)) == ([1, 3], [0, 4])
    now, later = within_budget(linear_p, routed, 0.8)  # 4 of 5: all routed rows fit
    assert (list(now), len(later)) == ([0, 1, 3, 4], 0)
    now, later = within_budget(linear_p[:1], routed[:1], 0.01)  # a lone text is always read
    assert (list(now), len(later)) == ([0], 0)
    ten = np.tile(linear_p[:1], (10, 1))
    now, _ = within_budget(ten, np.arange(10), 0.3)  # 0.3 * 10 is 3, not 4
    assert len(now) == 3


def test_a_doubtful_batch_stops_at_the_budget(
    cascade: SentimentCascade, linear: TextClassifier, tweets: list[str]
) -> None:
    """A batch of texts the linear model doubts (general posts, say) spends at most the budget
    on the encoder, the least sure first; the rest keep the linear reading and come back
    pending, and the unbudgeted call (the refine job's) reads them all."""
    assert cascade.rule is not None
    linear_p = linear.predict_proba(tweets)
    doubtful = [t for t, u in zip(tweets, unsure(linear_p, cascade.rule), strict=True) if u]
    assert len(doubtful) >= 20
    before = linear.predict_proba(doubtful)
    budgeted, pending = cascade.scores(doubtful)
    allowance = int(np.ceil(round(DEFAULT_BUDGET * len(doubtful), 9)))
    assert int((~pending).sum()) == allowance
    assert np.array_equal(budgeted[pending], before[pending])
    assert not np.allclose(budgeted[~pending], before[~pending])
    assert before[~pending].max(axis=1).max() <= before[pending].max(axis=1).min()
    complete, none_pending = cascade.scores(doubtful, budgeted=False)
    assert not none_pending.any()
    assert np.allclose(complete[~pending], budgeted[~pending])
    assert not np.allclose(complete[pending], before[pending])
    alone, alone_pending = cascade.scores(doubtful[:1])
    assert not alone_pending.any()
    assert np.allclose(alone[0], complete[0])
    unlimited = SentimentCascade(linear, cascade.encoder, cascade.rule, "x", budget=None)
    assert not unlimited.scores(doubtful)[1].any()


def test_budget_setting(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(BUDGET_ENV, raising=False)
    assert encoder_budget() == DEFAULT_BUDGET
    monkeypatch.setenv(BUDGET_ENV, "0.5")
    assert encoder_budget() == 0.5
    monkeypatch.setenv(BUDGET_ENV, "off")
    assert encoder_budget() is None
    assert (
        load_sentiment(TextClassifier.load(TRAINED_DIR / "sentiment.npz"), TRAINED_DIR).budget
        is None
    )
    for bad in ("half", "1.5", "0"):
        monkeypatch.setenv(BUDGET_ENV, bad)
        assert encoder_budget() == DEFAULT_BUDGET
        assert BUDGET_ENV in caplog.text
        assert repr(bad) in caplog.text
        caplog.clear()


def test_a_text_scores_the_same_alone_and_in_any_batch(
    cascade: SentimentCascade, tweets: list[str]
) -> None:
    """Dynamic int8 scales a run's activations together, so every text runs on its own: no
    text's scores depend on the texts passed with it, their order or the number of workers."""
    assert cascade.encoder is not None
    together = cascade.encoder.logits(tweets[:64])
    alone = np.vstack([cascade.encoder.logits([t]) for t in tweets[:64]])
    reversed_batch = cascade.encoder.logits(tweets[:64][::-1])[::-1]
    one_worker = SentimentEncoder.from_dir(TRAINED_DIR, threads=1).logits(tweets[:64])
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(together, reversed_batch, atol=1e-6)
    assert np.allclose(together, one_worker, atol=1e-6)
    assert cascade.encoder.logits([]).shape == (0, 3)


def test_the_encoder_reads_sentiment(cascade: SentimentCascade) -> None:
    assert cascade.encoder is not None
    logits = cascade.encoder.logits(
        [
            "@united you lost my bag and nobody calls back. worst.",
            "@JetBlue thank you, lovely crew!",
        ]
    )
    assert list(logits.argmax(axis=1)) == [0, 2]


def test_odd_inputs_score(cascade: SentimentCascade) -> None:
    p = cascade.predict_proba(ODD_INPUTS)
    assert p.shape == (len(ODD_INPUTS), 3)
    assert np.all(np.isfinite(p))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert cascade.predict_proba([]).shape == (0, 3)


def test_switched_off_or_missing_means_linear_alone(
    linear: TextClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENCODER_ENV, "off")
    off = load_sentiment(linear, TRAINED_DIR)
    assert off.encoder is None
    assert off.version == linear.version
    monkeypatch.delenv(ENCODER_ENV)
    manifest = json.loads((TRAINED_DIR / "manifest.json").read_text(encoding="utf-8"))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copyfile(TRAINED_DIR / VOCAB_FILE, tmp_path / VOCAB_FILE)  # the model file is missing
    missing = load_sentiment(linear, tmp_path)
    assert missing.encoder is None
    assert np.array_equal(
        missing.predict_proba(["late again"]), linear.predict_proba(["late again"])
    )


def test_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "1")
    assert analysis_threads() == 1
    monkeypatch.setenv(THREADS_ENV, "two")
    with pytest.raises(EncoderUnavailable, match=THREADS_ENV):
        analysis_threads()


def test_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match=MODEL_FILE):
        SentimentEncoder.from_dir(tmp_path)
