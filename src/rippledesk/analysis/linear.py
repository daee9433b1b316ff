"""Sparse linear text classifiers at run time, with numpy and the standard library only.

A model is tweet normalisation, then word 1-2-gram and ``char_wb`` 2-5-gram TF-IDF features
(sublinear tf, smoothed idf, each block L2-normalised, as scikit-learn's ``TfidfVectorizer`` in a
``FeatureUnion`` computes them), plus five lexicon valence features, then one linear layer and a
softmax. ``training.py`` fits these with scikit-learn and exports them here; the feature code
below reproduces scikit-learn's tokenisation exactly, so an exported model scores as the fitted
pipeline did (``tests/test_linear.py`` checks it), without scikit-learn installed.

Files are ``.npz`` archives of plain arrays (JSON text stored as bytes), read with
``allow_pickle=False``: loading a model never executes code.

Speed: char n-grams depend only on the word they come from, so each model keeps a bounded cache
from word to feature ids, and a message costs a few dict look-ups per word.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = "rippledesk-linear/1"
# Models read at most this many characters of a message: bounded time for any input, and far
# more than a post or a chat message holds.
MAX_CHARS = 5000
TOKEN_PATTERN = r"(?u)[\w'#@]+|[!?]"
# VADER's damping of a valence after a negator ("not good").
NEGATION_SCALAR = -0.74
N_LEXICON_FEATURES = 5
# About 0.4 kB a word: a full cache costs some 20 MB per model.
_WORD_CACHE_LIMIT = 50_000
_PREPARED_LIMIT = 16_384
_PREPARED_MAX_CHARS = 600
_PREPARED: dict[tuple[str, str, tuple[int, int]], tuple[str, list[str]]] = {}

FloatArray = npt.NDArray[np.float64]

_URL = re.compile(r"(?<!\w)(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
# Controls, lone surrogates, BOM, and the invisible parts of emoji sequences (ZWJ, variation
# selectors, skin tones), so an emoji reads the same whatever its presentation.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]"
)
_EMOJI = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)
_SPACE = re.compile(r"\s+")
_LEXICON_TOKEN = re.compile(r"[\w']+")


@lru_cache(maxsize=8192)
def _emoji_words(char: str) -> str:
    try:
        return " " + unicodedata.name(char).lower().replace("-", " ") + " "
    except ValueError:
        return " "


def normalise(text: str) -> str:
    """The text every model is trained and run on; never raises on a ``str``.

    HTML entities resolved, links become ``http`` and handles ``@user`` (a model must not key on
    one account), emoji become their Unicode names in words ("pouting face"), so the word and
    lexicon features read them. Case is kept; the features lower-case.
    """
    text = text[: MAX_CHARS * 2]
    if "&" in text:
        text = html.unescape(text)
    text = _INVISIBLE.sub("", text)
    text = _HANDLE.sub("@user", _URL.sub("http", text))
    text = _EMOJI.sub(lambda match: _emoji_words(match.group()), text)
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word valences (VADER's, MIT licence) summed into five features, with negation.

    A valence is flipped and damped when one of the three previous tokens is a negator. The
    features are log1p(positive sum), log1p(negative sum), their difference and two presence
    flags, times ``scale``: they let a model trained on one domain's words still read the many
    sentiment words it never saw.
    """

    valences: Mapping[str, float]
    negators: frozenset[str]
    scale: float = 1.0

    def features(self, lowered: str) -> list[float]:
        tokens = _LEXICON_TOKEN.findall(lowered)
        positive = negative = 0.0
        found_positive = found_negative = False
        valences, negators = self.valences, self.negators
        for i, token in enumerate(tokens):
            value = valences.get(token)
            if value is None and "'" in token:
                value = valences.get(token.replace("'", ""))
            if value is None:
                continue
            for before in tokens[max(0, i - 3) : i]:
                if before.replace("'", "") in negators or before.endswith("n't"):
                    value *= NEGATION_SCALAR
                    break
            if value > 0:
                positive += value
                found_positive = True
            else:
                negative -= value
                found_negative = True
        pos, neg = math.log1p(positive), math.log1p(negative)
        scale = self.scale
        return [
            pos * scale,
            neg * scale,
            (pos - neg) * scale,
            scale * found_positive,
            scale * found_negative,
        ]


