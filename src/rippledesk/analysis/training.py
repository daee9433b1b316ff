"""Reproducible training of the shipped text classifiers, exported for ``linear.py``.

scikit-learn is needed here only, and is imported inside the functions: the desk runs the
exported models with numpy alone. Every model is the same recipe (``docs/models.md`` has the
measurements behind each choice):

- ``linear.normalise`` on every text; word 1-2-gram and char_wb 2-5-gram TF-IDF (sublinear tf,
  ``min_df`` 2) plus five VADER lexicon features;
- the logits of a multinomial logistic regression (C=2, balanced class weights) averaged with
  those of one-vs-rest NB-weighted logistic regressions (Wang & Manning's NB-SVM with a logistic
  loss; the NB ratios fold into the weights, so the result is still one linear layer);
- one temperature fitted on out-of-fold logits of the training part (5 folds), so the
  probabilities are calibrated without changing any prediction.

Seeds are fixed and the solvers deterministic: the same data gives the same files.
"""

from __future__ import annotations

import csv
import importlib
import json
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis import distillation
from rippledesk.analysis.evaluation import (
    MANIFEST,
    TOPICS,
    TRAINED_DIR,
    AirlineRow,
    DataError,
    airline_path,
    classification_metrics,
    encode_rows,
    file_sha256,
    load_airline,
    load_text_label,
    topic_rows,
)
from rippledesk.analysis.linear import TOKEN_PATTERN, Lexicon, TextClassifier, normalise

MODEL_VERSION = "2026.11.1"
# A model retrained with a new recipe gets a new version, so stored analyses know which one
# scored them (``rippledesk reanalyze``); 2026.11.2: the distilled sentiment model.
TASK_VERSIONS = {"sentiment": "2026.11.2"}
SEED = 42
FOLDS = 5
C = 2.0
MIN_DF = 2
NB_SHARE = 0.5
LEXICON_SCALE = 1.0
# TweetEval emotion tweets, as weak sentiment labels (joy/optimism positive, anger/sadness
# negative), at this weight next to airline tweets weighted by annotator confidence squared.
EMOTION_AS_SENTIMENT_WEIGHT = 0.3
NEGATORS = frozenset(
    {
        "aint",
        "arent",
        "cannot",
        "cant",
        "couldnt",
        "darent",
        "didnt",
        "doesnt",
        "dont",
        "hadnt",
        "hasnt",
        "havent",
        "isnt",
        "mightnt",
        "mustnt",
        "neither",
        "never",
        "no",
        "nobody",
        "none",
        "nope",
        "nor",
        "not",
        "nothing",
        "nowhere",
        "oughtnt",
        "shant",
        "shouldnt",
        "uhuh",
        "wasnt",
        "werent",
        "without",
        "wont",
        "wouldnt",
        "rarely",
        "seldom",
        "despite",
    }
)
VADER_NOTICE = (
    "Lexicon features use the VADER sentiment lexicon (vaderSentiment 3.3.2), "
    "Copyright (c) 2016 C.J. Hutto, MIT License"
)
INSTALL_HINT = "pip install -e '.[train]'"
_LEXICON_WORD = re.compile(r"^[\w']+$")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class TrainingUnavailable(RuntimeError):
    """scikit-learn (or the VADER lexicon) is not installed."""


def require_training_dependencies() -> None:
    try:
        for module in ("sklearn", "scipy.sparse", "vaderSentiment"):
            importlib.import_module(module)
    except ImportError as exc:
        raise TrainingUnavailable(
            f"training needs scikit-learn and vaderSentiment ({exc.name} is missing): "
            f"{INSTALL_HINT}"
        ) from None


def _sklearn(module: str) -> Any:
    """A scikit-learn module, imported on first use (the desk runs without scikit-learn)."""
    return importlib.import_module(f"sklearn.{module}")


def vader_lexicon(scale: float = LEXICON_SCALE) -> Lexicon:
    """VADER's word valences (MIT licence); entries that are not single words are dropped,
    since the lexicon features only look words up."""
    require_training_dependencies()
    vader = importlib.import_module("vaderSentiment")

    path = Path(str(vader.__file__)).parent / "vader_lexicon.txt"
    valences: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        word = parts[0].lower()
        if len(parts) >= 2 and _LEXICON_WORD.match(word):
            valences[word] = float(parts[1])
    return Lexicon(valences=valences, negators=NEGATORS, scale=scale)


