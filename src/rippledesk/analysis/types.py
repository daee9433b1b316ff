"""The vocabulary of message analysis, shared by every analyzer and by the triage code.

Plain frozen dataclasses and string literals so results serialise to JSON without adapters and
can be stored in ``MessageAnalysis`` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Sentiment = Literal["negative", "neutral", "positive"]
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")

Emotion = Literal["anger", "joy", "optimism", "sadness"]
EMOTIONS: tuple[Emotion, ...] = ("anger", "joy", "optimism", "sadness")

Intent = Literal[
    "complaint", "question", "request", "praise", "purchase_intent", "churn_threat", "other"
]
INTENTS: tuple[Intent, ...] = (
    "complaint",
    "question",
    "request",
    "praise",
    "purchase_intent",
    "churn_threat",
    "other",
)

Urgency = Literal["low", "normal", "high"]
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")

# Where a message was said, from most to least visible; drives the reach part of ripple risk.
Visibility = Literal["public_post", "public_reply", "review", "email", "private_message"]


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """A piece of personal data found in a text: ``text[start:end]`` is of ``kind``."""

    kind: Literal["email", "phone", "card", "order_id"]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Engagement:
    """Early reactions to a public post, when the platform reports them."""

    likes: int = 0
    replies: int = 0
    shares: int = 0


@dataclass(frozen=True, slots=True)
class MessageContext:
    """What is known about where a message was said and by whom, besides its text."""

    visibility: Visibility = "public_post"
    audience: int | None = None
    engagement: Engagement = field(default_factory=Engagement)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analysis stack says about one message.

    ``analysable`` is False for texts with nothing to analyse (empty, only punctuation); their
    labels are then neutral defaults and ``ripple_risk`` is 0. ``provisional`` is True when the
    sentiment encoder should re-read the text but has not: the live path leaves that to the
    ``analysis.refine`` job, and a batch stops at the encoder's budget (``cascade.py``); see
    ``actions.do_analyze_messages``.
    """

    analysable: bool
    sentiment: Sentiment
    sentiment_scores: dict[str, float]
    emotion: Emotion
    emotion_scores: dict[str, float]
    intent: Intent
    topic: str | None
    urgency: Urgency
    language: str
    pii: tuple[PiiSpan, ...]
    ripple_risk: float
    priority: Priority
    provisional: bool = False
