"""What the author wants from us: ordered rules over the normalised text, tie-broken by sentiment.

There is no labelled set for this taxonomy, so intent is not learnt: it is a short, readable list
of cues checked in a fixed order (``docs/intent.md`` has the order, the reasoning and the measured
limits on 200 hand-labelled tweets). The first matching class wins:

1. ``other`` for spam and appeals (donate, giveaway, follow me), and for empty text;
2. ``churn_threat``, unless the author is positive (``I'll never fly anyone else again!``);
3. ``purchase_intent`` (want to buy/book/upgrade, how much is, do you sell, happy to pay);
4. ``request`` (please, can you help/DM/fix/refund, I need a refund, DM me, help!);
5. ``question`` (wh-/auxiliary-inversion questions; for a negative author only genuine ones:
   ``why…?``, ``really?`` or a bare noun phrase with "?" are complaints said as questions);
6. ``complaint`` for sarcastic thanks ("thanks for nothing") whatever the sentiment;
7. ``praise`` for a positive author, or thanks/kudos from a neutral one without complaint cues;
8. ``complaint`` for a negative author, or a neutral one using complaint words;
9. ``other``.

Sentiment breaks ties the rules cannot: "thanks for the 4 hour delay" from a negative author is a
complaint, not praise. Texts are matched in lower case with handles, links and quoted brand
tweets (``“@brand: …”``, ``RT @x: …``) removed, so the brand's own words never count as the
customer's. Cost: about 27 µs per tweet (``benchmarks/intent_eval.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rippledesk.analysis.textnorm import HANDLE, mask_handles, mask_links
from rippledesk.analysis.types import Intent, Sentiment

# A sentiment model that is unsure still leans: with scores, a "neutral" author whose negative
# probability is at least this and above the positive one counts as negative (and vice versa).
LEAN = 0.4

_QUOTED = re.compile(r"[“\"]\s*@\w+\s*:.*?(?:[”\"]|$)", re.DOTALL)
_RETWEET = re.compile(r"(?:\bRT\s+@\w+:?|\s+@\w+:)\s.*$", re.DOTALL)
_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"', "#": " "}
)
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


class _Cues:
    """Cue patterns, each searched only when the text holds one of its fragments.

    A pattern starting with ``\\b`` defeats the regex engine's first-character scan, so each
    costs about 1.4 µs on a tweet even when nothing matches; a substring test is ~50 ns. Every
    match of a pattern must contain one of its fragments (the tests check the outcome).
    """

    __slots__ = ("_cues",)

    def __init__(self, *cues: tuple[str, str]) -> None:
        self._cues = tuple((tuple(frags.split("|")), re.compile(rx)) for frags, rx in cues)

    def search(self, low: str) -> bool:
        for fragments, regex in self._cues:  # plain loops: generators cost more than the tests
            for fragment in fragments:
                if fragment in low:
                    if regex.search(low) is not None:
                        return True
                    break
        return False


_SPAM = _cues(
    r"\b(?:donate|giveaway|give away|free followers|check out my|follow me on|click here)\b",
    r"\b(?:promo code|subscribe to my|rt to win|retweet to win|win a free)\b",
)
_CHURN = _Cues(
    (
        "account|subscription|membership|contract|plan|service",
        r"\b(?:cancel+(?:ing|ed)?|close|closing|delete|deleting|terminat(?:e|ing)|end|ending)\s+"
        r"(?:my|our)\s+(?:\w+\s+)?(?:account|subscription|membership|contract|plan|service)\b",
    ),
    ("unsubscrib", r"\bunsubscrib"),
    (
        "again|anymore|any more",
        r"\b(?:never|not|won'?t|will not|no longer|not going to|never going to)\s+"
        r"(?:be\s+|ever\s+)?(?:fly|flying|flown|use|using|book|booking|buy|buying|shop|shopping|"
        r"travel|travell?ing|choose|choosing|recommend|recommending|deal|dealing)\b[^.!?]{0,40}?"
        r"\b(?:again|anymore|any more|ever again)\b",
    ),
    ("again", r"\bnever ?again\b"),
    (
        "last time|final time",
        r"\b(?:last|final) time (?:i|we)(?:'ll| will)? (?:ever )?"
        r"(?:fly|flying|use|using|book|booking|travel|choose|buy|shop|deal)",
    ),
    (
        "done with|through with|finished with",
        r"\b(?:i'?m|i am|we'?re|we are)\s+(?:so |officially |totally |completely |just )?"
        r"(?:done|through|finished) with (?:you|u|y'?all|your|this company|them)\b",
    ),
    (
        "elsewhere",
        r"\b(?:take|taking|move|moving) (?:my|our) (?:business|money) (?:elsewhere|somewhere else)",
    ),
    (
        "lost",
        r"\b(?:you'?ve|you have|you|u) (?:just )?lost (?:a|one|another|my|our) (?:\w+ )?"
        r"(?:customer|client|flyer|business)",
    ),
    (
        "airlines|carriers|providers|banks|companies",
        r"\b(?:switch|switching|changing|change) (?:airlines|carriers|providers|banks|companies)\b",
    ),
    (
        "other|different",
        r"\b(?:will|i'?ll|we'?ll|going to|gonna|have to) (?:be )?(?:find|finding|try|trying|use|"
        r"using|fly|flying|choose|choosing|book|booking|look|looking)(?: for| at| with)? (?:an? )?"
        r"(?:other|another|different) (?:airlines?|carriers?|compan(?:y|ies)|providers?|brands?)",
    ),
    (
        "do not|don|never",
        r"(?:^|[.!?] )(?:do not|don'?t|dont|never) (?:ever )?(?:fly|use|book|buy)\b",
    ),
)
# Switching *to* someone is churn only when that someone is not the brand being addressed.
# The author must be the one switching: the verb starts a sentence or follows I/we within a
# few words ("when is US Air switching to the AA app" is not churn).
_SWITCH_TO = re.compile(
    r"\b(?i:switch(?:ing|ed)?|moving my business)\s+(?:over\s+|back\s+)?(?i:to)\s+@?([A-Z]\w+)"
)
_SWITCHER = re.compile(
    r"(?:^|[.!?]\s*|\b(?:i|we|i'm|we're|i am|we are|i'll|we'll|i've|we've)\s+(?:\w+\s+){0,3})$",
    re.IGNORECASE,
)
_NOT_A_BRAND = frozenset((
    "a", "an", "the", "another", "first", "business", "economy", "premium", "main", "comfort",
    "coach", "basic", "later", "earlier", "different", "new", "other", "i", "my", "our", "your",
    "their", "this", "that", "it",
))  # fmt: skip
_PURCHASE = _cues(
    r"\bhow much (?:is|are|does|do|would|will|for|to|it|extra)\b",
    r"\bwhat(?:'s| is| are)? the (?:price|cost|fare|rate)s?\b",
    r"\b(?:want|wanna|wanted|would like|'d like|looking|hoping|planning|ready|going|interested)"
    r" (?:to |in )?(?:buy|book|purchase|order|upgrade|reserve|subscribe|sign up)",
    r"\binterested in (?:buying|booking|purchasing|upgrading|your)\b",
    r"\b(?:do|does) (?:you|u|y'?all|they) (?:guys )?(?:sell|offer)\b",
    r"\bwhere (?:can|do|could) (?:i|we) (?:buy|book|purchase|get tickets)\b",
    r"\bcan (?:i|we) (?:still )?(?:buy|book|purchase|upgrade|pre-?order|reserve)\b",
    r"\b(?:take my money|happy to pay|willing to pay|glad to pay|pay the difference|sign me up)",
    r"\bwish (?:you|u|y'?all) (?:guys )?(?:flew|would fly|had flights|served)\b",
    r"\bany (?:good )?(?:deals|sales|discounts|promos?|promotions|specials|cheap fares)\b",
    r"\bplease (?:start flying|fly|add (?:a |more )?(?:flights?|routes?|service)) (?:to|from|out)",
)
_REQUEST = _Cues(
    (
        "pl|kindly",
        r"\b(?:please(?<!\bto please)|pls|plz|plse|pleas|pleeease|kindly)\b"
        r"(?! (?:don'?t|do not|stop|never|quit|keep))",
    ),
    (
        "can|could|would|will|cld",
        r"\b(?:can|could|would|will|cld|can'?t|couldn'?t) (?:you|u|y'?all|someone|somebody|anyone|"
        r"anybody|one of you) (?:please |pls |plz |guys |just |kindly )?(?:help|assist|dm|pm|"
        r"message|check|look|fix|find|locate|track|send|get|call|contact|email|e-mail|refund|"
        r"reimburse|compensate|change|rebook|re-book|switch|move|add|follow|update|confirm|make|ask|"
        r"hold|waive|honou?r|cover|upgrade|transfer|cancel|book|reschedule|escalate|resolve|sort|"
        r"put|let|reach|respond|reply|return|deliver|bring|expedite|credit|match|reinstate|"
        r"re-?issue|process|pass|forward|remove|extend|do something|do anything)\b",
    ),
    (
        "need|want|like|demand|expect|request|require",
        r"\b(?:i|we) (?:really |just |still |urgently |desperately )?(?:need|want|would like|"
        r"'d like|demand|expect|request|require) (?:a |an |my |our |the |some |"
        r"to (?:speak|talk) (?:to|with) (?:a |an |the )?|to get (?:a |an |my |our )?|someone |"
        r"somebody )?(?:help|assistance|refund|compensation|reimbursement|voucher|credit|"
        r"call ?back|response|answer|reply|update|seats?|bags?|luggage|baggage|manager|supervisor|"
        r"human|person|agent|representative|rep|someone|somebody|rebooking|hotel)\b",
    ),
    (
        "need",
        r"\b(?:i|we) need to (?:get|find|locate|speak|talk|change|rebook|reach|know|cancel)\b"
        r"|\bneed (?:you|u|y'?all|someone|somebody) to\b",
    ),
    (
        "any ",
        r"\bany (?:way|chance) (?:you|u|we|i|to|someone)? ?(?:can |could |would )?(?:get|be|help|"
        r"rebook|change|move|have|make|hold|wait)\b",
    ),
    (
        "can ",
        r"\bcan (?:i|we) (?:please )?(?:get|have) (?:a |an |my |our |some |the )?(?:refund|hotel|"
        r"voucher|credit|seats?|upgrade|call ?back|compensation|reimbursement|meal|room)\b",
    ),
    (
        "help|assist",
        r"\b(?:help|assist) (?:me|us|please|pls|plz)\b|\bhelp(?<!the help)(?<!your help) *[?!]"
        r"|\b(?:pleasehelp|helpme|needhelp|need help|need assistance)\b",
    ),
    (
        "dm|pm|message|inbox",
        r"\b(?:dm|pm|message|inbox) (?:me|us)\b|\bsend (?:me|us) an? (?:dm|pm|message)\b",
    ),
    ("follow", r"\bfollow (?:me|us)(?: back)?\b|\bfollow ?back\b"),
    (
        "call|contact|mail|text|phone|let ",
        r"\b(?:call|contact|email|e-mail|text|phone) (?:me|us)\b|\blet (?:me|us) know\b",
    ),
    ("refund|reimburse|compensate", r"\b(?:refund|reimburse|compensate) (?:me|us|my|our)\b"),
    (
        "bag|luggage|suitcase|stroller|car seat",
        r"\b(?:find|locate|return|deliver|bring|send) (?:me )?(?:my|our) (?:bags?|luggage|"
        r"baggage|suitcases?|stroller|car seat)\b",
    ),
)
# A sentence that opens with an order to the brand.
_IMPERATIVE = re.compile(
    r"(?:fix|find|help|call|dm|refund|rebook|follow|reply|respond|contact|email|confirm|put me|"
    r"move me|book me|get me|have (?:him|her|someone|somebody|them) (?:call|contact))\b"
)
_QUESTION_WORDS = (
    r"(?:what|what's|whats|when|where|who|whom|whose|which|how|how's|hows|is|are|am|was|were|do|"
    r"does|did|can|could|will|would|should|shall|may|might|has|have|had|isn'?t|aren'?t|don'?t|"
    r"doesn'?t|didn'?t|can'?t|won'?t|wouldn'?t|any|anyone|anybody|know|is it possible)"
)
_FILLERS = r"(?:(?:so|and|but|also|ok|okay|hi|hello|hey|um|btw|then|just|quick question:?),? )*"
_QUESTION_FORM = re.compile(
    rf"^{_FILLERS}(?:(?:at|in|for|on|from|to|by|with) (?:what|which|whom|how) |{_QUESTION_WORDS}\b)"
)
_WH_STATEMENT = re.compile(
    rf"^{_FILLERS}(?:what|when|where|who|which|how|(?:what|which) \w+)\s+"
    r"(?:is|are|do|does|did|can|could|will|would|should|long|much|many|soon)\b"
)
_ASKS = _cues(
    r"\b(?:i have a|quick|a) question\b|\bwondering (?:if|whether|how|when|what|where|why)\b",
    r"\b(?:does )?any(?:one|body) know\b",
)
_RHETORICAL = re.compile(
    rf"^{_FILLERS}(?:why|how come|how hard|how difficult|how many (?:more )?times|how about|"
    r"how is (?:it|this|that)|how are you|how do you (?:expect|sleep)|how does (?:he|she|it) "
    r"still|what'?s the point|what is the point|what(?:'s| is) wrong|who (?:thought|decided)|"
    r"are you (?:guys )?(?:kidding|serious|joking|shitting|trying to)|"
    r"how can (?:you|u|they|anyone|an airline|a company) (?:be|do|let|treat|get away|call)|"
    r"does (?:\w+ ){1,3}mean|is this (?:a joke|for real|real)|really|seriously|wtf|"
    r"what the)\b|[?][!]|[!][?]"
)
_SARCASTIC_THANKS = _cues(
    r"\bthanks? (?:you )?(?:a lot |again |so much )?for (?:nothing|ruining|losing|wasting|"
    r"leaving|ignoring|the (?:delay|wait|runaround)|a (?:subpar|terrible|horrible|awful)|"
    r"helping (?:me )?(?:miss|lose))",
    r"\bthanks for nothing\b",
)
_PRAISE = _cues(
    r"\b(?:thank(?:s| you| u)?|thx|thanx|thnx|tks|ty|tysm|appreciate[ds]?|appreciation|kudos|"
    r"shout ?out|props|bravo|grateful|thankful)\b",
    r"\b(?:love[ds]?|loving|luv|great|awesome|amazing|excellent|fantastic|wonderful|outstanding|"
    r"superb|brilliant|impressed|impressive|best|perfect|stellar|smooth|pleasant|pleasure|nice|"
    r"happy|glad|helpful|friendly|well done|good job|great job|keep (?:it )?up|you rock|rocks)\b",
)
_STRONG_PRAISE = re.compile(
    r"\b(?:thank(?:s| you| u)?|thx|thanx|tysm|appreciate[ds]?|kudos|shout ?out|props|love[ds]?)\b"
)
_COMPLAINT = _cues(
    r"\b(?:worst|terrible|horrible|awful|ridiculous|unacceptable|disappoint\w*|frustrat\w*|"
    r"pathetic|useless|incompetent|rude|sucks?|fail|nothappy|disgust\w*|shame|shameful|"
    r"wtf|smh|ugh|annoy\w*|furious|angry|upset|lousy|joke|unprofessional|never again)\b",
    r"\b(?:not happy|poor service|bad service|still waiting|no response|no reply|no one|nobody|"
    r"on hold for|no help)\b",
)


def classify_intent(
    text: str, sentiment: Sentiment, sentiment_scores: Mapping[str, float]
) -> Intent:
    """The author's intent, by the first matching rule of the module's precedence list.

    ``sentiment`` is the sentiment model's label; ``sentiment_scores`` its probabilities by label
    (may be empty, then the label alone decides). ``text`` should be
    ``prepare(...).clean_text``.
    """
    cased, low = normalise(text)
    if not low or _SPAM.search(low):
        return "other"
    negative, positive = _leaning(sentiment, sentiment_scores)
    if not positive and (_CHURN.search(low) or _switches_away(cased, text)):
        return "churn_threat"
    if _PURCHASE.search(low):
        return "purchase_intent"
    sentences = [s.strip() for s in _SENTENCE.findall(low)] or [low]
    if _REQUEST.search(low) or any(_IMPERATIVE.match(s) for s in sentences):
        return "request"
    if _is_question(low, sentences, negative):
        return "question"
    if _SARCASTIC_THANKS.search(low):
        return "complaint"
    complaint_words = _COMPLAINT.search(low) is not None
    if positive or (
        not negative and not complaint_words and _STRONG_PRAISE.search(low) is not None
    ):
        return "praise"
    if negative or complaint_words:
        return "complaint"
    return "other"


def normalise(text: str) -> tuple[str, str]:
    """(cased, lowered) forms of ``text`` with quoted brand tweets and links removed.

    The cased form keeps handles (to tell switching *to* the brand from switching away); the
    lowered one drops handles and ``#`` and unifies quote characters.
    """
    cased = text
    if ":" in cased:
        cased = _RETWEET.sub(" ", _QUOTED.sub(" ", cased))
    cased = mask_links(cased)
    low = mask_handles(cased).replace("&amp;", "&").translate(_QUOTES).lower()
    return cased, _SPACE.sub(" ", low).strip()


def _leaning(sentiment: Sentiment, scores: Mapping[str, float]) -> tuple[bool, bool]:
    """(negative, positive): the label, or a clear lean of the scores when the label is neutral."""
    if sentiment != "neutral":
        return sentiment == "negative", sentiment == "positive"
    p_neg = scores.get("negative", 0.0)
    p_pos = scores.get("positive", 0.0)
    return p_neg >= LEAN and p_neg > p_pos, p_pos >= LEAN and p_pos > p_neg


def _switches_away(cased: str, original: str) -> bool:
    """Whether the author says they switch to a name that is not one of the addressed handles."""
    lowered = cased.lower()
    if "switch" not in lowered and "moving my business" not in lowered:
        return False
    text = mask_handles(cased).strip()
    match = _SWITCH_TO.search(text)
    if match is None or not _SWITCHER.search(text[max(0, match.start() - 40) : match.start()]):
        return False
    target = match.group(1).lower()
    if target in _NOT_A_BRAND:
        return False
    handles = {handle[1:].lower() for handle in HANDLE.findall(original)}
    return not any(h.startswith(target) or target.startswith(h) for h in handles)


def _is_question(low: str, sentences: list[str], negative: bool) -> bool:
    """A genuine question; a negative author's rhetorical questions do not count."""
    if _ASKS.search(low):
        return True
    for sentence in sentences:
        asked = "?" in sentence
        if negative:
            if _RHETORICAL.search(sentence):
                continue
            if (asked and _QUESTION_FORM.match(sentence)) or _WH_STATEMENT.match(sentence):
                return True
        elif asked or _WH_STATEMENT.match(sentence):
            return True
    return False