@dataclass(frozen=True, slots=True)
class Recipe:
    """The knobs of one fit; the defaults are the shipped models'."""

    c: float = C
    min_df: int = MIN_DF
    nb_share: float = NB_SHARE
    lexicon: Lexicon | None = None
    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] = (2, 5)

    def describe(self) -> dict[str, Any]:
        return {
            "features": f"word {self.word_ngram_range} + char_wb {self.char_ngram_range} "
            f"TF-IDF (sublinear, min_df={self.min_df})"
            + (" + VADER lexicon (5 features)" if self.lexicon else ""),
            "classifier": f"mean of logits: multinomial LR (C={self.c}, balanced) x "
            f"{1 - self.nb_share} + one-vs-rest NB-weighted LR x {self.nb_share}",
            "calibration": f"temperature on {FOLDS}-fold out-of-fold logits",
        }


@dataclass
class Fitted:
    """A fitted model still holding its scikit-learn vectorizers (the reference for export)."""

    recipe: Recipe
    labels: tuple[str, ...]
    vectorizers: tuple[Any, Any]
    weights: FloatArray
    bias: FloatArray
    temperature: float = 1.0
    info: dict[str, Any] = field(default_factory=dict)

    def features(self, texts: Sequence[str]) -> Any:
        return _features(self.vectorizers, self.recipe.lexicon, [normalise(t) for t in texts])

    def decision_function(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated logits computed with scikit-learn/scipy, in float64."""
        logits: FloatArray = (self.features(texts) @ self.weights + self.bias) / self.temperature
        return logits

    def to_classifier(self, name: str, version: str = MODEL_VERSION) -> TextClassifier:
        word, char = self.vectorizers
        return TextClassifier(
            name=name,
            version=version,
            labels=self.labels,
            word_vocabulary=list(word.get_feature_names_out()),
            word_idf=word.idf_,
            char_vocabulary=list(char.get_feature_names_out()),
            char_idf=char.idf_,
            weights=self.weights / self.temperature,
            bias=self.bias / self.temperature,
            lexicon=self.recipe.lexicon,
            word_ngram_range=self.recipe.word_ngram_range,
            char_ngram_range=self.recipe.char_ngram_range,
            token_pattern=TOKEN_PATTERN,
            info=self.info,
        )


def _features(vectorizers: tuple[Any, Any], lexicon: Lexicon | None, normalised: list[str]) -> Any:
    sp = importlib.import_module("scipy.sparse")

    blocks = [vectorizer.transform(normalised) for vectorizer in vectorizers]
    if lexicon is not None:
        rows = [lexicon.features(text.lower()) for text in normalised]
        blocks.append(sp.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)))
    return sp.hstack(blocks).tocsr()


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float] | None = None,
    recipe: Recipe | None = None,
    classes: Sequence[str] | None = None,
) -> Fitted:
    """One model on ``texts`` (temperature 1). ``classes`` fixes the label order."""
    require_training_dependencies()
    TfidfVectorizer = _sklearn("feature_extraction.text").TfidfVectorizer

    recipe = recipe or Recipe()
    order = tuple(classes) if classes is not None else tuple(sorted(set(labels)))
    if len(set(labels)) < 2:
        raise ValueError(f"training needs at least two labels, got {sorted(set(labels))}")
    normalised = [normalise(t) for t in texts]
    word = TfidfVectorizer(
        token_pattern=TOKEN_PATTERN,
        ngram_range=recipe.word_ngram_range,
        min_df=recipe.min_df,
        sublinear_tf=True,
    ).fit(normalised)
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=recipe.char_ngram_range,
        min_df=recipe.min_df,
        sublinear_tf=True,
    ).fit(normalised)
    matrix = _features((word, char), recipe.lexicon, normalised)
    index = {label: i for i, label in enumerate(order)}
    y = np.array([index[label] for label in labels], dtype=np.int64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    lr_weights, lr_bias = _multinomial(matrix, y, w, len(order), recipe.c)
    nb_weights, nb_bias = _nb_logistic(matrix, y, w, len(order), recipe.c)
    share = recipe.nb_share
    return Fitted(
        recipe=recipe,
        labels=order,
        vectorizers=(word, char),
        weights=(1 - share) * lr_weights + share * nb_weights,
        bias=(1 - share) * lr_bias + share * nb_bias,
    )


def _multinomial(
    matrix: Any, y: IntArray, w: FloatArray, k: int, c: float
) -> tuple[FloatArray, FloatArray]:
    LogisticRegression = _sklearn("linear_model").LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit(matrix, y, sample_weight=w)
    coef, intercept = model.coef_.T, model.intercept_
    weights, bias = np.zeros((matrix.shape[1], k)), np.zeros(k)
    present = model.classes_
    if len(present) == 2:  # binary: p(class 1) = sigmoid(z) = softmax([0, z])
        weights[:, present[1]], bias[present[1]] = coef[:, 0], intercept[0]
    else:
        weights[:, present], bias[present] = coef, intercept
    return weights, bias


def _nb_logistic(
    matrix: Any, y: IntArray, w: FloatArray, k: int, c: float
) -> tuple[FloatArray, FloatArray]:
    """One-vs-rest logistic regressions on features scaled by NB log-count ratios."""
    LogisticRegression = _sklearn("linear_model").LogisticRegression

    binary = (matrix > 0).astype(np.float64)
    weights, bias = np.zeros((matrix.shape[1], k)), np.zeros(k)
    for label in range(k):
        positive = y == label
        if positive.all() or not positive.any():
            continue
        p = 1.0 + np.asarray(binary[positive].T @ w[positive]).ravel()
        q = 1.0 + np.asarray(binary[~positive].T @ w[~positive]).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        n_pos = int(positive.sum())
        balance = {1: len(y) / (2 * n_pos), 0: len(y) / (2 * (len(y) - n_pos))}
        model = LogisticRegression(C=c, class_weight=balance, max_iter=5000)
        model.fit(matrix.multiply(ratio).tocsr(), positive.astype(np.int64), sample_weight=w)
        weights[:, label] = model.coef_[0] * ratio
        bias[label] = model.intercept_[0]
    return weights, bias


# Calibration -----------------------------------------------------------------------------------


def fit_temperature(logits: FloatArray, y: IntArray) -> float:
    """The T > 0 minimising the log-loss of softmax(logits / T) (golden-section on log T)."""

    def loss(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y)), y].mean())

    low, high = -3.0, 3.0
    golden = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - golden * (high - low), low + golden * (high - low)
        if loss(a) < loss(b):
            high = b
        else:
            low = a
    return math.exp((low + high) / 2)


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Texts to learn from; ``extra`` rows (other data sets) join every fold's training part."""

    texts: list[str]
    labels: list[str]
    weights: list[float]
    groups: list[int] | None = None
    extra_texts: list[str] = field(default_factory=list)
    extra_labels: list[str] = field(default_factory=list)
    extra_weights: list[float] = field(default_factory=list)
    # For each extra row, the index of the text it was derived from (a perturbed copy), or -1:
    # a fold's model must not learn from copies of the texts it is scored on.
    extra_sources: list[int] | None = None

    def extras_for(self, train: Iterable[int]) -> tuple[list[str], list[str], list[float]]:
        """The extra rows that a model trained on the texts ``train`` may see."""
        if self.extra_sources is None:
            return self.extra_texts, self.extra_labels, self.extra_weights
        allowed = set(train)
        keep = [i for i, s in enumerate(self.extra_sources) if s < 0 or s in allowed]
        return (
            [self.extra_texts[i] for i in keep],
            [self.extra_labels[i] for i in keep],
            [self.extra_weights[i] for i in keep],
        )


def out_of_fold_logits(
    data: TrainingSet, recipe: Recipe, classes: Sequence[str], max_folds: int = FOLDS
) -> tuple[FloatArray, IntArray] | None:
    """Logits for held-out texts from models that did not see them, and those texts' indices
    (every text, unless ``max_folds`` stops early); None if a class is too rare."""
    selection = _sklearn("model_selection")

    smallest = min(data.labels.count(label) for label in set(data.labels))
    folds = min(FOLDS, smallest)
    if folds < 2:
        return None
    y = np.array(data.labels)
    splitter: Any
    if data.groups is not None:
        splitter = selection.StratifiedGroupKFold(folds, shuffle=True, random_state=SEED)
        splits = splitter.split(data.texts, y, data.groups)
    else:
        splitter = selection.StratifiedKFold(folds, shuffle=True, random_state=SEED)
        splits = splitter.split(data.texts, y)
    logits = np.zeros((len(y), len(classes)))
    scored: list[int] = []
    for fold, (train, held_out) in enumerate(splits):
        if fold >= max_folds:
            break
        extra_texts, extra_labels, extra_weights = data.extras_for(int(i) for i in train)
        fitted = fit(
            [data.texts[i] for i in train] + extra_texts,
            [data.labels[i] for i in train] + extra_labels,
            [data.weights[i] for i in train] + extra_weights,
            recipe,
            classes,
        )
        logits[held_out] = fitted.decision_function([data.texts[i] for i in held_out])
        scored.extend(int(i) for i in held_out)
    index = np.array(sorted(scored), dtype=np.int64)
    return logits[index], index


def fit_calibrated(
    data: TrainingSet,
    recipe: Recipe,
    classes: Sequence[str] | None = None,
    calibration_folds: int = FOLDS,
) -> Fitted:
    """``fit`` on all of ``data``, with the temperature taken from out-of-fold logits (of the
    first ``calibration_folds`` folds: fewer fits when each is slow)."""
    order = tuple(classes) if classes is not None else tuple(sorted(set(data.labels)))
    fitted = fit(
        data.texts + data.extra_texts,
        data.labels + data.extra_labels,
        data.weights + data.extra_weights,
        recipe,
        order,
    )
    held_out = out_of_fold_logits(data, recipe, order, calibration_folds)
    if held_out is not None:
        logits, rows = held_out
        index = {label: i for i, label in enumerate(order)}
        y = np.array([index[data.labels[i]] for i in rows], dtype=np.int64)
        fitted.temperature = fit_temperature(logits, y)
    fitted.info["temperature"] = round(fitted.temperature, 4)
    return fitted


def train_topics_from_labelled(
    rows: Iterable[tuple[str, str]], recipe: Recipe | None = None
) -> Fitted:
    """A topic model from a workspace's own ``(text, topic)`` pairs.

    Preconditions: at least two topics; texts are raw message bodies. The recipe is the shipped
    models' (n-grams seen at least twice), so a few dozen rows per topic already give a usable
    model and training stays fast.
    """
    pairs = [(text, topic.strip()) for text, topic in rows if topic and topic.strip()]
    topics = sorted({topic for _, topic in pairs})
    if len(topics) < 2:
        raise ValueError(f"need labelled rows for at least two topics, got {topics}")
    if recipe is None:
        recipe = Recipe(lexicon=vader_lexicon())
    data = TrainingSet(
        texts=[t for t, _ in pairs],
        labels=[topic for _, topic in pairs],
        weights=[1.0] * len(pairs),
    )
    fitted = fit_calibrated(data, recipe, topics)
    fitted.info["training_data"] = f"{len(pairs)} labelled rows"
    if recipe.lexicon is not None:
        fitted.info["lexicon_licence"] = VADER_NOTICE
    return fitted


# The shipped models ----------------------------------------------------------------------------

TASKS = ("sentiment", "emotion", "topic")
MODEL_NAMES = {task: f"rippledesk-{task}" for task in TASKS}
SENTIMENT_OF_EMOTION = {
    "joy": "positive",
    "optimism": "positive",
    "anger": "negative",
    "sadness": "negative",
}


def airline_split(rows: Sequence[AirlineRow]) -> tuple[list[int], list[int]]:
    """Fold 0 of a stratified 5-fold split keeping exact-duplicate texts together: ~80/20."""
    require_training_dependencies()
    StratifiedGroupKFold = _sklearn("model_selection").StratifiedGroupKFold

    groups = _text_groups([row.text for row in rows])
    labels = [row.sentiment for row in rows]
    splitter = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED)
    train, validation = next(iter(splitter.split(labels, labels, groups)))
    return [int(i) for i in train], [int(i) for i in validation]


