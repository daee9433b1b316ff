"""Urgency: explicit trouble, anger and churn raise it; praise never gets to high."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rippledesk.analysis.types import INTENTS, Intent
from rippledesk.analysis.urgency import assess_urgency

CALM: dict[str, float] = {"anger": 0.05, "joy": 0.3, "optimism": 0.5, "sadness": 0.15}
ANGRY: dict[str, float] = {"anger": 0.8, "joy": 0.02, "optimism": 0.03, "sadness": 0.15}
NEG: dict[str, float] = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
NEU: dict[str, float] = {"negative": 0.1, "neutral": 0.8, "positive": 0.1}
POS: dict[str, float] = {"negative": 0.02, "neutral": 0.08, "positive": 0.9}


@pytest.mark.parametrize(
    "text",
    [
        "stranded in Denver with two kids",
        "I'm going to miss my connection in Charlotte",
        "you charged me twice for one ticket",
        "my lawyer will be in touch",
        "URGENT: need my medication from the checked bag",
        "medical emergency on board and nobody helped",
        "this is discrimination",
        "please call asap",
        "my 8 year old daughter is alone at the gate",
    ],
)
def test_severe_signals_are_high(text: str) -> None:
    assert assess_urgency(text, "complaint", CALM, NEU) == "high"
    assert assess_urgency(text, "other", {}, {}) == "high"


@pytest.mark.parametrize(
    "text",
    ["my flight was cancelled", "lost my luggage", "still no refund", "flight delayed 3 hrs"],
)
def test_disruption_is_normal_when_calm_and_high_when_angry_or_pressed(text: str) -> None:
    assert assess_urgency(text, "complaint", CALM, NEG) == "normal"
    assert assess_urgency(text, "complaint", ANGRY, NEG) == "high"
    assert assess_urgency(text + ", and I fly tonight", "complaint", CALM, NEG) == "high"


def test_intent_sets_the_base() -> None:
    for intent in ("complaint", "request", "question", "purchase_intent"):
        assert assess_urgency("about my seat", intent, CALM, NEU) == "normal"
    assert assess_urgency("nice plane", "praise", CALM, POS) == "low"
    assert assess_urgency("selfie over the Rockies", "other", CALM, NEU) == "low"


def test_churn_threats() -> None:
    text = "never flying with you again"
    assert assess_urgency(text, "churn_threat", CALM, NEG) == "normal"
    assert assess_urgency(text, "churn_threat", ANGRY, NEG) == "high"
    assert assess_urgency(text + ", flight cancelled", "churn_threat", CALM, NEG) == "high"


def test_praise_with_a_severe_word_is_normal_at_most() -> None:
    text = "thank you for helping us through a medical emergency, the crew was amazing"
    assert assess_urgency(text, "praise", ANGRY, POS) == "normal"


@settings(database=None, max_examples=300)
@given(
    st.text(max_size=80)
    | st.sampled_from(["stranded asap lawyer", "cancelled tonight", "emergency", "lost my bag"]),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_praise_is_never_high(text: str, anger: float, negative: float) -> None:
    urgency = assess_urgency(text, "praise", {"anger": anger}, {"negative": negative})
    assert urgency in ("low", "normal")


@settings(database=None, max_examples=200)
@given(st.text(max_size=80), st.sampled_from(INTENTS), st.floats(0, 1), st.floats(0, 1))
def test_always_one_of_three(text: str, intent: Intent, anger: float, negative: float) -> None:
    assert assess_urgency(text, intent, {"anger": anger}, {"negative": negative}) in (
        "low",
        "normal",
        "high",
    )
