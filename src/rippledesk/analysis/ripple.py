"""Ripple risk, how much harm a message carries times how far it can spread, and its priority.

``risk = harm * reach``, both in [0, 1]:

- ``harm = p(negative) * (ANGER_BASE + (1 - ANGER_BASE) * anger) * INTENT_HARM[intent]``
- ``reach = VISIBILITY[visibility] * (REACH_FLOOR + (1 - REACH_FLOOR) * spread)``
- ``spread = 1 - (1 - audience_term) * (1 - engagement_term)``, where each term is
  ``log10(1 + x) / log10(1 + saturation)`` capped at 1, ``x`` being the author's followers
  (``TYPICAL_AUDIENCE`` when unknown) or ``likes + 2 * replies + 5 * shares``.

Every factor is non-decreasing in what should raise risk (negativity, anger, audience,
engagement, visibility) and praise has no harm, which the property tests in
``tests/test_ripple.py`` check. The constants and the reasoning behind them are in
``docs/ripple-risk.md``. Scores outside [0, 1] are clipped and NaN counts as 0, so the result
is always a number in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from rippledesk.analysis.types import (
    Intent,
    MessageContext,
    Priority,
    Sentiment,
    Urgency,
    Visibility,
)

VISIBILITY: Final[Mapping[Visibility, float]] = {
    "public_post": 1.0,
    "review": 0.85,
    "public_reply": 0.7,
    "email": 0.25,
    "private_message": 0.15,
}
INTENT_HARM: Final[Mapping[Intent, float]] = {
    "churn_threat": 1.0,
    "complaint": 0.8,
    "request": 0.6,
    "question": 0.5,
    "other": 0.5,
    "purchase_intent": 0.4,
    "praise": 0.0,
}
ANGER_BASE = 0.6
REACH_FLOOR = 0.2
TYPICAL_AUDIENCE = 100
AUDIENCE_SATURATION = 1_000_000
ENGAGEMENT_SATURATION = 10_000
LIKE_WEIGHT, REPLY_WEIGHT, SHARE_WEIGHT = 1, 2, 5

URGENT_RISK = 0.6
HIGH_RISK = 0.4
NORMAL_RISK = 0.1


def ripple_risk(
    sentiment_scores: Mapping[str, float],
    emotion_scores: Mapping[str, float],
    intent: Intent,
    context: MessageContext,
) -> float:
    """The message's ripple risk in [0, 1]; 0 when it is not negative or is praise."""
    return harm(sentiment_scores, emotion_scores, intent) * reach(context)


def harm(
    sentiment_scores: Mapping[str, float], emotion_scores: Mapping[str, float], intent: Intent
) -> float:
    """How much damage the message would do if everyone saw it, in [0, 1]."""
    negativity = _unit(sentiment_scores.get("negative", 0.0))
    anger = _unit(emotion_scores.get("anger", 0.0))
    return negativity * (ANGER_BASE + (1 - ANGER_BASE) * anger) * INTENT_HARM[intent]


def reach(context: MessageContext) -> float:
    """How far the message can travel from where it was said, in [0, 1]."""
    audience = TYPICAL_AUDIENCE if context.audience is None else context.audience
    engagement = context.engagement
    weighted = (
        LIKE_WEIGHT * max(engagement.likes, 0)
        + REPLY_WEIGHT * max(engagement.replies, 0)
        + SHARE_WEIGHT * max(engagement.shares, 0)
    )
    audience_term = _saturating(audience, AUDIENCE_SATURATION)
    engagement_term = _saturating(weighted, ENGAGEMENT_SATURATION)
    spread = 1 - (1 - audience_term) * (1 - engagement_term)
    return VISIBILITY[context.visibility] * (REACH_FLOOR + (1 - REACH_FLOOR) * spread)


def priority_for(risk: float, intent: Intent, sentiment: Sentiment, urgency: Urgency) -> Priority:
    """The queue priority of a message.

    - praise is ``low`` (never ``high`` or ``urgent``): it harms nobody and can wait;
    - ``urgent`` needs risk ≥ ``URGENT_RISK``, or high urgency from a negative author;
    - ``high`` for risk ≥ ``HIGH_RISK``, high urgency, or a negative churn threat;
    - ``normal`` for risk ≥ ``NORMAL_RISK``, normal urgency, or anything that expects an answer
      (complaint, request, question, purchase intent, churn threat);
    - ``low`` otherwise.
    """
    if intent == "praise":
        return "low"
    risk = _unit(risk)
    negative = sentiment == "negative"
    if risk >= URGENT_RISK or (urgency == "high" and negative):
        return "urgent"
    if risk >= HIGH_RISK or urgency == "high" or (intent == "churn_threat" and negative):
        return "high"
    if risk >= NORMAL_RISK or urgency == "normal" or intent != "other":
        return "normal"
    return "low"


def _saturating(value: float, saturation: float) -> float:
    """``log10(1 + value)`` scaled so that ``saturation`` and above give 1; 0 for value ≤ 0."""
    if not value > 0:
        return 0.0
    return min(math.log10(1 + value) / math.log10(1 + saturation), 1.0)


def _unit(value: float) -> float:
    """``value`` clipped to [0, 1]; NaN becomes 0."""
    if not value > 0:
        return 0.0
    return min(float(value), 1.0)