def _text_groups(texts: Sequence[str]) -> list[int]:
    ids: dict[str, int] = {}
    return [ids.setdefault(text, len(ids)) for text in texts]


def sentiment_data(
    data_dir: Path,
    rows: Sequence[AirlineRow],
    train: Sequence[int],
    teacher: distillation.TeacherLabels | None = None,
) -> TrainingSet:
    """Airline training rows, emotion tweets as weak labels and, given the teacher's labels,
    the distillation transfer set (``distillation.py``)."""
    emotion_texts, emotions = load_text_label(data_dir / "tweeteval-emotion" / "train.csv")
    texts = [rows[i].text for i in train]
    extra_texts = list(emotion_texts)
    extra_labels = [SENTIMENT_OF_EMOTION[e] for e in emotions]
    extra_weights = [EMOTION_AS_SENTIMENT_WEIGHT] * len(emotions)
    sources = [-1] * len(emotion_texts)
    if teacher is not None:
        transfer = distillation.transfer_rows(texts, teacher, CLASSES["sentiment"])
        extra_texts += transfer.texts
        extra_labels += transfer.labels
        extra_weights += transfer.weights
        sources += transfer.sources
    return TrainingSet(
        texts=texts,
        labels=[rows[i].sentiment for i in train],
        weights=[rows[i].confidence ** 2 for i in train],
        groups=_text_groups(texts),
        extra_texts=extra_texts,
        extra_labels=extra_labels,
        extra_weights=extra_weights,
        extra_sources=sources,
    )


