"""Quality and speed of the shipped text classifiers, next to VADER and a plain TF-IDF + LR.

Usage: ``python benchmarks/analysis.py [--data-dir DIR] [--models DIR] [--repeat 3]``.
Needs scikit-learn and vaderSentiment (dev/bench only; the desk itself needs neither).

In one run, on one process:

- quality on the validation data: airline sentiment (our split, from the manifest), TweetEval
  sentiment val (out of domain, never trained or tuned on), TweetEval emotion val, airline
  complaint topic; accuracy, macro-F1, macro-recall;
- the same for VADER (compound >= 0.05 positive, <= -0.05 negative: its authors' thresholds) and
  for a baseline fitted here on the same training rows: ``linear.normalise`` + word 1-2-gram and
  char_wb 2-5-gram TF-IDF + LogisticRegression(C=2, balanced), run through scikit-learn;
- throughput in messages/s over the airline validation and TweetEval sentiment texts (4,343),
  batched (one ``predict_proba`` call per model over all texts) and one message at a time, for
  each model (sentiment: the cascade, its encoder within its budget of each batch;
  sentiment_linear: its linear model alone) and for the
  three together (sentiment, emotion, topic on every text; the pipeline
  runs topic on negative texts only, so this is an upper bound on model time). Each pass runs on
  freshly loaded models: "cold" with empty caches, the others after filling the word caches on
  the airline training texts (other texts, as in a long-running process), best of ``--repeat``;
  the load time of the three model files (first and best of ``--repeat``); the three batched
  with no encoder budget ("complete": what the desk's refine jobs finish later), and as a
  quality row ("rippledesk complete"); the share of each sentiment set under the cascade's
  threshold and the share its encoder reads within the budget.

Prints a table and writes ``benchmarks/out/analysis.json``. The throughput of the whole analysis
stack (rules, language, PII, ripple risk) is measured separately.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from rippledesk.analysis import evaluation, linear, training  # noqa: E402
from rippledesk.analysis.cascade import (  # noqa: E402
    SentimentCascade,
    load_sentiment,
    unsure,
    within_budget,
)
from rippledesk.analysis.evaluation import (  # noqa: E402
    TOPICS,
    Metrics,
    Scorer,
    classification_metrics,
)
from rippledesk.analysis.linear import TextClassifier, normalise  # noqa: E402

Predict = Callable[[Sequence[str]], list[str]]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "scikit-learn": version("scikit-learn"),
        "vaderSentiment": version("vaderSentiment"),
        "platform": platform.platform(),
    }


class Data:
    """The evaluation texts; training rows for the baseline come from the same split."""

    def __init__(self, data_dir: Path, manifest: dict[str, Any]) -> None:
        rows = evaluation.load_airline(data_dir)
        validation = evaluation.airline_validation_rows(data_dir, manifest)
        held_out = set(validation)
        train = [i for i in range(len(rows)) if i not in held_out]
        self.rows, self.train, self.validation = rows, train, validation
        self.sets: dict[str, tuple[str, list[str], list[str]]] = {
            "airline sentiment val": (
                "sentiment",
                [rows[i].text for i in validation],
                [rows[i].sentiment for i in validation],
            ),
        }
        self.sets["TweetEval sentiment val"] = (
            "sentiment",
            *evaluation.load_text_label(data_dir / "tweeteval-sentiment" / "val.csv"),
        )
        self.sets["TweetEval emotion val"] = (
            "emotion",
            *evaluation.load_text_label(data_dir / "tweeteval-emotion" / "val.csv"),
        )
        topical = evaluation.topic_rows(rows, validation)
        self.sets["airline topic val"] = (
            "topic",
            [rows[i].text for i in topical],
            [TOPICS[rows[i].reason] for i in topical],
        )
        self.emotion_train = evaluation.load_text_label(
            data_dir / "tweeteval-emotion" / "train.csv"
        )
        self.speed_texts = (
            self.sets["airline sentiment val"][1] + self.sets["TweetEval sentiment val"][1]
        )


def baseline_models(data: Data) -> dict[str, Predict]:
    """Word + char TF-IDF and logistic regression in scikit-learn, same training rows."""
    TfidfVectorizer = importlib.import_module("sklearn.feature_extraction.text").TfidfVectorizer
    LogisticRegression = importlib.import_module("sklearn.linear_model").LogisticRegression
    pipelines = importlib.import_module("sklearn.pipeline")
    make_pipeline, make_union = pipelines.make_pipeline, pipelines.make_union

    def fit(texts: list[str], labels: list[str], weights: list[float]) -> Predict:
        pipeline = make_pipeline(
            make_union(
                TfidfVectorizer(
                    token_pattern=r"(?u)[\w'#@]+|[!?]",
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                ),
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
                ),
            ),
            LogisticRegression(C=2, class_weight="balanced", max_iter=5000),
        )
        pipeline.fit(
            [normalise(t) for t in texts], labels, logisticregression__sample_weight=weights
        )
        return lambda batch: [
            str(label) for label in pipeline.predict([normalise(t) for t in batch])
        ]

    rows = data.rows
    topical = evaluation.topic_rows(rows, data.train)
    return {
        "sentiment": fit(
            [rows[i].text for i in data.train],
            [rows[i].sentiment for i in data.train],
            [rows[i].confidence ** 2 for i in data.train],
        ),
        "emotion": fit(*data.emotion_train, [1.0] * len(data.emotion_train[0])),
        "topic": fit(
            [rows[i].text for i in topical],
            [TOPICS[rows[i].reason] for i in topical],
            [rows[i].reason_confidence ** 2 for i in topical],
        ),
    }


def vader() -> Predict:
    vader_module = importlib.import_module("vaderSentiment.vaderSentiment")
    analyzer = vader_module.SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return lambda batch: [label(t) for t in batch]


def one_at_a_time(models: Sequence[Scorer], texts: Sequence[str]) -> None:
    for text in texts:
        for model in models:
            model.predict_proba([text])


def batched(models: Sequence[Scorer], texts: Sequence[str]) -> None:
    for model in models:
        model.predict_proba(texts)


def batched_complete(models: Sequence[Scorer], texts: Sequence[str]) -> None:
    """``batched`` with no encoder budget: what the desk's refine jobs add up to."""
    for model in models:
        if isinstance(model, SentimentCascade):
            model.scores(texts, budgeted=False)
        else:
            model.predict_proba(texts)


