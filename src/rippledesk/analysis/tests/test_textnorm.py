"""Message bodies become bounded, clean text, and nothing a channel delivers makes that fail."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rippledesk.analysis.textnorm import for_models, prepare, truncate


def test_empty_and_blank_are_not_analysable() -> None:
    for text in ("", "   ", "\n\t \r\n", "\x00\x07"):
        prepared = prepare(text)
        assert not prepared.analysable
        assert prepared.reason == "empty"
        assert prepared.clean_text == ""


def test_only_emoji_is_not_analysable_but_models_still_see_it() -> None:
    prepared = prepare("😡😡😡!!!")
    assert not prepared.analysable
    assert prepared.reason == "no_letters"
    assert prepared.has_emoji
    assert prepared.model_text == "😡😡😡!!!"


def test_only_punctuation_handles_links_or_digits_is_not_analysable() -> None:
    for text in ("?!...", "@united https://t.co/abc", "12345 #", "@JetBlue ✈️ 4:30"):
        prepared = prepare(text)
        assert prepared.reason == "no_letters", text
    assert not prepare("?!...").has_emoji


def test_any_script_counts_as_letters() -> None:
    for text in ("ok", "é", "Привет", "こんにちは", "مرحبا", "नमस्ते"):
        assert prepare(text).analysable, text


def test_mixed_scripts_are_kept() -> None:
    text = "Hello Привет こんにちは مرحبا 😊"
    assert prepare(text).clean_text == text


def test_html_is_reduced_to_its_visible_text() -> None:
    body = (
        "<!DOCTYPE html><html><head><title>Receipt</title><style>p {color: red}</style>"
        "<script>alert('x < y')</script></head><body><p>Dear&nbsp;team,</p>"
        "<div>my bag is <b>lost</b> &amp; nobody answers &lt;again&gt;</div><!-- tracking -->"
        "<br/>Thanks</body></html>"
    )
    text = prepare(body).clean_text
    assert "alert" not in text
    assert "color" not in text
    assert "tracking" not in text
    assert "<" not in text.replace("<again>", "")
    assert "Dear team," in text
    assert "my bag is lost & nobody answers <again>" in text
    assert text.endswith("Thanks")


def test_unclosed_script_drops_the_rest() -> None:
    assert prepare("hello <script>var x = 1; never closed").clean_text == "hello"


def test_tweet_markup_lookalikes_survive() -> None:
    text = "I <3 you <sigh> a < b > c"
    assert prepare(text).clean_text == text


def test_control_characters_go_except_newline_and_tab() -> None:
    prepared = prepare("a\x00b\x1bc\td\r\ne\rf\x7fg\u200bh\ufeff")
    assert prepared.clean_text == "abc\td\ne\nfg\u200bh"


def test_lone_surrogates_are_removed() -> None:
    assert prepare("abc\ud800def").clean_text == "abcdef"


def test_whitespace_is_tidied_but_paragraphs_stay() -> None:
    assert prepare("  a   b \n\n\n\n c  ").clean_text == "a b\n\nc"


def test_long_bodies_are_cut_at_a_word_boundary() -> None:
    body = ("word " * 25_000).strip()  # 125 KB
    prepared = prepare(body, limit=5000)
    assert prepared.truncated
    assert prepared.original_length == len(body)
    assert len(prepared.clean_text) <= 5000
    assert prepared.clean_text.endswith("word")
    assert body.startswith(prepared.clean_text + " ")


def test_a_single_giant_token_is_cut_hard() -> None:
    prepared = prepare("x" * 100_000, limit=100)
    assert prepared.clean_text == "x" * 100
    assert truncate("abcdefgh ij", 10) == "abcdefgh"  # boundary in the last fifth: used
    assert truncate("abc defghij", 10) == "abc defghi"  # boundary too far back: hard cut
    assert truncate("abc def", 20) == "abc def"


def test_for_models_masks_handles_and_links_only() -> None:
    text = ".@JetBlue   my Flight\n\nhttps://t.co/x1 www.example.com/a mail bob@example.com @A_b"
    assert for_models(text) == ".@user my Flight http http mail bob@example.com @user"


@settings(database=None, max_examples=300)
@given(st.text(), st.integers(min_value=-5, max_value=300))
def test_prepare_never_raises_and_stays_bounded(text: str, limit: int) -> None:
    prepared = prepare(text, limit=limit)
    assert len(prepared.clean_text) <= max(limit, 0)
    assert len(prepared.model_text) <= max(limit, 0)
    assert prepared.original_length == len(text)
    assert prepared.analysable == (prepared.reason is None)
    assert prepared.clean_text == prepared.clean_text.strip()
    prepared.clean_text.encode("utf-8")


@settings(database=None, max_examples=200)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&;#@/ ")))
def test_prepare_handles_markup_noise(text: str) -> None:
    assert len(prepare(text, limit=50).clean_text) <= 50