def teacher_labels_path(out_dir: Path) -> Path:
    """The teacher-labels file beside the models being written, else the shipped one."""
    for directory in (out_dir, TRAINED_DIR):
        if (directory / distillation.LABELS_FILE).is_file():
            return directory / distillation.LABELS_FILE
    raise DataError(
        f"no {distillation.LABELS_FILE} in {out_dir} or {TRAINED_DIR}: build it with "
        "`rippledesk model train --task sentiment-teacher` (needs the teacher extra)"
    )


def topic_data(rows: Sequence[AirlineRow], train: Sequence[int]) -> TrainingSet:
    chosen = topic_rows(rows, train)
    texts = [rows[i].text for i in chosen]
    return TrainingSet(
        texts=texts,
        labels=[TOPICS[rows[i].reason] for i in chosen],
        weights=[rows[i].reason_confidence ** 2 for i in chosen],
        groups=_text_groups(texts),
    )


def emotion_data(data_dir: Path) -> TrainingSet:
    texts, labels = load_text_label(data_dir / "tweeteval-emotion" / "train.csv")
    return TrainingSet(texts=texts, labels=labels, weights=[1.0] * len(texts))


TRAINING_DATA = {
    "sentiment": "airline-tweets/train.csv training part (sample weight = confidence^2) + "
    "tweeteval-emotion/train.csv as weak positive/negative labels "
    f"(weight {EMOTION_AS_SENTIMENT_WEIGHT})",
    "emotion": "tweeteval-emotion/train.csv (all of it)",
    "topic": "airline-tweets/train.csv training part, negative tweets with a known reason "
    "(sample weight = reason confidence^2)",
}
TRANSFER_DATA = (
    f" + {distillation.PER_TEXT} perturbed copies of each training tweet labelled by the "
    f"fine-tuned MiniLM teacher (weight {distillation.TRANSFER_WEIGHT}, {distillation.LABELS_FILE})"
)
CLASSES = {
    "sentiment": ("negative", "neutral", "positive"),
    "emotion": ("anger", "joy", "optimism", "sadness"),
    "topic": tuple(TOPICS.values()),
}


