"""The numpy runtime of the text classifiers: shipped models, odd inputs, file format, and
agreement with scikit-learn (skipped when scikit-learn is not installed)."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import numpy as np
import pytest

from rippledesk.analysis.evaluation import TRAINED_DIR, load_models
from rippledesk.analysis.linear import TextClassifier, char_wb_ngrams, normalise, word_ngrams

DATA = Path(__file__).parent / "data"
ODD_INPUTS = [
    "",
    " ",
    "\n\t\r",
    "!!!???",
    "😡😡😡",
    "👍🏽❤️‍🔥🇺🇸",
    "\x00\x01\x7f\x9f control \ufeff",
    "\ud800 lone surrogate \udfff",
    "a" * 100_000,
    "flight delayed " * 7000,
    "&amp;&lt;3 &#128512; <b>bold</b>",
    "@united http://t.co/x www.example.com #fail",
    "İSTANBUL ß ﬁ Ǆ ΣΑΣ",
    "日本語のツイートです",
    "مرحبا بكم",
]


def tiny_topics() -> tuple[list[str], list[str]]:
    """90 real airline complaints, 30 for each of three topics (``data/topics_tiny.csv``)."""
    with (DATA / "topics_tiny.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["topic"] for r in rows]


@pytest.fixture(scope="module")
def models() -> dict[str, TextClassifier]:
    return load_models(TRAINED_DIR)


def test_shipped_models_load_fast(models: dict[str, TextClassifier]) -> None:
    started = time.perf_counter()
    load_models(TRAINED_DIR)
    assert time.perf_counter() - started < 1.0  # target 0.2 s; slack for a busy CI machine
    assert models["sentiment"].labels == ("negative", "neutral", "positive")
    assert models["emotion"].labels == ("anger", "joy", "optimism", "sadness")
    assert "late_flight" in models["topic"].labels


def test_shipped_models_read_the_obvious(models: dict[str, TextClassifier]) -> None:
    sentiment = models["sentiment"].predict(
        ["@united worst airline ever, lost my bag again", "@JetBlue thank you so much, great crew!"]
    )
    assert sentiment == ["negative", "positive"]
    assert models["topic"].predict(["@united my flight is delayed 4 hours"]) == ["late_flight"]


@pytest.mark.parametrize("task", ["sentiment", "emotion", "topic"])
def test_odd_inputs_never_raise_and_probabilities_sum_to_one(
    models: dict[str, TextClassifier], task: str
) -> None:
    model = models[task]
    batch = model.predict_proba(ODD_INPUTS)
    assert batch.shape == (len(ODD_INPUTS), len(model.labels))
    assert np.all(np.isfinite(batch))
    assert np.allclose(batch.sum(axis=1), 1.0)
    for text, row in zip(ODD_INPUTS, batch, strict=True):
        single = model.predict_proba([text])[0]
        assert np.allclose(single, row, atol=1e-9)
        assert abs(sum(model.scores(text).values()) - 1.0) < 1e-9
    assert model.predict_proba([]).shape == (0, len(model.labels))
    assert model.predict([]) == []


def test_batches_match_one_at_a_time(models: dict[str, TextClassifier]) -> None:
    texts, _ = tiny_topics()
    model = models["sentiment"]
    batch = model.predict_proba(texts)
    singles = np.vstack([model.predict_proba([t]) for t in texts])
    assert np.allclose(batch, singles, atol=1e-9)


def test_normalise_masks_handles_links_and_names_emoji() -> None:
    assert normalise("@Delta  thanks &amp; bye 😡 http://t.co/abc") == (
        "@user thanks & bye pouting face http"
    )
    assert normalise("x" * 20_000) == "x" * 5000


def test_save_and_load_round_trip(tmp_path: Path, models: dict[str, TextClassifier]) -> None:
    model = models["emotion"]
    model.save(tmp_path / "copy.npz")
    copy = TextClassifier.load(tmp_path / "copy.npz")
    assert (copy.name, copy.version, copy.labels) == (model.name, model.version, model.labels)
    texts = ["so happy today!", "I hate waiting", "😢"]
    assert np.allclose(copy.predict_proba(texts), model.predict_proba(texts))


def test_load_refuses_other_files_without_running_them(tmp_path: Path) -> None:
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, meta=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(ValueError, match="not a rippledesk linear model"):
        TextClassifier.load(pickled)
    text = tmp_path / "model.npz"
    text.write_text("not a model")
    with pytest.raises(ValueError, match="not a rippledesk linear model"):
        TextClassifier.load(text)


def test_inconsistent_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="weights"):
        TextClassifier(
            name="broken",
            version="0",
            labels=("a", "b"),
            word_vocabulary=["x"],
            word_idf=[1.0],
            char_vocabulary=[],
            char_idf=[],
            weights=np.zeros((3, 2)),
            bias=[0.0, 0.0],
        )


TRICKY = [
    "Hello  world",
    "a",
    "ab cd",
    "don't #stop @user!!! why?",
    "i'm    so\tangry\n\nnow",
    "éèê naïve café",
    "x y z",
    "",
    "  leading and trailing  ",
    "pouting face pouting face",
]


def test_ngrams_match_scikit_learn() -> None:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    words = text.CountVectorizer(token_pattern=r"(?u)[\w'#@]+|[!?]", ngram_range=(1, 3))
    chars = text.CountVectorizer(analyzer="char_wb", ngram_range=(1, 6))
    analyse_words, analyse_chars = words.build_analyzer(), chars.build_analyzer()
    token = re.compile(r"(?u)[\w'#@]+|[!?]")
    for sample in TRICKY:
        lowered = sample.lower()
        assert word_ngrams(token.findall(lowered), 1, 3) == analyse_words(sample)
        ours = [g for w in lowered.split() for g in char_wb_ngrams(w, 1, 6)]
        assert ours == analyse_chars(sample)


def test_exported_model_scores_as_the_scikit_learn_pipeline(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("vaderSentiment")
    from rippledesk.analysis.training import Recipe, fit, vader_lexicon  # noqa: PLC0415

    texts, topics = tiny_topics()
    fitted = fit(texts, topics, recipe=Recipe(min_df=1, lexicon=vader_lexicon()))
    fitted.temperature = 1.7
    fitted.to_classifier("tiny").save(tmp_path / "tiny.npz")
    exported = TextClassifier.load(tmp_path / "tiny.npz")
    sample = texts[::3] + TRICKY + ODD_INPUTS[:8]
    reference = fitted.decision_function(sample)
    assert np.allclose(exported.decision_function(sample), reference, atol=1e-4)
    assert exported.predict(sample) == [fitted.labels[i] for i in reference.argmax(axis=1)]
