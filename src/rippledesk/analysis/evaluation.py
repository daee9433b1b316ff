"""The labelled data sets, our validation splits, and the numbers we judge models by.

Nothing here needs scikit-learn: ``rippledesk model evaluate`` runs wherever the models run.
The airline validation split is cut once at training time (scikit-learn's
``StratifiedGroupKFold``); the manifest stores it as a bitmap over the rows of ``train.csv`` with
the file's SHA-256, so evaluation uses exactly those rows, or refuses when the file changed.

Data sets (see each folder's PROVENANCE.md): ``airline-tweets/train.csv`` (sentiment, complaint
reason), ``tweeteval-emotion/{train,val}.csv``, ``tweeteval-sentiment/val.csv``. The TweetEval
validation files are for evaluation only: no model is trained or tuned on them.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.linear import TextClassifier

TRAINED_DIR = Path(__file__).resolve().parent / "trained"
MANIFEST = "manifest.json"
# src/rippledesk/analysis/evaluation.py -> the repository root is three folders up.
REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR_ENV = "RIPPLEDESK_SHARED_DATA"

# negativereason values of the airline data set -> our topic slugs ("Can't Tell" is dropped).
TOPICS = {
    "Customer Service Issue": "customer_service",
    "Late Flight": "late_flight",
    "Cancelled Flight": "cancelled_flight",
    "Lost Luggage": "lost_luggage",
    "Bad Flight": "bad_flight",
    "Flight Booking Problems": "booking_problems",
    "Flight Attendant Complaints": "flight_attendant",
    "longlines": "long_lines",
    "Damaged Luggage": "damaged_luggage",
}


class DataError(Exception):
    """A data directory, file or column is missing or not what the task expects."""


def find_data_dir(explicit: str | Path | None = None) -> Path:
    """``explicit``, else the first that exists of $RIPPLEDESK_SHARED_DATA, ../shared/data
    beside the repository, /work/shared/data."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_dir():
            raise DataError(f"data directory {path} does not exist")
        return path
    candidates = [REPO_ROOT.parent / "shared" / "data", Path("/work/shared/data")]
    if os.environ.get(DATA_DIR_ENV):
        candidates.insert(0, Path(os.environ[DATA_DIR_ENV]))
    for path in candidates:
        if path.is_dir():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise DataError(
        f"no shared data directory found (tried {tried}); pass --data-dir or set {DATA_DIR_ENV}"
    )


# Data sets -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AirlineRow:
    text: str
    sentiment: str
    confidence: float
    reason: str
    reason_confidence: float


def _read_csv(path: Path, columns: Sequence[str]) -> Iterator[dict[str, str]]:
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
        yield from reader


def _float(value: str, default: float = 1.0) -> float:
    try:
        return float(value) if value.strip() else default
    except ValueError:
        return default


def airline_path(data_dir: Path) -> Path:
    return data_dir / "airline-tweets" / "train.csv"


def load_airline(data_dir: Path) -> list[AirlineRow]:
    columns = ["text", "airline_sentiment", "airline_sentiment_confidence", "negativereason"]
    return [
        AirlineRow(
            text=row["text"],
            sentiment=row["airline_sentiment"],
            confidence=_float(row["airline_sentiment_confidence"]),
            reason=row["negativereason"],
            reason_confidence=_float(row.get("negativereason_confidence") or ""),
        )
        for row in _read_csv(airline_path(data_dir), [*columns, "negativereason_confidence"])
    ]


def load_text_label(path: Path) -> tuple[list[str], list[str]]:
    """A ``text,label`` CSV (the TweetEval files, a workspace's topic export)."""
    texts, labels = [], []
    for row in _read_csv(path, ["text", "label"]):
        texts.append(row["text"])
        labels.append(row["label"])
    return texts, labels


def topic_rows(rows: Sequence[AirlineRow], indices: Sequence[int]) -> list[int]:
    """The rows among ``indices`` that carry a known complaint topic."""
    return [i for i in indices if rows[i].sentiment == "negative" and rows[i].reason in TOPICS]


# Splits ----------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def encode_rows(indices: Sequence[int], total: int) -> str:
    mask = np.zeros(total, dtype=bool)
    mask[list(indices)] = True
    return base64.b64encode(np.packbits(mask).tobytes()).decode("ascii")


def decode_rows(encoded: str, total: int) -> list[int]:
    bits = np.unpackbits(np.frombuffer(base64.b64decode(encoded), dtype=np.uint8))[:total]
    return [int(i) for i in np.flatnonzero(bits)]


def load_manifest(trained_dir: Path = TRAINED_DIR) -> dict[str, Any]:
    path = trained_dir / MANIFEST
    if not path.is_file():
        raise DataError(f"{path}: no manifest; run `rippledesk model train` first")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def airline_validation_rows(data_dir: Path, manifest: dict[str, Any]) -> list[int]:
    """The airline rows the shipped models were validated on (never trained on)."""
    split = manifest["splits"]["airline"]
    path = airline_path(data_dir)
    if file_sha256(path) != split["sha256"]:
        raise DataError(f"{path} differs from the file the models were trained on; retrain them")
    return decode_rows(split["validation_rows"], int(split["rows"]))


