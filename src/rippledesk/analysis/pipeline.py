"""The analysis stack: every message in, one :class:`Analysis` out.

An :class:`Analyzer` takes a batch of texts with their contexts and returns typed results in
input order. The default stack chains the trained linear models (sentiment, emotion, complaint
topic) with the rule-based parts (language, personal data, intent, urgency) and the ripple-risk
formula. Analyzers are looked up by name in a registry so a new version can be added beside the
old one and history re-scored with ``rippledesk reanalyze``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from rippledesk.analysis.cascade import SentimentCascade, load_sentiment
from rippledesk.analysis.intent import classify_intent
from rippledesk.analysis.language import detect_language
from rippledesk.analysis.linear import TextClassifier
from rippledesk.analysis.pii import find_pii
from rippledesk.analysis.ripple import priority_for, ripple_risk
from rippledesk.analysis.textnorm import prepare
from rippledesk.analysis.types import (
    EMOTIONS,
    SENTIMENTS,
    Analysis,
    Emotion,
    MessageContext,
    Sentiment,
)
from rippledesk.analysis.urgency import assess_urgency

TRAINED_DIR = Path(__file__).resolve().parent / "trained"


class Analyzer(Protocol):
    """Anything that turns texts into analyses; ``name`` + ``version`` key the stored rows."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[MessageContext] | None = None
    ) -> list[Analysis]: ...


def _not_analysable() -> Analysis:
    neutral: dict[str, float] = {
        label: (1.0 if label == "neutral" else 0.0) for label in SENTIMENTS
    }
    even: dict[str, float] = {label: 1.0 / len(EMOTIONS) for label in EMOTIONS}
    return Analysis(
        analysable=False,
        sentiment="neutral",
        sentiment_scores=neutral,
        emotion="optimism",
        emotion_scores=even,
        intent="other",
        topic=None,
        urgency="low",
        language="und",
        pii=(),
        ripple_risk=0.0,
        priority="low",
    )


