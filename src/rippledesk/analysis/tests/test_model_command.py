"""``rippledesk model``: evaluate prints every task, train explains what it is missing."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rippledesk.analysis.evaluation import DataError, find_data_dir
from rippledesk.analysis.linear import TextClassifier

FIXTURE = Path(__file__).parent / "data" / "topics_tiny.csv"


def _shared_data() -> Path:
    try:
        return find_data_dir()
    except DataError:
        pytest.skip("no shared data directory on this machine")


def test_evaluate_prints_the_three_tasks() -> None:
    data_dir = _shared_data()
    out = io.StringIO()
    call_command("model", "evaluate", "--data-dir", str(data_dir), stdout=out)
    printed = out.getvalue()
    for expected in ("sentiment", "emotion", "topic", "airline validation", "TweetEval"):
        assert expected in printed
    assert "macro-F1" in printed
    assert "macro-recall" in printed


def test_missing_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("model", "evaluate", "--data-dir", str(tmp_path / "nowhere"))


def test_train_without_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(CommandError, match=r"pip install -e '\.\[train\]'"):
        call_command("model", "train", "--task", "topic")


def test_train_topics_from_a_workspace_csv(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("vaderSentiment")
    # Ten real complaints per topic: enough for the command's path, fast to train.
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [
        r for r in rows if sum(1 for o in rows[: rows.index(r)] if o["topic"] == r["topic"]) < 10
    ]
    small = tmp_path / "topics.csv"
    with small.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "topic"])
        writer.writeheader()
        writer.writerows(kept)
    out = io.StringIO()
    target = tmp_path / "topics.npz"
    call_command("model", "train-topics", str(small), "--out", str(target), stdout=out)
    assert "late_flight" in out.getvalue()
    assert TextClassifier.load(target).labels == ("customer_service", "late_flight", "lost_luggage")


def test_train_topics_refuses_a_csv_without_topics(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("vaderSentiment")
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("model", "train-topics", str(bad), "--out", str(tmp_path / "m.npz"))