# Metrics ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    accuracy: float
    macro_f1: float
    macro_recall: float
    log_loss: float | None = None
    ece: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def classification_metrics(
    truth: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str],
    probabilities: npt.NDArray[np.float64] | None = None,
) -> Metrics:
    """Accuracy, macro-F1 and macro-recall over ``labels`` (scikit-learn's definitions, with 0
    for an undefined ratio); log-loss and 15-bin expected calibration error when
    ``probabilities`` (columns in ``labels`` order) are given."""
    y = np.array(truth)
    p = np.array(predicted)
    f1s, recalls = [], []
    for label in labels:
        tp = float(np.sum((y == label) & (p == label)))
        support, predicted_n = float(np.sum(y == label)), float(np.sum(p == label))
        recalls.append(tp / support if support else 0.0)
        f1s.append(2 * tp / (support + predicted_n) if support + predicted_n else 0.0)
    log_loss = ece = None
    if probabilities is not None and len(y):
        index = {label: i for i, label in enumerate(labels)}
        columns = np.array([index[t] for t in truth])
        true_p = np.clip(probabilities[np.arange(len(y)), columns], 1e-15, 1.0)
        log_loss = float(-np.mean(np.log(true_p)))
        ece = expected_calibration_error(probabilities, columns)
    return Metrics(
        n=len(y),
        accuracy=float(np.mean(y == p)) if len(y) else 0.0,
        macro_f1=float(np.mean(f1s)),
        macro_recall=float(np.mean(recalls)),
        log_loss=log_loss,
        ece=ece,
    )


def expected_calibration_error(
    probabilities: npt.NDArray[np.float64], truth_columns: npt.NDArray[np.int64], bins: int = 15
) -> float:
    """Top-label ECE: |accuracy - confidence| averaged over equal-width confidence bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth_columns
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.sum() * abs(correct[members].mean() - confidence[members].mean())
    return float(total / len(confidence))


# Evaluation of the shipped models --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskResult:
    task: str
    model: str
    data: str
    metrics: Metrics


class Scorer(Protocol):
    """A :class:`TextClassifier` or anything scoring like one (the sentiment cascade)."""

    name: str
    labels: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...


def score(model: Scorer, texts: Sequence[str], truth: Sequence[str]) -> Metrics:
    probabilities = model.predict_proba(texts)
    predicted = [model.labels[i] for i in probabilities.argmax(axis=1)]
    return classification_metrics(truth, predicted, model.labels, probabilities)


def evaluate_models(
    data_dir: Path,
    models: dict[str, TextClassifier],
    manifest: dict[str, Any],
    sentiment_stack: Scorer | None = None,
) -> list[TaskResult]:
    """Every validation task the data directory allows, for ``models`` keyed by task.

    ``sentiment_stack`` (the cascade) is scored as "sentiment" where given, and the linear
    sentiment model alone as "sent-lin" beside it.
    """
    rows = load_airline(data_dir)
    validation = airline_validation_rows(data_dir, manifest)
    results = []
    linear, emotion, topic = models["sentiment"], models["emotion"], models["topic"]
    sentiments: list[tuple[str, Scorer]] = [("sentiment", sentiment_stack or linear)]
    if sentiment_stack is not None:
        sentiments.append(("sent-lin", linear))
    texts = [rows[i].text for i in validation]
    truth = [rows[i].sentiment for i in validation]
    for task, sentiment in sentiments:
        metrics = score(sentiment, texts, truth)
        results.append(TaskResult(task, sentiment.name, "airline validation", metrics))
    topical = topic_rows(rows, validation)
    topic_truth = [TOPICS[rows[i].reason] for i in topical]
    topic_metrics = score(topic, [rows[i].text for i in topical], topic_truth)
    results.append(TaskResult("topic", topic.name, "airline validation (negative)", topic_metrics))
    tweeteval = data_dir / "tweeteval-sentiment" / "val.csv"
    if tweeteval.is_file():
        texts, truth = load_text_label(tweeteval)
        for task, sentiment in sentiments:
            metrics = score(sentiment, texts, truth)
            results.append(TaskResult(task, sentiment.name, "TweetEval sentiment val", metrics))
    texts, truth = load_text_label(data_dir / "tweeteval-emotion" / "val.csv")
    results.append(
        TaskResult("emotion", emotion.name, "TweetEval emotion val", score(emotion, texts, truth))
    )
    return results


def load_models(trained_dir: Path = TRAINED_DIR) -> dict[str, TextClassifier]:
    manifest = load_manifest(trained_dir)
    return {
        task: TextClassifier.load(trained_dir / entry["file"])
        for task, entry in manifest["models"].items()
    }


def format_results(results: Sequence[TaskResult]) -> str:
    header = (
        f"{'task':<10} {'data':<32} {'n':>5} {'accuracy':>9} {'macro-F1':>9} "
        f"{'macro-recall':>13} {'log-loss':>9} {'ECE':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        m = r.metrics
        lines.append(
            f"{r.task:<10} {r.data:<32} {m.n:>5} {m.accuracy:>9.4f} {m.macro_f1:>9.4f} "
            f"{m.macro_recall:>13.4f} {m.log_loss or 0:>9.4f} {m.ece or 0:>6.4f}"
        )
    return "\n".join(lines)