def clear_shared_cache() -> None:
    """Forget the normalised texts shared between models (benchmarks measure without them)."""
    _PREPARED.clear()


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's ``_word_ngrams`` without stop words."""
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``_char_wb_ngrams`` for one whitespace-free word.

    A padded word no longer than ``n`` is counted once, whole, and ends the loop.
    """
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if n >= size:
            grams.append(padded)
            break
        grams.extend([padded[i : i + n] for i in range(size - n + 1)])
    return grams


class TextClassifier:
    """A trained text classifier: ``predict_proba`` gives calibrated class probabilities."""

    def __init__(
        self,
        *,
        name: str,
        version: str,
        labels: Sequence[str],
        word_vocabulary: Sequence[str],
        word_idf: npt.ArrayLike,
        char_vocabulary: Sequence[str],
        char_idf: npt.ArrayLike,
        weights: npt.ArrayLike,
        bias: npt.ArrayLike,
        lexicon: Lexicon | None = None,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        token_pattern: str = TOKEN_PATTERN,
        info: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.labels: tuple[str, ...] = tuple(labels)
        self.info: dict[str, Any] = dict(info or {})
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.token_pattern = token_pattern
        self.lexicon = lexicon
        self._word_vocabulary = list(word_vocabulary)
        self._char_vocabulary = list(char_vocabulary)
        self._word_ids = {gram: i for i, gram in enumerate(self._word_vocabulary)}
        self._char_ids = {gram: i for i, gram in enumerate(self._char_vocabulary)}
        self._word_idf = np.asarray(word_idf, dtype=np.float32)
        self._char_idf = np.asarray(char_idf, dtype=np.float32)
        self._weights = np.asarray(weights, dtype=np.float32)
        self._bias = np.asarray(bias, dtype=np.float64)
        self._token = re.compile(token_pattern)
        self._word_cache: dict[str, list[int]] = {}
        self._check()
        n_word, n_char = len(self._word_vocabulary), len(self._char_vocabulary)
        self._w_word = self._weights[:n_word]
        self._w_char = self._weights[n_word : n_word + n_char]
        self._w_lexicon = self._weights[n_word + n_char :].astype(np.float64)

    def _check(self) -> None:
        n_word, n_char = len(self._word_vocabulary), len(self._char_vocabulary)
        n_rows = n_word + n_char + (N_LEXICON_FEATURES if self.lexicon else 0)
        problems = []
        if len(self.labels) < 2:
            problems.append(f"needs at least two labels, has {self.labels!r}")
        if self._word_idf.shape != (n_word,) or self._char_idf.shape != (n_char,):
            problems.append("idf lengths differ from the vocabularies")
        if self._weights.shape != (n_rows, len(self.labels)):
            problems.append(
                f"weights are {self._weights.shape}, expected {(n_rows, len(self.labels))}"
            )
        if self._bias.shape != (len(self.labels),):
            problems.append(f"bias has shape {self._bias.shape}, expected ({len(self.labels)},)")
        if len(self._word_ids) != n_word or len(self._char_ids) != n_char:
            problems.append("a vocabulary holds duplicates")
        if problems:
            raise ValueError(f"model {self.name!r}: " + "; ".join(problems))

    # Features --------------------------------------------------------------------------------

    def _char_ids_of(self, word: str) -> list[int]:
        ids = self._word_cache.get(word)
        if ids is None:
            low, high = self.char_ngram_range
            vocabulary = self._char_ids
            ids = [vocabulary[g] for g in char_wb_ngrams(word, low, high) if g in vocabulary]
            if len(self._word_cache) >= _WORD_CACHE_LIMIT:
                self._word_cache.clear()
            self._word_cache[word] = ids
        return ids

    def _text_features(self, text: str) -> tuple[list[int], list[int], list[float] | None]:
        lowered, grams = self._prepared(text)
        vocabulary = self._word_ids
        word = [vocabulary[g] for g in grams if g in vocabulary]
        char: list[int] = []
        char_ids_of = self._char_ids_of
        for token in lowered.split():
            char.extend(char_ids_of(token))
        lexicon = self.lexicon.features(lowered) if self.lexicon else None
        return word, char, lexicon

    def _prepared(self, text: str) -> tuple[str, list[str]]:
        """The lower-cased normalised text and its word n-grams, shared between models.

        The stack runs several models over the same texts one after the other, so short texts'
        results are kept in a bounded module-level cache keyed by the text and the settings.
        """
        key = (text, self.token_pattern, self.word_ngram_range)
        cached = _PREPARED.get(key)
        if cached is not None:
            return cached
        lowered = normalise(text).lower()
        prepared = (lowered, word_ngrams(self._token.findall(lowered), *self.word_ngram_range))
        if len(text) <= _PREPARED_MAX_CHARS:
            if len(_PREPARED) >= _PREPARED_LIMIT:
                _PREPARED.clear()
            _PREPARED[key] = prepared
        return prepared

    # Scoring ---------------------------------------------------------------------------------

    def decision_function(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated logits, ``len(texts) x len(labels)``."""
        n = len(texts)
        if n == 1:
            return self._logits_one(texts[0])[None, :]
        word_ids: list[int] = []
        char_ids: list[int] = []
        word_lengths: list[int] = []
        char_lengths: list[int] = []
        lexicon_rows: list[list[float]] = []
        for text in texts:
            word, char, lexicon = self._text_features(text)
            word_ids.extend(word)
            word_lengths.append(len(word))
            char_ids.extend(char)
            char_lengths.append(len(char))
            if lexicon is not None:
                lexicon_rows.append(lexicon)
        logits = np.tile(self._bias, (n, 1))
        logits += _block_scores(word_ids, word_lengths, self._word_idf, self._w_word)
        logits += _block_scores(char_ids, char_lengths, self._char_idf, self._w_char)
        if lexicon_rows:
            logits += np.asarray(lexicon_rows, dtype=np.float64) @ self._w_lexicon
        return logits

    def _logits_one(self, text: str) -> FloatArray:
        word, char, lexicon = self._text_features(text)
        logits = self._bias.copy()
        for ids, idf, weights in (
            (word, self._word_idf, self._w_word),
            (char, self._char_idf, self._w_char),
        ):
            if not ids:
                continue
            counts = Counter(ids)
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (np.log(tf) + 1.0) * idf[index]
            values /= math.sqrt(float(values @ values))
            logits += values @ weights[index]
        if lexicon is not None:
            logits += np.asarray(lexicon) @ self._w_lexicon
        return logits

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Class probabilities in ``labels`` order; each row sums to 1."""
        return _softmax(self.decision_function(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.decision_function(texts).argmax(axis=1)]

    def scores(self, text: str) -> dict[str, float]:
        """One text's probabilities by label, the shape ``Analysis`` stores."""
        probabilities = _softmax(self._logits_one(text)[None, :])[0]
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}

    # Files -----------------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the model as a compressed ``.npz`` of arrays and JSON text (no pickles)."""
        meta = {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "labels": list(self.labels),
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "token_pattern": self.token_pattern,
            "lexicon": None
            if self.lexicon is None
            else {"scale": self.lexicon.scale, "negators": sorted(self.lexicon.negators)},
            "info": self.info,
        }
        lexicon_words = list(self.lexicon.valences) if self.lexicon else []
        lexicon_values = [self.lexicon.valences[w] for w in lexicon_words] if self.lexicon else []
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                meta=_json_bytes(meta),
                word_vocabulary=_json_bytes(self._word_vocabulary),
                char_vocabulary=_json_bytes(self._char_vocabulary),
                lexicon_words=_json_bytes(lexicon_words),
                lexicon_values=np.asarray(lexicon_values, dtype=np.float32),
                word_idf=self._word_idf,
                char_idf=self._char_idf,
                weights=self._weights,
                bias=self._bias.astype(np.float32),
            )

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        """Read a model written by ``save``; a clear ``ValueError`` if the file is not one."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
            meta = _json_value(arrays["meta"])
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: not a rippledesk linear model ({exc})") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"{path}: format is not {FORMAT!r}")
        lexicon = None
        if meta["lexicon"] is not None:
            words = _json_value(arrays["lexicon_words"])
            values = arrays["lexicon_values"].astype(np.float64).tolist()
            lexicon = Lexicon(
                valences=dict(zip(words, values, strict=True)),
                negators=frozenset(meta["lexicon"]["negators"]),
                scale=float(meta["lexicon"]["scale"]),
            )
        return cls(
            name=meta["name"],
            version=meta["version"],
            labels=meta["labels"],
            word_vocabulary=_json_value(arrays["word_vocabulary"]),
            word_idf=arrays["word_idf"],
            char_vocabulary=_json_value(arrays["char_vocabulary"]),
            char_idf=arrays["char_idf"],
            weights=arrays["weights"],
            bias=arrays["bias"],
            lexicon=lexicon,
            word_ngram_range=(int(meta["word_ngram_range"][0]), int(meta["word_ngram_range"][1])),
            char_ngram_range=(int(meta["char_ngram_range"][0]), int(meta["char_ngram_range"][1])),
            token_pattern=meta["token_pattern"],
            info=meta["info"],
        )


def _block_scores(
    ids: list[int],
    lengths: list[int],
    idf: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float32],
) -> FloatArray:
    """Per row, the l2-normalised sublinear TF-IDF of one feature block times its weights.

    ``ids`` holds every row's feature ids one row after the other, ``lengths`` how many each.
    """
    n, k, size = len(lengths), weights.shape[1], len(idf)
    out = np.zeros((n, k))
    if not ids:
        return out
    # int32 keys sort about three times faster; batches too large for them fall back to int64.
    dtype = np.int32 if n * size < 2**31 else np.int64
    keys = np.repeat(np.arange(n, dtype=dtype) * size, lengths) + np.array(ids, dtype=dtype)
    unique, tf = np.unique(keys, return_counts=True)
    row, index = np.divmod(unique, size)
    values = (np.log(tf) + 1.0) * idf[index]
    per_row = np.bincount(row, minlength=n)
    present = per_row > 0
    starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))[present]
    norms = np.sqrt(np.add.reduceat(values * values, starts))
    values /= np.repeat(norms, per_row[present])
    out[present] = np.add.reduceat(values[:, None] * weights[index], starts, axis=0)
    return out


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _json_bytes(value: object) -> npt.NDArray[np.uint8]:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return np.frombuffer(data, dtype=np.uint8)


def _json_value(array: npt.NDArray[Any]) -> Any:
    return json.loads(array.tobytes().decode("utf-8"))
