"""The sentiment cascade: the linear model answers, the encoder re-reads what it is unsure of.

A text goes to the encoder when the linear model's top probability is below ``threshold``;
there the two are mixed as ``weight · log p_encoder + (1 - weight) · log p_linear`` (the
encoder's logits divided by its own ``temperature`` first) and renormalised. Everything else
keeps the linear model's probabilities. The rule is fitted on a fold of the training part that
neither model saw (``encoder_training.choose_rule``) and ships in ``manifest.json``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rippledesk.analysis.encoder import EncoderUnavailable, SentimentEncoder
from rippledesk.analysis.evaluation import MANIFEST, load_manifest
from rippledesk.analysis.linear import TextClassifier

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ENCODER_LABELS = ("negative", "neutral", "positive")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CascadeRule:
    threshold: float
    weight: float
    temperature: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CascadeRule:
        try:
            rule = cls(float(raw["threshold"]), float(raw["weight"]), float(raw["temperature"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"cascade rule {dict(raw)!r} is incomplete: {exc}") from None
        if not (0.0 <= rule.weight <= 1.0 and rule.temperature > 0.0):
            raise ValueError(f"cascade rule {rule} is out of range")
        return rule


def unsure(linear_p: FloatArray, rule: CascadeRule) -> BoolArray:
    """Rows the encoder should re-read."""
    return np.asarray(linear_p.max(axis=1) < rule.threshold)


def log_softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))


def combine(linear_p: FloatArray, encoder_logits: FloatArray, rule: CascadeRule) -> FloatArray:
    """The mixed probabilities of rows both models scored (same row order)."""
    mixed = rule.weight * log_softmax(encoder_logits / rule.temperature) + (
        1.0 - rule.weight
    ) * np.log(np.clip(linear_p, 1e-12, 1.0))
    return np.exp(log_softmax(mixed))


ENCODER_ENV = "RIPPLEDESK_SENTIMENT_ENCODER"


class SentimentCascade:
    """The shipped sentiment model: ``predict_proba`` like a :class:`TextClassifier`.

    ``encoder`` None means the linear model alone (no encoder files, onnxruntime missing, or
    ``$RIPPLEDESK_SENTIMENT_ENCODER=off``); ``version`` says which ran, so stored analyses do.
    """

    def __init__(
        self,
        linear: TextClassifier,
        encoder: SentimentEncoder | None = None,
        rule: CascadeRule | None = None,
        encoder_version: str = "",
    ) -> None:
        if encoder is not None and rule is None:
            raise ValueError("an encoder needs its cascade rule")
        if encoder is not None and tuple(linear.labels) != ENCODER_LABELS:
            raise ValueError(
                f"the linear sentiment labels {linear.labels} are not {ENCODER_LABELS}"
            )
        self.linear = linear
        self.encoder = encoder
        self.rule = rule
        self.name = linear.name
        self.labels = linear.labels
        self.version = f"{linear.version}+enc{encoder_version}" if encoder else linear.version

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        return self.scores(texts)[0]

    def scores(self, texts: Sequence[str], refine: bool = True) -> tuple[FloatArray, BoolArray]:
        """Probabilities, and which rows still await the encoder (none when ``refine``)."""
        probabilities = self.linear.predict_proba(texts)
        pending = np.zeros(len(texts), dtype=bool)
        if self.encoder is None or self.rule is None or not len(texts):
            return probabilities, pending
        if not refine:
            return probabilities, unsure(probabilities, self.rule)
        routed = np.flatnonzero(unsure(probabilities, self.rule))
        if len(routed):
            logits = self.encoder.logits([texts[int(i)] for i in routed])
            probabilities[routed] = combine(probabilities[routed], logits, self.rule)
        return probabilities, pending


def load_sentiment(linear: TextClassifier, trained_dir: Path) -> SentimentCascade:
    """The cascade the manifest in ``trained_dir`` describes, or the linear model alone."""
    if os.environ.get(ENCODER_ENV, "").strip().lower() in ("0", "off", "false", "no"):
        return SentimentCascade(linear)
    if not (trained_dir / MANIFEST).is_file():
        return SentimentCascade(linear)
    entry = load_manifest(trained_dir).get("cascade", {}).get("sentiment")
    if not entry:
        return SentimentCascade(linear)
    try:
        encoder = SentimentEncoder(trained_dir / entry["file"], trained_dir / entry["vocabulary"])
    except EncoderUnavailable as exc:
        logger.warning("sentiment encoder not loaded, linear model alone: %s", exc)
        return SentimentCascade(linear)
    return SentimentCascade(linear, encoder, CascadeRule.from_dict(entry["rule"]), entry["version"])
