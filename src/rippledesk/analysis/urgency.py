"""How soon a message needs a human: "low", "normal" or "high".

Urgency is about the author's situation, not about how far the message can spread (that is
ripple risk, in ``ripple.py``). It is decided from explicit signals in the text, the intent, and
anger, by these rules:

- **severe** signals make a message high whatever else: the author is stranded or missed a
  flight or connection, was charged twice, mentions a lawyer or legal action, an emergency, a
  medical need, safety, a child travelling alone, discrimination, or says "urgent"/"asap".
- **disruption** signals (cancelled, delayed, lost or damaged bags, no refund, bumped,
  overbooked, hours on hold, no response) make a message high when the author is angry
  (anger ≥ ``ANGER_HIGH``) or under time pressure (today, tonight, now, tomorrow morning,
  in N hours/minutes); otherwise they make it at least normal.
- a **churn threat** from a negative author is at least normal, and high when angry or
  disrupted.
- complaints, requests, questions and purchase intent start at normal; praise and other at low.
- **praise is never high**: a severe word in a thank-you ("thanks for helping in a medical
  emergency") makes it normal at most.

The signals are English; other languages get intent/anger-based urgency only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rippledesk.analysis.types import Intent, Urgency

ANGER_HIGH = 0.5
NEGATIVE = 0.5

_SEVERE = re.compile(
    r"\b(?:stranded|stuck (?:at|in) (?:the )?(?:airport|terminal)|"
    r"miss(?:ed|ing)? (?:my |our |the |a )?(?:\w+ )?(?:flight|connection|connecting flight|"
    r"cruise)(?! attendant)|"
    r"charged (?:me )?(?:twice|double|two times)|double[- ]charged|"
    r"lawyers?|attorneys?|lawsuit|sue you|suing|legal action|small claims|"
    r"urgent(?:ly)?|asap|emergenc(?:y|ies)|medical|medication|insulin|hospital|ambulance|"
    r"unsafe|safety|danger(?:ous)?|injur(?:ed|y)|hurt|"
    r"unaccompanied minor|"
    r"my (?:\d+ ?(?:yo|y/o|year old) )?(?:son|daughter|child|kid) (?:is )?alone|"
    r"wheelchair|disabilit(?:y|ies)|disabled|pregnant|"
    r"discriminat\w*|racis[mt]|harass\w*|assault\w*|police|funeral|passed away)\b"
)
_DISRUPTION = re.compile(
    r"(?:\bcancel+(?:ed|led|lation|ing)?|\bdelay(?:ed|s)?\b|\blost (?:my |our |the )?"
    r"(?:bags?|luggage|baggage|suitcases?)|\b(?:missing|damaged|broken) (?:bags?|luggage|baggage|"
    r"suitcases?)|\bno refund|\brefund|\bbumped\b|\boverbooked\b|\boversold\b|"
    r"\b(?:on hold|waiting) (?:for )?(?:over |almost |nearly )?(?:\d+|an?|two|three|four|five) "
    r"(?:hours?|hrs?|minutes|mins)\b|\bno (?:response|reply|answer|one (?:is )?(?:here|helping))\b|"
    r"\bcan'?t get (?:through|anyone|a hold)|\bnever (?:arrived|showed up|came))"
)
_TIME_PRESSURE = re.compile(
    r"\b(?:today|tonight|right now|now|immediately|this (?:morning|afternoon|evening)|"
    r"tomorrow morning|in (?:an? |\d+ )(?:hours?|hrs?|minutes|mins)|boarding|at the gate|"
    r"leaves? in|departs? in)\b"
)
_BASE: Mapping[Intent, Urgency] = {
    "complaint": "normal",
    "request": "normal",
    "question": "normal",
    "purchase_intent": "normal",
    "churn_threat": "normal",
    "praise": "low",
    "other": "low",
}


def assess_urgency(
    text: str,
    intent: Intent,
    emotion_scores: Mapping[str, float],
    sentiment_scores: Mapping[str, float],
) -> Urgency:
    """The urgency of ``text`` by the module's rules.

    ``emotion_scores`` and ``sentiment_scores`` are model probabilities by label; missing labels
    count as 0.
    """
    text = text.lower()  # the patterns are lower case: IGNORECASE would cost 3x more
    severe = _SEVERE.search(text) is not None
    if intent == "praise":
        return "normal" if severe else "low"
    if severe:
        return "high"
    angry = emotion_scores.get("anger", 0.0) >= ANGER_HIGH
    negative = sentiment_scores.get("negative", 0.0) >= NEGATIVE
    disrupted = _DISRUPTION.search(text) is not None
    if disrupted and (angry or _TIME_PRESSURE.search(text) is not None):
        return "high"
    if intent == "churn_threat" and negative and (angry or disrupted):
        return "high"
    if disrupted or (intent == "churn_threat" and negative):
        return "normal"
    return _BASE[intent]
