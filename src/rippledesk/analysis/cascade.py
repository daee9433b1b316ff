"""The sentiment cascade: the linear model answers, the encoder re-reads what it is unsure of.

A text goes to the encoder when the linear model's top probability is below ``threshold``;
there the two are mixed as ``weight · log p_encoder + (1 - weight) · log p_linear`` (the
encoder's logits divided by its own ``temperature`` first) and renormalised. Everything else
keeps the linear model's probabilities. The rule is fitted on a fold of the training part that
neither model saw (``encoder_training.choose_rule``) and ships in ``manifest.json``.

The encoder costs about thirty linear readings, so a batch spends at most ``budget`` of its
texts on it (30 % by default, the share the rule was chosen under): airline-like traffic stays
under it (about a quarter is unsure), but the linear model doubts most general social posts,
and a batch of those would otherwise run at half the stack's speed. Over budget, the least sure
texts are re-read first; the others keep the linear reading and come back pending, which the
desk's ``analysis.refine`` job finishes later with no budget (``scores(..., budgeted=False)``).
"""

from __future__ import annotations

import logging
import math
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


def within_budget(
    linear_p: FloatArray, routed: npt.NDArray[np.intp], budget: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Split the ``routed`` rows into those the encoder reads now (at most ``budget`` of the
    batch, at least one text, the least sure first) and those left over, both in row order."""
    # Rounded first: 0.3 * 10 is 3.0000000000000004, which would allow 4.
    allowance = max(1, math.ceil(round(budget * len(linear_p), 9)))
    if len(routed) <= allowance:
        return routed, routed[:0]
    order = np.argsort(linear_p[routed].max(axis=1), kind="stable")
    return np.sort(routed[order[:allowance]]), np.sort(routed[order[allowance:]])


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
BUDGET_ENV = "RIPPLEDESK_ENCODER_BUDGET"
# The share of a batch the encoder may re-read: with the rest of the stack at about 0.48 ms a
# message and the encoder at 1.5-1.7 ms a text on 2 cores, 30 % keeps the stack over 1,000
# messages/s whatever the texts (docs/models.md). ``encoder_training`` chooses the rule under
# the same share.
DEFAULT_BUDGET = 0.30


def encoder_budget() -> float | None:
    """``$RIPPLEDESK_ENCODER_BUDGET`` (a share between 0 and 1, or ``off`` for none), else 30 %.

    A machine with more cores than the two the default is sized for can afford a larger share.
    A value that is neither is named in a warning and the default applies: analysis must not
    stop storing messages over a setting."""
    raw = os.environ.get(BUDGET_ENV, "").strip().lower()
    if raw in ("off", "none", "no"):
        return None
    try:
        share = float(raw) if raw else DEFAULT_BUDGET
    except ValueError:
        share = -1.0
    if not 0.0 < share <= 1.0:
        logger.warning(
            "%s=%r is not a share in (0, 1] or 'off'; using %s", BUDGET_ENV, raw, DEFAULT_BUDGET
        )
        return DEFAULT_BUDGET
    return share


class SentimentCascade:
    """The shipped sentiment model: ``predict_proba`` like a :class:`TextClassifier`.

    ``encoder`` None means the linear model alone (no encoder files, onnxruntime missing, or
    ``$RIPPLEDESK_SENTIMENT_ENCODER=off``); ``version`` says which ran, so stored analyses do.
    ``budget`` is the share of a batch the encoder may read (None: every unsure text).
    """

    def __init__(
        self,
        linear: TextClassifier,
        encoder: SentimentEncoder | None = None,
        rule: CascadeRule | None = None,
        encoder_version: str = "",
        budget: float | None = DEFAULT_BUDGET,
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
        self.budget = budget
        self.name = linear.name
        self.labels = linear.labels
        self.version = f"{linear.version}+enc{encoder_version}" if encoder else linear.version

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        return self.scores(texts)[0]

    def scores(
        self, texts: Sequence[str], refine: bool = True, *, budgeted: bool = True
    ) -> tuple[FloatArray, BoolArray]:
        """Probabilities, and which rows still await the encoder: all unsure rows without
        ``refine``, those over the batch's budget with it (none when not ``budgeted``)."""
        probabilities = self.linear.predict_proba(texts)
        pending = np.zeros(len(texts), dtype=bool)
        if self.encoder is None or self.rule is None or not len(texts):
            return probabilities, pending
        if not refine:
            return probabilities, unsure(probabilities, self.rule)
        routed = np.flatnonzero(unsure(probabilities, self.rule))
        if budgeted and self.budget is not None:
            routed, over = within_budget(probabilities, routed, self.budget)
            pending[over] = True
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
    rule = CascadeRule.from_dict(entry["rule"])
    return SentimentCascade(linear, encoder, rule, entry["version"], encoder_budget())