class DefaultAnalyzer:
    """The shipped stack. Models load once, lazily, and are shared between threads."""

    @property
    def name(self) -> str:
        return "rippledesk-default"

    def __init__(self, trained_dir: Path = TRAINED_DIR) -> None:
        self.trained_dir = trained_dir
        self._lock = threading.Lock()
        self._models: tuple[SentimentCascade, TextClassifier, TextClassifier] | None = None

    @property
    def version(self) -> str:
        sentiment, emotion, topic = self.models()
        return f"{sentiment.version}+{emotion.version}+{topic.version}"

    def models(self) -> tuple[SentimentCascade, TextClassifier, TextClassifier]:
        if self._models is None:
            with self._lock:
                if self._models is None:
                    self._models = (
                        load_sentiment(
                            TextClassifier.load(self._artefact("sentiment")), self.trained_dir
                        ),
                        TextClassifier.load(self._artefact("emotion")),
                        TextClassifier.load(self._artefact("topic")),
                    )
        return self._models

    def _artefact(self, task: str) -> Path:
        matches = sorted(self.trained_dir.glob(f"{task}.*"))
        if not matches:
            raise FileNotFoundError(f"no trained {task} model in {self.trained_dir}")
        return matches[0]

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[MessageContext] | None = None
    ) -> list[Analysis]:
        return self._analyze(texts, contexts, refine=True)

    def analyze_provisional(
        self, texts: Sequence[str], contexts: Sequence[MessageContext] | None = None
    ) -> list[Analysis]:
        """Like ``analyze`` without waiting for the sentiment encoder: the texts it would
        re-read come back ``provisional`` (the linear model's reading), for the live ingest
        path, where ``actions.do_refine_messages`` finishes them in a job."""
        return self._analyze(texts, contexts, refine=False)

    def analyze_complete(
        self, texts: Sequence[str], contexts: Sequence[MessageContext] | None = None
    ) -> list[Analysis]:
        """Like ``analyze`` with no encoder budget: every text the sentiment encoder should
        re-read is re-read, however many (the ``analysis.refine`` job, which finishes what the
        live path and over-budget batches left provisional)."""
        return self._analyze(texts, contexts, refine=True, budgeted=False)

    def _analyze(
        self,
        texts: Sequence[str],
        contexts: Sequence[MessageContext] | None,
        *,
        refine: bool,
        budgeted: bool = True,
    ) -> list[Analysis]:
        if contexts is None:
            contexts = [MessageContext()] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        prepared = [prepare(text) for text in texts]
        # Emoji-only texts have no words for language or intent, but the sentiment and emotion
        # models read emoji (their names), so they are scored rather than defaulted.
        live = [i for i, p in enumerate(prepared) if p.analysable or p.has_emoji]
        results: list[Analysis] = [_not_analysable() for _ in contexts]
        if not live:
            return results
        sentiment_model, emotion_model, topic_model = self.models()
        model_texts = [prepared[i].model_text for i in live]
        sentiment_p, pending = sentiment_model.scores(model_texts, refine, budgeted=budgeted)
        emotion_p = emotion_model.predict_proba(model_texts)
        negative_col = sentiment_model.labels.index("negative")
        negative_rows = [
            row for row in range(len(live)) if _is_negative(sentiment_p[row], negative_col)
        ]
        topics: dict[int, str] = {}
        if negative_rows:
            topic_p = topic_model.predict_proba([model_texts[row] for row in negative_rows])
            for row, probs in zip(negative_rows, topic_p, strict=True):
                topics[row] = topic_model.labels[int(np.argmax(probs))]
        for row, index in enumerate(live):
            results[index] = self._one(
                texts[index],
                prepared[index].clean_text,
                context=contexts[index],
                sentiment_scores=_scores(sentiment_model.labels, sentiment_p[row]),
                emotion_scores=_scores(emotion_model.labels, emotion_p[row]),
                topic=topics.get(row),
                provisional=bool(pending[row]),
            )
        return results

    @staticmethod
    def _one(
        original: str,
        text: str,
        *,
        context: MessageContext,
        sentiment_scores: dict[str, float],
        emotion_scores: dict[str, float],
        topic: str | None,
        provisional: bool = False,
    ) -> Analysis:
        sentiment: Sentiment = _argmax(sentiment_scores)  # type: ignore[assignment]
        emotion: Emotion = _argmax(emotion_scores)  # type: ignore[assignment]
        intent = classify_intent(text, sentiment, sentiment_scores)
        urgency = assess_urgency(text, intent, emotion_scores, sentiment_scores)
        risk = ripple_risk(sentiment_scores, emotion_scores, intent, context)
        return Analysis(
            analysable=True,
            sentiment=sentiment,
            sentiment_scores=sentiment_scores,
            emotion=emotion,
            emotion_scores=emotion_scores,
            intent=intent,
            topic=topic,
            urgency=urgency,
            language=detect_language(text),
            # Spans index the text as given (the stored body), so callers can redact it.
            pii=find_pii(original),
            ripple_risk=risk,
            priority=priority_for(risk, intent, sentiment, urgency),
            provisional=provisional,
        )


def _is_negative(probabilities: np.ndarray, negative_col: int) -> bool:
    return int(np.argmax(probabilities)) == negative_col


def _scores(labels: Sequence[str], probabilities: np.ndarray) -> dict[str, float]:
    return {label: round(float(p), 4) for label, p in zip(labels, probabilities, strict=True)}


def _argmax(scores: dict[str, float]) -> str:
    return max(scores, key=lambda label: scores[label])


_REGISTRY: dict[str, Callable[[], Analyzer]] = {"rippledesk-default": DefaultAnalyzer}
_INSTANCES: dict[str, Analyzer] = {}


def register(name: str, factory: Callable[[], Analyzer]) -> None:
    _REGISTRY[name] = factory


def get_analyzer(name: str = "rippledesk-default") -> Analyzer:
    """The shared instance of a registered analyzer (models are loaded once per process)."""
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no analyzer named {name!r}; registered: {known}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _REGISTRY[name]()
    return _INSTANCES[name]
