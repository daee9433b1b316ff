"""Ripple risk and priority: bounded, monotone in everything that should raise them."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rippledesk.analysis.ripple import TYPICAL_AUDIENCE, harm, priority_for, reach, ripple_risk
from rippledesk.analysis.types import (
    INTENTS,
    PRIORITIES,
    SENTIMENTS,
    Engagement,
    Intent,
    MessageContext,
    Sentiment,
    Urgency,
    Visibility,
)

# From most to least visible; risk must not increase along this order.
VISIBILITY_ORDER: tuple[Visibility, ...] = (
    "public_post",
    "review",
    "public_reply",
    "email",
    "private_message",
)
URGENCIES: tuple[Urgency, ...] = ("low", "normal", "high")
PROPERTY = settings(database=None, max_examples=300)

unit = st.floats(min_value=0, max_value=1)
counts = st.integers(min_value=0, max_value=10**8)
engagements = st.builds(Engagement, likes=counts, replies=counts, shares=counts)
contexts = st.builds(
    MessageContext,
    visibility=st.sampled_from(VISIBILITY_ORDER),
    audience=st.none() | st.integers(min_value=0, max_value=10**10),
    engagement=engagements,
)
intents = st.sampled_from(INTENTS)


def sentiment_scores(negative: float) -> dict[str, float]:
    return {"negative": negative, "neutral": (1 - negative) / 2, "positive": (1 - negative) / 2}


@PROPERTY
@given(unit, unit, intents, contexts)
def test_risk_is_in_unit_interval(
    negative: float, anger: float, intent: Intent, context: MessageContext
) -> None:
    risk = ripple_risk(sentiment_scores(negative), {"anger": anger}, intent, context)
    assert 0.0 <= risk <= 1.0


@PROPERTY
@given(
    st.dictionaries(st.text(max_size=10), st.floats(allow_nan=True, allow_infinity=True)),
    st.dictionaries(st.text(max_size=10), st.floats(allow_nan=True, allow_infinity=True)),
    intents,
    st.builds(
        MessageContext,
        visibility=st.sampled_from(VISIBILITY_ORDER),
        audience=st.none() | st.integers(),
        engagement=st.builds(
            Engagement, likes=st.integers(), replies=st.integers(), shares=st.integers()
        ),
    ),
)
def test_risk_is_bounded_on_garbage(
    sentiments: dict[str, float],
    emotions: dict[str, float],
    intent: Intent,
    context: MessageContext,
) -> None:
    risk = ripple_risk(sentiments, emotions, intent, context)
    assert 0.0 <= risk <= 1.0
    assert not math.isnan(risk)


audiences = st.integers(min_value=0, max_value=10**10)


@PROPERTY
@given(unit, unit, intents, contexts, st.tuples(audiences, audiences))
def test_more_audience_never_lowers_risk(
    negative: float, anger: float, intent: Intent, context: MessageContext, pair: tuple[int, int]
) -> None:
    small, large = sorted(pair)
    scores, emotions = sentiment_scores(negative), {"anger": anger}
    low = ripple_risk(scores, emotions, intent, replace(context, audience=small))
    high = ripple_risk(scores, emotions, intent, replace(context, audience=large))
    assert high >= low


@PROPERTY
@given(unit, unit, intents, contexts, st.tuples(engagements, engagements))
def test_more_engagement_never_lowers_risk(
    negative: float,
    anger: float,
    intent: Intent,
    context: MessageContext,
    pair: tuple[Engagement, Engagement],
) -> None:
    first, second = pair
    more = Engagement(
        likes=max(first.likes, second.likes),
        replies=max(first.replies, second.replies),
        shares=max(first.shares, second.shares),
    )
    scores, emotions = sentiment_scores(negative), {"anger": anger}
    base = ripple_risk(scores, emotions, intent, replace(context, engagement=first))
    grown = ripple_risk(scores, emotions, intent, replace(context, engagement=more))
    assert grown >= base


@PROPERTY
@given(unit, unit, intents, contexts)
def test_less_visible_is_never_riskier(
    negative: float, anger: float, intent: Intent, context: MessageContext
) -> None:
    scores, emotions = sentiment_scores(negative), {"anger": anger}
    for more_visible, less_visible in combinations(VISIBILITY_ORDER, 2):
        public = ripple_risk(scores, emotions, intent, replace(context, visibility=more_visible))
        private = ripple_risk(scores, emotions, intent, replace(context, visibility=less_visible))
        assert private <= public, (more_visible, less_visible)


@PROPERTY
@given(unit, unit, unit, intents, contexts)
def test_more_negativity_or_anger_never_lowers_risk(
    a: float, b: float, anger: float, intent: Intent, context: MessageContext
) -> None:
    low, high = sorted((a, b))
    emotions = {"anger": anger}
    assert ripple_risk(sentiment_scores(high), emotions, intent, context) >= ripple_risk(
        sentiment_scores(low), emotions, intent, context
    )
    scores = sentiment_scores(anger)
    assert ripple_risk(scores, {"anger": high}, intent, context) >= ripple_risk(
        scores, {"anger": low}, intent, context
    )


@PROPERTY
@given(unit, unit, contexts)
def test_churn_threat_is_never_less_risky_than_a_complaint(
    negative: float, anger: float, context: MessageContext
) -> None:
    scores, emotions = sentiment_scores(negative), {"anger": anger}
    churn = ripple_risk(scores, emotions, "churn_threat", context)
    assert churn >= ripple_risk(scores, emotions, "complaint", context)


@PROPERTY
@given(unit, unit, contexts)
def test_praise_carries_no_risk(negative: float, anger: float, context: MessageContext) -> None:
    assert ripple_risk(sentiment_scores(negative), {"anger": anger}, "praise", context) == 0.0


@PROPERTY
@given(unit, st.sampled_from(SENTIMENTS), st.sampled_from(URGENCIES))
def test_praise_is_never_urgent_nor_high(
    risk: float, sentiment: Sentiment, urgency: Urgency
) -> None:
    assert priority_for(risk, "praise", sentiment, urgency) == "low"


@PROPERTY
@given(unit, unit, intents, st.sampled_from(SENTIMENTS), st.sampled_from(URGENCIES))
def test_priority_never_falls_as_risk_rises(
    a: float, b: float, intent: Intent, sentiment: Sentiment, urgency: Urgency
) -> None:
    low, high = sorted((a, b))
    before = PRIORITIES.index(priority_for(low, intent, sentiment, urgency))
    after = PRIORITIES.index(priority_for(high, intent, sentiment, urgency))
    assert after >= before


@PROPERTY
@given(unit, intents, st.sampled_from(SENTIMENTS), st.sampled_from(URGENCIES))
def test_urgent_needs_high_risk_or_high_urgency_with_negativity(
    risk: float, intent: Intent, sentiment: Sentiment, urgency: Urgency
) -> None:
    if priority_for(risk, intent, sentiment, urgency) == "urgent":
        assert risk >= 0.6 or (urgency == "high" and sentiment == "negative")


def test_unknown_audience_counts_as_typical() -> None:
    assert reach(MessageContext(audience=None)) == reach(MessageContext(audience=TYPICAL_AUDIENCE))


def test_shares_weigh_more_than_replies_and_likes() -> None:
    def spread(engagement: Engagement) -> float:
        return reach(MessageContext(audience=0, engagement=engagement))

    assert (
        spread(Engagement(shares=10))
        > spread(Engagement(replies=10))
        > spread(Engagement(likes=10))
    )


Case = tuple[float, float, Intent, MessageContext, Sentiment, Urgency, float, str]

# The worked example in docs/ripple-risk.md:
# p(negative), anger, intent, context, sentiment, urgency -> risk, priority.
# fmt: off
WORKED: list[Case] = [
    (0.92, 0.75, "complaint", MessageContext("public_post"), "negative", "normal", 0.310, "normal"),
    (0.92, 0.75, "complaint", MessageContext("public_post", 2000), "negative", "normal", 0.424,
     "high"),
    (0.92, 0.75, "complaint", MessageContext("public_post", 2000, Engagement(120, 40, 300)),
     "negative", "normal", 0.617, "urgent"),
    (0.92, 0.75, "complaint", MessageContext("private_message", 2000), "negative", "normal",
     0.064, "normal"),
    (0.92, 0.75, "complaint", MessageContext("public_post", 250_000), "negative", "normal", 0.609,
     "urgent"),
    (0.95, 0.85, "churn_threat", MessageContext("public_reply", 800), "negative", "normal", 0.367,
     "high"),
    (0.80, 0.20, "question", MessageContext("email"), "negative", "high", 0.032, "urgent"),
    (0.30, 0.05, "request", MessageContext("public_post", 40), "neutral", "normal", 0.046,
     "normal"),
    (0.01, 0.01, "praise", MessageContext("public_post", 2_000_000, Engagement(5000, 200, 900)),
     "positive", "low", 0.0, "low"),
]
# fmt: on


@pytest.mark.parametrize("case", WORKED)
def test_worked_example(case: Case) -> None:
    negative, anger, intent, context, sentiment, urgency, risk, priority = case
    actual = ripple_risk(sentiment_scores(negative), {"anger": anger}, intent, context)
    assert actual == pytest.approx(risk, abs=0.0005)
    assert priority_for(actual, intent, sentiment, urgency) == priority


def test_harm_and_reach_are_the_factors() -> None:
    context = MessageContext("review", 5000, Engagement(3, 1, 0))
    scores, emotions = sentiment_scores(0.7), {"anger": 0.4}
    assert ripple_risk(scores, emotions, "complaint", context) == pytest.approx(
        harm(scores, emotions, "complaint") * reach(context)
    )
