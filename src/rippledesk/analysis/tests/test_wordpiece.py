"""The plain-Python WordPiece tokenizer gives the ids the encoder was trained with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rippledesk.analysis.encoder import VOCAB_FILE
from rippledesk.analysis.evaluation import TRAINED_DIR
from rippledesk.analysis.wordpiece import WordPiece, normalise, pre_tokenise

EXPECTED = Path(__file__).parent / "data" / "wordpiece_expected.json"


@pytest.fixture(scope="module")
def tokenizer() -> WordPiece:
    return WordPiece.from_file(TRAINED_DIR / VOCAB_FILE, max_tokens=64)


def test_ids_equal_the_reference_library(tokenizer: WordPiece) -> None:
    """321 texts (real tweets, accents, CJK, emoji, control and private-use characters, over-
    long words and texts) tokenised by the library the encoder was fine-tuned with."""
    cases = json.loads(EXPECTED.read_text(encoding="utf-8"))["cases"]
    assert len(cases) > 300
    wrong = [(text, ids, tokenizer.ids(text)) for text, ids in cases if tokenizer.ids(text) != ids]
    assert wrong == []


def test_steps() -> None:
    assert normalise("Café\u200b\tNAÏVE 中文") == "cafe naive  中  文 "
    assert list(pre_tokenise("don't! @user #tag")) == [
        "don",
        "'",
        "t",
        "!",
        "@",
        "user",
        "#",
        "tag",
    ]


def test_unknown_and_long_words_and_truncation(tokenizer: WordPiece) -> None:
    cls, sep, unk = (tokenizer.vocab[t] for t in ("[CLS]", "[SEP]", "[UNK]"))
    assert tokenizer.ids("") == [cls, sep]
    assert tokenizer.ids("a" * 101) == [cls, unk, sep]
    ids = tokenizer.ids("word " * 500)
    assert len(ids) == 64
    assert (ids[0], ids[-1]) == (cls, sep)
    pieces = tokenizer.ids("unaffable")
    assert len(pieces) > 3  # split into pieces, "##" continuations


def test_a_vocabulary_without_special_tokens_is_refused(tmp_path: Path) -> None:
    (tmp_path / "v.txt").write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[PAD\]"):
        WordPiece.from_file(tmp_path / "v.txt")
