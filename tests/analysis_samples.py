"""Real sample tweets picked for what the analysis stack makes of them, shared by tests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from rippledesk.analysis.cascade import SentimentCascade, unsure
from rippledesk.analysis.textnorm import prepare

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "airline-tweets" / "sample.csv"


def doubtful_sample(cascade: SentimentCascade, n: int) -> list[str]:
    """``n`` sample tweets the linear sentiment model is unsure of (all routed)."""
    assert cascade.rule is not None
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    routed = unsure(
        cascade.linear.predict_proba([prepare(t).model_text for t in texts]), cascade.rule
    )
    chosen = [texts[i] for i in np.flatnonzero(routed)[:n]]
    assert len(chosen) == n
    return chosen