# With ten times more (teacher-labelled) rows, the distilled sentiment model wants less
# regularisation (docs/models.md, selection fold).
DISTILLED_C = 4.0
# The distilled sentiment model trains on ~85,000 rows: its temperature comes from one
# calibration fold instead of five (two fits instead of six).
CALIBRATION_FOLDS = {"sentiment": 1}


def train_task(
    task: str,
    data_dir: Path,
    rows: Sequence[AirlineRow],
    train: Sequence[int],
    teacher: distillation.TeacherLabels | None = None,
) -> Fitted:
    c = DISTILLED_C if task == "sentiment" and teacher is not None else C
    recipe = Recipe(lexicon=vader_lexicon(), c=c)
    if task == "sentiment":
        data = sentiment_data(data_dir, rows, train, teacher)
    elif task == "emotion":
        data = emotion_data(data_dir)
    elif task == "topic":
        data = topic_data(rows, train)
    else:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    folds = CALIBRATION_FOLDS.get(task, FOLDS)
    fitted = fit_calibrated(data, recipe, CLASSES[task], folds)
    described = recipe.describe()
    if folds < FOLDS:
        described["calibration"] = f"temperature on the held-out logits of {folds} of {FOLDS} folds"
    if teacher is not None:
        described["distillation"] = {
            "teacher": teacher.info.get("teacher"),
            "transfer": teacher.info.get("transfer"),
            "labels": "teacher's top label, weight " + str(distillation.TRANSFER_WEIGHT),
        }
    fitted.info.update(
        training_data=TRAINING_DATA[task] + (TRANSFER_DATA if teacher is not None else ""),
        seed=SEED,
        recipe=described,
        lexicon_licence=VADER_NOTICE,
    )
    return fitted