def encoder_shares(cascade: SentimentCascade, sets: dict[str, list[str]]) -> dict[str, float]:
    """Per text set (as one batch): the share under the rule's threshold, and the share the
    encoder reads within its budget (``within_budget``, as the cascade decides it; the encoder
    itself need not run)."""
    out: dict[str, float] = {}
    if cascade.rule is None:
        return out
    for name, texts in sets.items():
        linear_p = cascade.linear.predict_proba(texts)
        routed = np.flatnonzero(unsure(linear_p, cascade.rule))
        read = routed
        if cascade.budget is not None:
            read, _ = within_budget(linear_p, routed, cascade.budget)
        out[f"unsure_share {name}"] = round(len(routed) / len(texts), 4)
        out[f"encoder_share {name}"] = round(len(read) / len(texts), 4)
    return out


def load(models_dir: Path, task: str) -> Scorer:
    """The shipped model of ``task``; "sentiment" is the cascade (linear + encoder where it is
    unsure), "sentiment_linear" the linear sentiment model alone."""
    if task == "sentiment_linear":
        return TextClassifier.load(models_dir / "sentiment.npz")
    model = TextClassifier.load(models_dir / f"{task}.npz")
    return load_sentiment(model, models_dir) if task == "sentiment" else model


def predictor(model: Scorer) -> Predict:
    return lambda texts: [model.labels[int(i)] for i in model.predict_proba(texts).argmax(axis=1)]


def best_rate(
    models_dir: Path,
    tasks: Sequence[str],
    run: Callable[[Sequence[Scorer], Sequence[str]], None],
    texts: Sequence[str],
    *,
    warm_up: Sequence[str],
    repeat: int,
) -> int:
    """Messages/s, best of ``repeat`` passes, each on freshly loaded models whose word caches
    were filled on ``warm_up`` (other texts), with the shared text cache emptied: what a long
    running process sees for messages it has not scored before."""
    best = float("inf")
    for _ in range(repeat):
        models = [load(models_dir, task) for task in tasks]
        if warm_up:
            batched(models, warm_up)
        linear.clear_shared_cache()
        started = time.perf_counter()
        run(models, texts)
        best = min(best, time.perf_counter() - started)
    return round(len(texts) / best)


