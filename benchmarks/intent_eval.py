"""Measure the rule-based analysis parts on real tweets: intent quality and per-function speed.

    .venv/bin/python benchmarks/intent_eval.py [path/to/airline/train.csv]

Prints (as Markdown, for docs/intent.md and docs/benchmarks.md):

1. intent accuracy and per-class precision/recall on the 200 hand-labelled tweets in
   ``src/rippledesk/analysis/tests/data/intent_gold.csv``, once with the crowd sentiment label
   of each tweet as the sentiment input (what a good sentiment model would give) and once with
   no sentiment at all (every tweet "neutral", no scores: what the rules do alone);
2. how the intents of the whole airline file spread by crowd sentiment and negative reason;
3. microseconds per message of each function on 2,000 tweets from the file (each message's
   best of 5 runs, averaged), and the per-message latency percentiles of the whole chain.

Needs no database and no network. The airline file is CC BY-NC-SA 4.0 (see its PROVENANCE.md).
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from rippledesk.analysis.intent import classify_intent
from rippledesk.analysis.language import detect_language, warm_up
from rippledesk.analysis.pii import find_pii, redact
from rippledesk.analysis.ripple import priority_for, ripple_risk
from rippledesk.analysis.textnorm import prepare
from rippledesk.analysis.types import INTENTS, Intent, MessageContext, Sentiment
from rippledesk.analysis.urgency import assess_urgency

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "src/rippledesk/analysis/tests/data/intent_gold.csv"
AIRLINE = Path("/work/shared/data/airline-tweets/train.csv")
SPEED_SAMPLE = 2000
RUNS = 5


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def crowd_scores(row: dict[str, str]) -> dict[str, float]:
    """The crowd label as probabilities: its confidence on the label, the rest split evenly."""
    label = row["airline_sentiment"]
    confidence = float(row.get("airline_sentiment_confidence") or 1.0)
    scores = dict.fromkeys(("negative", "neutral", "positive"), (1 - confidence) / 2)
    scores[label] = confidence
    return scores


def gold_report(rows: list[dict[str, str]]) -> None:
    labels = [cast(Intent, row["intent"]) for row in rows]
    for name, use_sentiment in (("crowd sentiment", True), ("no sentiment", False)):
        predicted = [
            classify_intent(row["text"], cast(Sentiment, row["sentiment"]), {})
            if use_sentiment
            else classify_intent(row["text"], "neutral", {})
            for row in rows
        ]
        right = sum(p == g for p, g in zip(predicted, labels, strict=True))
        print(f"\n### Gold set, {name}: accuracy {right / len(rows):.3f} ({right}/{len(rows)})\n")
        print("| intent | gold n | predicted n | precision | recall |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for intent in INTENTS:
            tp = sum(p == g == intent for p, g in zip(predicted, labels, strict=True))
            n_pred, n_gold = predicted.count(intent), labels.count(intent)
            precision = f"{tp / n_pred:.2f}" if n_pred else "-"
            recall = f"{tp / n_gold:.2f}" if n_gold else "-"
            print(f"| {intent} | {n_gold} | {n_pred} | {precision} | {recall} |")
        if use_sentiment:
            confusions = Counter(
                (g, p) for p, g in zip(predicted, labels, strict=True) if p != g
            ).most_common(8)
            print("\nMost common confusions (gold -> predicted): ", end="")
            print(", ".join(f"{g} -> {p} ({n})" for (g, p), n in confusions))


def distribution_report(rows: list[dict[str, str]]) -> None:
    by_group: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        sentiment = cast(Sentiment, row["airline_sentiment"])
        intent = classify_intent(row["text"], sentiment, crowd_scores(row))
        group: str = sentiment
        if sentiment == "negative":
            reason = row["negativereason"]
            group = (
                "negative, reason unclear" if reason in ("", "Can't Tell") else "negative + reason"
            )
        by_group[group][intent] += 1
    print("\n### Intent by crowd sentiment, whole airline file\n")
    print("| crowd label | n | " + " | ".join(INTENTS) + " |")
    print("| --- | ---: |" + " ---: |" * len(INTENTS))
    for group, counts in sorted(by_group.items()):
        total = sum(counts.values())
        shares = " | ".join(f"{counts[intent] / total:.1%}" for intent in INTENTS)
        print(f"| {group} | {total} | {shares} |")


def per_call(func: Callable[[int], object], n: int) -> float:
    """Mean over i in range(n) of the best of RUNS timings of ``func(i)``, in microseconds.

    Taking each message's best run filters out other processes sharing the cores, so the number
    is the code's own cost.
    """
    clock = time.perf_counter_ns
    total = 0
    for i in range(n):
        best = 1 << 62
        for _ in range(RUNS):
            start = clock()
            func(i)
            best = min(best, clock() - start)
        total += best
    return total / n / 1000


def speed_report(rows: list[dict[str, str]]) -> None:
    sample = rows[:SPEED_SAMPLE]
    raw = [row["text"] for row in sample]
    texts = [prepare(text).clean_text for text in raw]
    sentiments = [cast(Sentiment, row["airline_sentiment"]) for row in sample]
    scores = [crowd_scores(row) for row in sample]
    emotions = [{"anger": 0.6 if s == "negative" else 0.1, "joy": 0.2} for s in sentiments]
    intents = [
        classify_intent(t, s, sc) for t, s, sc in zip(texts, sentiments, scores, strict=True)
    ]
    urgencies = [
        assess_urgency(t, i, e, sc)
        for t, i, e, sc in zip(texts, intents, emotions, scores, strict=True)
    ]
    context = MessageContext("public_post", 500)
    risks = [
        ripple_risk(sc, e, i, context) for sc, e, i in zip(scores, emotions, intents, strict=True)
    ]
    spans = [find_pii(t) for t in texts]
    warm_up()
    n = len(sample)
    timings = {
        "prepare (incl. for_models)": per_call(lambda i: prepare(raw[i]), n),
        "find_pii": per_call(lambda i: find_pii(texts[i]), n),
        "redact (given spans)": per_call(lambda i: redact(texts[i], spans[i]), n),
        "detect_language": per_call(lambda i: detect_language(texts[i]), n),
        "classify_intent": per_call(
            lambda i: classify_intent(texts[i], sentiments[i], scores[i]), n
        ),
        "assess_urgency": per_call(
            lambda i: assess_urgency(texts[i], intents[i], emotions[i], scores[i]), n
        ),
        "ripple_risk": per_call(
            lambda i: ripple_risk(scores[i], emotions[i], intents[i], context), n
        ),
        "priority_for": per_call(
            lambda i: priority_for(risks[i], intents[i], sentiments[i], urgencies[i]), n
        ),
    }
    print(f"\n### Speed, {n} airline tweets, each message's best of {RUNS} runs, one core\n")
    print("| function | µs / message |")
    print("| --- | ---: |")
    for name, micros in timings.items():
        print(f"| {name} | {micros:.1f} |")
    chain = chain_latencies(raw, sentiments, scores, emotions, context)
    print(
        f"| **whole chain** (all but redact) | **{statistics.mean(chain):.1f}** |\n\n"
        f"Whole chain per message: p50 {percentile(chain, 50):.0f} µs, "
        f"p95 {percentile(chain, 95):.0f} µs, p99 {percentile(chain, 99):.0f} µs, "
        f"max {max(chain):.0f} µs; {1e6 / statistics.mean(chain):,.0f} messages/s on one core."
    )


def chain_latencies(
    raw: Sequence[str],
    sentiments: Sequence[Sentiment],
    scores: Sequence[dict[str, float]],
    emotions: Sequence[dict[str, float]],
    context: MessageContext,
) -> list[float]:
    """Per message, the best of RUNS timings of the whole chain, in microseconds."""
    latencies = []
    for text, sentiment, score, emotion in zip(raw, sentiments, scores, emotions, strict=True):
        best = float("inf")
        for _ in range(RUNS):
            start = time.perf_counter()
            clean = prepare(text).clean_text
            intent = classify_intent(clean, sentiment, score)
            urgency = assess_urgency(clean, intent, emotion, score)
            risk = ripple_risk(score, emotion, intent, context)
            priority_for(risk, intent, sentiment, urgency)
            detect_language(clean)
            find_pii(clean)
            best = min(best, (time.perf_counter() - start) * 1e6)
        latencies.append(best)
    return latencies


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main(argv: Sequence[str]) -> None:
    airline = Path(argv[0]) if argv else AIRLINE
    gold_report(read_csv(GOLD))
    rows = read_csv(airline)
    distribution_report(rows)
    speed_report(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
