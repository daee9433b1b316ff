"""BERT's uncased WordPiece tokenizer in plain Python, for the sentiment encoder.

The encoder was fine-tuned with the Hugging Face ``tokenizers`` library and the tokenizer of
all-MiniLM-L6-v2 (BertNormalizer with lower-casing, accents stripped and CJK ideographs split;
BertPreTokenizer; WordPiece with ``##`` continuations; ``[CLS] … [SEP]``). That library would
bring ``huggingface_hub`` and its dependencies into the default install for one function, so
this module does the same steps; ``tests/test_wordpiece.py`` checks it against ids that library
produced. A tweet costs a few dozen microseconds, next to milliseconds in the encoder.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

MAX_WORD_CHARS = 100
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    # As the reference implementation: every "Other" category but surrogates is dropped.
    return unicodedata.category(char) in ("Cc", "Cf", "Cn", "Co")


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    # BERT counts every non-alphanumeric ASCII symbol as punctuation ("$", "^", "`", ...).
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class _Table(dict[int, str]):
    """``str.translate`` table filled as characters are met, by ``decide`` (a character in,
    what it becomes out); at most 65,536 entries are kept."""

    def __init__(self, decide: Callable[[str], str]) -> None:
        super().__init__()
        self._decide = decide

    def __missing__(self, cp: int) -> str:
        out = self._decide(chr(cp))
        if len(self) < 65_536:
            self[cp] = out
        return out


def _cleaned(char: str) -> str:
    """What ``normalise`` makes of a character before lower-casing: dropped, a space, spaced
    out (CJK ideographs) or itself."""
    cp = ord(char)
    if cp in (0, 0xFFFD) or _is_control(char):
        return ""
    if _is_whitespace(char):
        return " "
    if _is_cjk(cp):
        return f" {char} "
    return char


def _unmarked(char: str) -> str:
    """Combining marks (category Mn) dropped after decomposition."""
    return "" if unicodedata.category(char) == "Mn" else char


_ASCII = dict.fromkeys([*range(32), 127], "") | {ord(c): " " for c in "\t\n\r"}
_CHARS = _Table(_cleaned)
_MARKS = _Table(_unmarked)


def normalise(text: str) -> str:
    """Drop control characters, make whitespace a space, space out CJK ideographs, lower-case
    and strip accents (decompose, drop combining marks). Per-character decisions are cached in
    translate tables: this runs on every text the encoder reads."""
    if text.isascii():  # no accents, CJK or Unicode spaces; NFD changes nothing
        return text.translate(_ASCII).lower()
    decomposed = unicodedata.normalize("NFD", text.translate(_CHARS).lower())
    return decomposed.translate(_MARKS)


def pre_tokenise(text: str) -> Iterator[str]:
    """Split on whitespace, then every punctuation character becomes a word of its own."""
    for chunk in text.split():
        current: list[str] = []
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    yield "".join(current)
                    current = []
                yield char
            else:
                current.append(char)
        if current:
            yield "".join(current)


class WordPiece:
    """``ids(text)``: ``[CLS]`` + WordPiece ids + ``[SEP]``, at most ``max_tokens`` in all."""

    def __init__(self, vocabulary: Sequence[str], max_tokens: int = 64) -> None:
        self.vocab = {token: index for index, token in enumerate(vocabulary)}
        missing = [token for token in SPECIAL if token not in self.vocab]
        if missing:
            raise ValueError(f"vocabulary lacks {', '.join(missing)}")
        if max_tokens < 3:
            raise ValueError("max_tokens must leave room for one token between [CLS] and [SEP]")
        self.max_tokens = max_tokens
        self.unk = self.vocab["[UNK]"]
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path, max_tokens: int = 64) -> WordPiece:
        """A vocabulary file: one token per line, the line number is its id."""
        tokens = path.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        return cls(tokens, max_tokens)

    def word_ids(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first pieces of one word; ``[UNK]`` if any part has none."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > MAX_WORD_CHARS:
            return (self.unk,)
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                pieces = [self.unk]
                break
            pieces.append(found)
            start = end
        result = tuple(pieces)
        if len(self._cache) < 200_000:
            self._cache[word] = result
        return result

    def ids(self, text: str) -> list[int]:
        body: list[int] = []
        room = self.max_tokens - 2
        for word in pre_tokenise(normalise(text)):
            body.extend(self.word_ids(word))
            if len(body) >= room:
                del body[room:]
                break
        return [self.vocab["[CLS]"], *body, self.vocab["[SEP]"]]
