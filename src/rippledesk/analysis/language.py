"""Which language a message is written in, as an ISO 639-1 code, or "und" when it cannot be told.

py3langid (naive Bayes over byte n-grams, 140 labels) does the work. Tweets are short, so the text
is first stripped of what carries no language (handles, links, hashtags, digits, emoji,
punctuation); fewer than ``MIN_LETTERS`` letters left is "und" (undetermined), as is a best guess
below ``MIN_CONFIDENCE``. Scripts that only one language of our set uses (kana, hangul, Thai,
Greek, Hebrew) are answered from the script alone. Only the first ``MAX_CHARS`` characters are
read.

The model is restricted to ``LANGUAGES``, 49 languages with a two-letter code that a desk is
likely to meet. Unrestricted, short texts leak to close relatives and varieties without a
two-letter code ("es una vergüenza…" comes out Aragonese, "где мой багаж" Mongolian). Measured
with the same cleaning and threshold, full model vs restricted:

- 100 tweet-like messages, 10 each in en/fr/es/de/pt/it/nl/ja/ar/ru (``TWEETS`` in
  ``tests/test_language.py``): 99 vs 100 right;
- 50 two- or three-word messages in the same languages (``VERY_SHORT``): 44 vs 47 right;
- the first 2,000 (English) airline tweets: 97.5 % vs 98.9 % "en", 2.3 % vs 0.8 % "und".

``MIN_CONFIDENCE`` = 0.12 was chosen on 4,000 airline tweets: it leaves 0.8 % "und" and 0.6 %
not "en"; 0.2 would give 1.9 % and 0.4 % (one-word "thanks!" scores 0.12 for English).

Cost (Python 3.11, one core): loading takes 0.4-0.9 s and about 100 MB, once per process, on
first use or at ``warm_up()``; after that about 37 µs per tweet. Loading is guarded by a lock and
the loaded identifier is never changed afterwards, so ``detect_language`` is thread-safe.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

import numpy as np

from rippledesk.analysis.textnorm import mask_handles, mask_links

UNDETERMINED = "und"
MIN_LETTERS = 3
MIN_CONFIDENCE = 0.12
# Language identification needs no more than this; longer texts are cut (it is linear in length).
MAX_CHARS = 400

LANGUAGES: tuple[str, ...] = (
    "af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "eu", "fa",
    "fi", "fr", "ga", "gl", "he", "hi", "hr", "hu", "id", "is", "it", "ja", "ko", "lt", "lv",
    "ms", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "sw", "th", "tl", "tr",
    "uk", "ur", "vi", "zh",
)  # fmt: skip

_SINGLE_LANGUAGE_SCRIPTS = (
    (re.compile("[\u3040-\u30ff]"), "ja"),
    (re.compile("[\uac00-\ud7af\u1100-\u11ff]"), "ko"),
    (re.compile("[\u0e00-\u0e7f]"), "th"),
    (re.compile("[\u0370-\u03ff]"), "el"),
    (re.compile("[\u0590-\u05ff]"), "he"),
)
_NOT_LANGUAGE = re.compile(r"#\w+|[\d_]+")

_lock = threading.Lock()
_identifier: Any = None


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or ``"und"`` when too little is left to tell.

    Loads the model on first call (about 0.9 s) unless ``warm_up`` ran.
    """
    letters = _letters_only(text[:MAX_CHARS])
    if sum(char.isalpha() for char in letters) < MIN_LETTERS:
        return UNDETERMINED
    for script, language in _SINGLE_LANGUAGE_SCRIPTS:
        if script.search(letters):
            return language
    language, confidence = _model().classify(letters)
    if float(confidence) < MIN_CONFIDENCE or language not in LANGUAGES:
        return UNDETERMINED
    return str(language)


def warm_up() -> None:
    """Load the model now (about 0.9 s), so the first message does not pay for it."""
    _model()


def _letters_only(text: str) -> str:
    """``text`` without handles, links, hashtags, digits, emoji and punctuation.

    Letters and combining marks stay (Hindi and Arabic vowel signs are marks), as do
    apostrophes; everything else becomes a space.
    """
    text = _NOT_LANGUAGE.sub(" ", mask_links(mask_handles(text)))
    return " ".join(text.translate(_LETTERS).split())


class _LetterTable(dict[int, int | None]):
    """A ``str.translate`` table keeping letters, marks and apostrophes, blanking the rest.

    Filled on demand (one ``unicodedata`` lookup per distinct character ever seen), so it costs
    nothing up front and stays small: texts use few distinct characters.
    """

    def __missing__(self, codepoint: int) -> int:
        char = chr(codepoint)
        kept = char in "'\u2019" or (
            unicodedata.category(char)[0] in "LM" and not "\ufe00" <= char <= "\ufe0f"
        )
        self[codepoint] = value = codepoint if kept else 32
        return value


_LETTERS = _LetterTable()


def _model() -> Any:
    """The py3langid identifier restricted to ``LANGUAGES``, loaded once per process."""
    global _identifier  # noqa: PLW0603 - a lazily loaded, process-wide read-only model
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import (  # type: ignore[import-untyped]  # noqa: PLC0415
                    MODEL_FILE,
                    LanguageIdentifier,
                )

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(LANGUAGES)
                # The model ships float16 weights; numpy has no fast float16 product, and the
                # restricted table in float32 (20 MB) halves the time per call.
                identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
                identifier.nb_pc = identifier.nb_pc.astype(np.float32)
                _identifier = identifier
    return _identifier