def speed(models_dir: Path, texts: list[str], warm_up: list[str], repeat: int) -> dict[str, Any]:
    loads = []
    for _ in range(repeat):
        started = time.perf_counter()
        evaluation.load_models(models_dir)
        loads.append(time.perf_counter() - started)
    stack = ("sentiment", "emotion", "topic")
    result: dict[str, Any] = {
        "load_seconds_first": round(loads[0], 4),
        "load_seconds_best": round(min(loads), 4),
        "texts": len(texts),
        "warm_up_texts": len(warm_up),
    }
    for mode, run in (("batched", batched), ("one", one_at_a_time)):
        cold = best_rate(models_dir, stack, run, texts, warm_up=[], repeat=repeat)
        result[f"stack_{mode}_cold"] = cold
        result[f"stack_{mode}"] = best_rate(
            models_dir, stack, run, texts, warm_up=warm_up, repeat=repeat
        )
        for task in (*stack, "sentiment_linear"):
            result[f"{task}_{mode}"] = best_rate(
                models_dir, [task], run, texts, warm_up=warm_up, repeat=repeat
            )
    result["stack_batched_complete"] = best_rate(
        models_dir, stack, batched_complete, texts, warm_up=warm_up, repeat=repeat
    )
    result["stack_one_ms_per_message"] = round(1000 / result["stack_one"], 4)
    return result


def quality(data: Data, systems: dict[str, dict[str, Predict]]) -> list[dict[str, Any]]:
    table = []
    for set_name, (task, texts, truth) in data.sets.items():
        labels = sorted(set(truth))
        for system, predictors in systems.items():
            if task not in predictors:
                continue
            started = time.perf_counter()
            predicted = predictors[task](texts)
            seconds = time.perf_counter() - started
            metrics: Metrics = classification_metrics(truth, predicted, labels)
            table.append(
                {
                    "data": set_name,
                    "system": system,
                    **metrics.as_dict(),
                    "messages_per_second": round(len(texts) / seconds),
                }
            )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--models", type=Path, default=evaluation.TRAINED_DIR)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "analysis.json")
    args = parser.parse_args(argv)
    training.require_training_dependencies()
    data_dir = evaluation.find_data_dir(args.data_dir)
    manifest = evaluation.load_manifest(args.models)
    data = Data(data_dir, manifest)
    warm_up = [data.rows[i].text for i in data.train]
    throughput = speed(args.models, data.speed_texts, warm_up, args.repeat)
    ours = evaluation.load_models(args.models)
    cascade = load_sentiment(ours["sentiment"], args.models)
    systems: dict[str, dict[str, Predict]] = {
        "rippledesk": {
            **{task: model.predict for task, model in ours.items()},
            "sentiment": predictor(cascade),
        },
        "rippledesk complete": {
            "sentiment": lambda texts: [
                cascade.labels[int(i)]
                for i in cascade.scores(texts, budgeted=False)[0].argmax(axis=1)
            ]
        },
        "rippledesk linear": {"sentiment": ours["sentiment"].predict},
        "tfidf+lr baseline": baseline_models(data),
        "VADER": {"sentiment": vader()},
    }
    table = quality(data, systems)
    throughput.update(
        encoder_shares(
            cascade,
            {
                **{n: texts for n, (task, texts, _) in data.sets.items() if task == "sentiment"},
                "speed mix": data.speed_texts,
            },
        )
    )
    header = (
        f"{'data':<24} {'system':<18} {'n':>5} {'acc':>7} {'macro-F1':>9} {'m-recall':>9} "
        f"{'msg/s':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in table:
        print(
            f"{row['data']:<24} {row['system']:<18} {row['n']:>5} {row['accuracy']:>7.4f} "
            f"{row['macro_f1']:>9.4f} {row['macro_recall']:>9.4f} {row['messages_per_second']:>8}"
        )
    print()
    for key, value in throughput.items():
        print(f"{key:<32} {value}")
    report = {
        "command": "python benchmarks/analysis.py " + " ".join(argv or sys.argv[1:]),
        "machine": machine(),
        "models": {
            **{t: {"name": m.name, "version": m.version} for t, m in ours.items()},
            "sentiment": {"name": cascade.name, "version": cascade.version},
        },
        "quality": table,
        "throughput": throughput,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
