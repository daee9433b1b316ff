"""Intent rules: per-class behaviour, and their accuracy on 200 hand-labelled airline tweets."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import cast

import pytest

from rippledesk.analysis.intent import classify_intent
from rippledesk.analysis.types import INTENTS, SENTIMENTS, Intent, Sentiment

GOLD = Path(__file__).parent / "data" / "intent_gold.csv"
# Measured 0.795 (docs/intent.md); the floor is that rounded down to the nearest 0.05.
GOLD_ACCURACY_FLOOR = 0.75

NEG: dict[str, float] = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
NEU: dict[str, float] = {"negative": 0.1, "neutral": 0.8, "positive": 0.1}
POS: dict[str, float] = {"negative": 0.02, "neutral": 0.08, "positive": 0.9}
SCORES: dict[Sentiment, dict[str, float]] = {"negative": NEG, "neutral": NEU, "positive": POS}


def intent_of(text: str, sentiment: Sentiment) -> Intent:
    return classify_intent(text, sentiment, SCORES[sentiment])


def load_gold() -> list[tuple[str, Intent, Sentiment]]:
    with GOLD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["intent"] for row in rows} <= set(INTENTS)
    assert {row["sentiment"] for row in rows} <= set(SENTIMENTS)
    return [
        (row["text"], cast(Intent, row["intent"]), cast(Sentiment, row["sentiment"]))
        for row in rows
    ]


def test_gold_accuracy_floor() -> None:
    gold = load_gold()
    assert len(gold) == 200
    right = sum(classify_intent(text, sentiment, {}) == label for text, label, sentiment in gold)
    assert right / len(gold) >= GOLD_ACCURACY_FLOOR


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("@united I will never fly with you again", "negative"),
        ("Never flying @AmericanAir again. 4 hours on the tarmac", "negative"),
        ("cancel my subscription, I'm done", "negative"),
        ("I want to close my account today", "neutral"),
        ("@SprintCare switching to Verizon tomorrow", "negative"),
        ("we're done with you @comcast", "negative"),
        ("last time I fly with this airline", "negative"),
        ("you just lost a loyal customer", "negative"),
        ("I'll be looking at other airlines from now on", "negative"),
        ("worst day ever #neveragain", "negative"),
    ],
)
def test_churn_threats(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "churn_threat"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("I'll never fly anyone else again! Best crew", "positive"),
        (
            "@united I'm a Delta flyer looking to switch to United, please match my status",
            "neutral",
        ),
        ("can you switch to a later flight for me?", "neutral"),
        ("I'd go back to Aruba in a heartbeat", "neutral"),
    ],
)
def test_not_churn(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) != "churn_threat"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("how much is an upgrade to first class?", "neutral"),
        ("I want to book 3 seats to Denver in May", "neutral"),
        ("do you sell gift cards?", "neutral"),
        ("wish you flew out of Atlanta!", "positive"),
        ("I'd like the window seat, happy to pay the difference", "neutral"),
        ("any deals to Orlando in April?", "neutral"),
    ],
)
def test_purchase_intent(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "purchase_intent"


def test_how_much_longer_is_not_purchase() -> None:
    assert intent_of("how much longer do we have to wait??", "negative") != "purchase_intent"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("please DM me about my lost bag", "negative"),
        ("can you help me rebook my flight?", "neutral"),
        ("I need a refund for a flight you cancelled", "negative"),
        ("need you to call me back", "negative"),
        ("DM me", "neutral"),
        ("flight cancelled, on hold for an hour. Help!", "negative"),
        ("Find our luggage.", "negative"),
        ("can u pls follow me so I can DM", "neutral"),
    ],
)
def test_requests(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "request"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("plz don't advertise wifi if it doesn't work", "negative"),
        ("the CEO wants to please Wall Street", "neutral"),
        ("thanks for the help!", "positive"),
    ],
)
def test_not_requests(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) != "request"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("is flight 123 on time?", "neutral"),
        ("What time does the lounge open", "neutral"),
        ("Will my US Air points be combined with yours?", "neutral"),
        ("my flight was cancelled. When is the next one to Boston?", "negative"),
        ("at what point in a delay can I take another flight?", "negative"),
        ("quick question about checked bags", "neutral"),
    ],
)
def test_questions(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "why is your customer service so bad?",
        "53 minutes on hold for a reservation?",
        "Really? Another delay?",
        "are you kidding me?! 4 hours",
        "how hard is it to keep a schedule?",
    ],
)
def test_rhetorical_questions_from_negative_authors_are_complaints(text: str) -> None:
    assert intent_of(text, "negative") == "complaint"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("thank you so much, the crew was lovely", "positive"),
        ("@JetBlue thanks!", "neutral"),
        ("kudos to the gate agent in Denver", "positive"),
        ("best airline ever ✈️", "positive"),
    ],
)
def test_praise(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "praise"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("thanks for nothing", "negative"),
        ("thanks for nothing", "positive"),
        ("thanks again for helping me miss my brother's wedding", "neutral"),
        ("great, another 3 hour delay", "negative"),
        ("the worst customer service in Denver.", "negative"),
        ("your app is useless", "neutral"),
        ("lost my bag again", "negative"),
    ],
)
def test_complaints(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "complaint"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("", "neutral"),
        ("@united https://t.co/abc", "neutral"),
        ("JetBlue shares hit a 12-month high http://t.co/x", "neutral"),
        ("Pls donate to help baby Hannah http://t.co/x", "negative"),
        ("sent", "neutral"),
        ("\u201c@JetBlue: Our fleet's on fleek.\u201d lol", "neutral"),
    ],
)
def test_other(text: str, sentiment: Sentiment) -> None:
    assert intent_of(text, sentiment) == "other"


def test_the_brand_quoted_does_not_speak_for_the_customer() -> None:
    quoted = "\u201c@united: Please DM us your confirmation number, we are happy to help\u201d ok"
    assert intent_of(quoted, "neutral") == "other"
    assert intent_of("Done! RT @united: please share details here", "neutral") == "other"


def test_scores_tip_a_neutral_label() -> None:
    leaning_negative = {"negative": 0.45, "neutral": 0.5, "positive": 0.05}
    assert classify_intent("the seat was broken", "neutral", leaning_negative) == "complaint"
    assert classify_intent("the seat was broken", "neutral", NEU) == "other"
    leaning_positive = {"negative": 0.05, "neutral": 0.5, "positive": 0.45}
    assert classify_intent("smooth landing", "neutral", leaning_positive) == "praise"