def train_and_export(
    tasks: Sequence[str], data_dir: Path, out_dir: Path, log: Any = print
) -> dict[str, Any]:
    """Train ``tasks``, write ``<task>.npz`` and update ``manifest.json`` in ``out_dir``."""
    require_training_dependencies()
    rows = load_airline(data_dir)
    train, validation = airline_split(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    manifest: dict[str, Any] = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    )
    manifest.update(format="rippledesk-models/1", version=MODEL_VERSION)
    manifest.setdefault("models", {})
    manifest["splits"] = {
        "airline": {
            "file": "airline-tweets/train.csv",
            "sha256": file_sha256(airline_path(data_dir)),
            "rows": len(rows),
            "method": f"StratifiedGroupKFold({FOLDS}, shuffle=True, random_state={SEED}) fold 0 "
            "by sentiment, exact-duplicate texts grouped",
            "train_rows": len(train),
            "validation_rows": encode_rows(validation, len(rows)),
        }
    }
    for task in tasks:
        started = time.perf_counter()
        teacher = None
        if task == "sentiment":
            labels_path = teacher_labels_path(out_dir)
            teacher = distillation.load_labels(labels_path)
            log(f"sentiment: teacher labels from {labels_path}")
        fitted = train_task(task, data_dir, rows, train, teacher)
        if teacher is not None:
            fitted.info["teacher_labels"] = {
                "file": labels_path.name,
                "bytes": labels_path.stat().st_size,
                "sha256": file_sha256(labels_path),
            }
        classifier = fitted.to_classifier(MODEL_NAMES[task], TASK_VERSIONS.get(task, MODEL_VERSION))
        path = out_dir / f"{task}.npz"
        classifier.save(path)
        entry = {
            "file": path.name,
            "name": classifier.name,
            "version": classifier.version,
            "labels": list(classifier.labels),
            "bytes": path.stat().st_size,
            "sha256": file_sha256(path),
            **fitted.info,
            "validation": validation_report(task, fitted, data_dir, rows, validation),
        }
        manifest["models"][task] = entry
        log(f"{task}: trained in {time.perf_counter() - started:.0f} s, {entry['bytes']:,} bytes")
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def validation_report(
    task: str, fitted: Fitted, data_dir: Path, rows: Sequence[AirlineRow], validation: Sequence[int]
) -> dict[str, Any]:
    """Metrics on the validation data (reported, never used to choose anything), with the
    log-loss and ECE the uncalibrated (temperature 1) model would have had."""
    sets: dict[str, tuple[list[str], list[str]]] = {}
    if task == "sentiment":
        sets["airline validation"] = (
            [rows[i].text for i in validation],
            [rows[i].sentiment for i in validation],
        )
        tweeteval = data_dir / "tweeteval-sentiment" / "val.csv"
        if tweeteval.is_file():
            sets["TweetEval sentiment val"] = load_text_label(tweeteval)
    elif task == "topic":
        chosen = topic_rows(rows, validation)
        sets["airline validation (negative)"] = (
            [rows[i].text for i in chosen],
            [TOPICS[rows[i].reason] for i in chosen],
        )
    else:
        sets["TweetEval emotion val"] = load_text_label(data_dir / "tweeteval-emotion" / "val.csv")
    report = {}
    for name, (texts, truth) in sets.items():
        logits = fitted.decision_function(texts)
        predicted = _argmax(fitted.labels, logits)
        calibrated = classification_metrics(truth, predicted, fitted.labels, _softmax(logits))
        raw = classification_metrics(
            truth, predicted, fitted.labels, _softmax(logits * fitted.temperature)
        )
        report[name] = {
            **calibrated.as_dict(),
            "uncalibrated_log_loss": round(raw.log_loss or 0.0, 4),
            "uncalibrated_ece": round(raw.ece or 0.0, 4),
        }
    return report


def _argmax(labels: Sequence[str], logits: FloatArray) -> list[str]:
    return [labels[i] for i in logits.argmax(axis=1)]


def _softmax(logits: FloatArray) -> FloatArray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: FloatArray = z / z.sum(axis=1, keepdims=True)
    return result


def train_topics_csv(path: Path, out: Path, name: str = "workspace-topics") -> TextClassifier:
    """Train ``train_topics_from_labelled`` on a CSV with ``text`` and ``topic`` columns."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "topic"} - set(reader.fieldnames or [])
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        pairs = [(row["text"] or "", row["topic"] or "") for row in reader]
    classifier = train_topics_from_labelled(pairs).to_classifier(name)
    classifier.save(out)
    return classifier
