"""The analysis stack end to end: on ingest, from files, and re-scoring history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.pipeline import get_analyzer
from rippledesk.analysis.types import MessageContext
from rippledesk.conversations.models import Conversation, Message
from tests.conftest import DATA, run_command

FIXTURE = DATA / "twcs_threads.csv"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😡😡😡",
        "x" * 100_000,
        "<p>My <b>order</b> never came</p><script>alert(1)</script>",
        "ctrl\x00\x07chars\x1b[31m here",
        "mixed Кириллица and English and 日本語",
        "?!?!",
    ],
)
def test_odd_inputs_give_a_result_or_a_not_analysable_flag(text: str) -> None:
    [result] = get_analyzer().analyze([text])
    assert 0.0 <= result.ripple_risk <= 1.0
    assert abs(sum(result.sentiment_scores.values()) - 1.0) < 1e-3
    if not text.strip() or text == "?!?!":
        assert not result.analysable
        assert result.priority == "low"


def test_angry_public_post_outranks_the_same_words_in_private() -> None:
    text = "@united you lost my bag AGAIN and nobody answers. Worst airline ever, never again"
    public, private = get_analyzer().analyze(
        [text, text],
        [
            MessageContext(visibility="public_post", audience=250_000),
            MessageContext(visibility="private_message", audience=250_000),
        ],
    )
    assert public.sentiment == "negative"
    assert public.ripple_risk > private.ripple_risk
    assert public.priority in {"high", "urgent"}


def test_praise_is_never_urgent() -> None:
    [result] = get_analyzer().analyze(
        ["@SouthwestAir thank you so much, the crew was amazing today!"],
        [MessageContext(audience=5_000_000)],
    )
    assert result.sentiment == "positive"
    assert result.intent == "praise"
    assert result.priority == "low"


@pytest.mark.django_db(transaction=True)
def test_imported_customer_messages_are_analysed_and_lift_the_conversation() -> None:
    run_command("import", "twcs", str(FIXTURE))
    inbound = Message.objects.filter(direction="inbound")
    assert MessageAnalysis.objects.count() == inbound.count()
    assert not MessageAnalysis.objects.filter(message__direction="outbound").exists()
    churn = MessageAnalysis.objects.get(message__external_id="401")
    assert churn.intent == "churn_threat"
    conversation = Conversation.objects.get(external_id="401")
    assert conversation.ripple_risk == pytest.approx(churn.ripple_risk)
    assert conversation.priority != "low"


@pytest.mark.django_db
def test_deferred_analysis_is_filled_in_by_reanalyze() -> None:
    run_command("import", "twcs", str(FIXTURE), "--analysis", "later")
    assert MessageAnalysis.objects.count() == 0
    first = run_command("reanalyze")
    inbound = Message.objects.filter(direction="inbound").count()
    assert f"{inbound:,} messages analysed" in first.stdout
    assert MessageAnalysis.objects.count() == inbound
    again = run_command("reanalyze")
    assert again.stdout.startswith("0 messages analysed")


def test_analyze_command_keeps_input_order_and_reports_bad_rows(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,followers\n"
        '1,"@AmericanAir charged twice, call me on +1 415 555 0134 or ann@example.com",120\n'
        '2,"broken "quote,5\n'
        "3,,0\n"
        "4,thanks for the quick help!,10\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run_command(
        "analyze", "--input", str(source), "--text-column", "text", "--output", str(out),
        "--followers-column", "followers", "--redact",
    )  # fmt: skip
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["line"] for row in rows] == [2, 3, 4, 5]
    first, broken, empty, thanks = rows
    for key in ("sentiment", "sentiment_scores", "emotion", "intent", "topic", "urgency"):
        assert key in first
    assert {span["kind"] for span in first["pii"]} == {"phone", "email"}
    assert "[phone]" in first["text"] and "[email]" in first["text"]
    assert first["urgency"] == "high"
    assert "error" in broken and broken["analysable"] is False
    assert empty["analysable"] is False
    assert thanks["sentiment"] == "positive"


def test_analyze_command_reads_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "where is my refund??"}) + "\n{not json\n" + json.dumps({"x": 1}) + "\n"
    )
    out = tmp_path / "out.jsonl"
    run_command("analyze", "--input", str(source), "--output", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    assert rows[0]["language"] == "en"
    assert "not a JSON object" in rows[1]["error"]
    assert "missing or not a string" in rows[2]["error"]
