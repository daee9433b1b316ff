"""The analysis stack end to end: on ingest, from files, and re-scoring history."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import transaction

from rippledesk.analysis.actions import analysis_deferred, do_analyze_messages
from rippledesk.analysis.cascade import SentimentCascade, unsure
from rippledesk.analysis.models import MessageAnalysis
from rippledesk.analysis.pipeline import DefaultAnalyzer, get_analyzer
from rippledesk.analysis.textnorm import prepare
from rippledesk.analysis.types import MessageContext
from rippledesk.conversations.bulk import BulkWriter
from rippledesk.conversations.models import Conversation, ConversationKind, Message
from rippledesk.conversations.records import MessageRecord
from rippledesk.workspaces.actions import do_get_or_create_workspace
from tests.analysis_samples import SAMPLE, doubtful_sample
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


@pytest.mark.django_db
def test_live_messages_get_the_fast_reading_then_the_encoder_s_in_a_job(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """One or a few messages (live traffic) are stored with the linear models' reading; the
    texts the encoder should re-read are marked provisional and a job re-reads them."""
    analyzer = get_analyzer()
    assert isinstance(analyzer, DefaultAnalyzer)
    cascade = analyzer.models()[0]
    assert cascade.rule is not None
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][:200]
    linear = cascade.linear.predict_proba(texts)
    routed = unsure(linear, cascade.rule)
    texts = [texts[i] for i in np.flatnonzero(routed)[:3]] + [
        texts[i] for i in np.flatnonzero(~routed)[:2]
    ]
    ids = store_unanalysed("refine", texts)
    final = analyzer.analyze_complete(texts)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert do_analyze_messages(ids, defer_refinement=True) == 5
    stored = {
        a.message_id: a
        for a in MessageAnalysis.objects.filter(message_id__in=ids, model_version=analyzer.version)
    }
    for n, pk in enumerate(ids[:3]):  # provisional: the linear reading
        assert stored[pk].sentiment_scores["negative"] == pytest.approx(
            linear_of(cascade, texts[n])
        )
    for n, pk in enumerate(ids[3:], start=3):  # confident: final at once
        assert stored[pk].sentiment_scores == final[n].sentiment_scores
    assert len(callbacks) == 1
    callbacks[0]()  # the inline job backend runs the refine job at commit
    for n, pk in enumerate(ids):
        row = MessageAnalysis.objects.get(message_id=pk, model_version=analyzer.version)
        assert row.sentiment_scores == final[n].sentiment_scores
        assert row.sentiment == final[n].sentiment
        conversation = Conversation.objects.get(external_id=f"c{n}")
        assert conversation.sentiment == final[n].sentiment


@pytest.mark.django_db
def test_a_doubtful_import_batch_spends_the_encoder_budget_then_a_job_finishes_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """An import whose texts the linear model mostly doubts (general posts) gets the encoder on
    at most its budget of each batch, the least sure first; the rest are stored with the linear
    reading, provisional, and the refine job gives them the full reading."""
    analyzer = get_analyzer()
    assert isinstance(analyzer, DefaultAnalyzer)
    cascade = analyzer.models()[0]
    texts = doubtful_sample(cascade, 20)
    ids = store_unanalysed("budget", texts)
    final = analyzer.analyze_complete(texts)
    assert not any(r.provisional for r in final)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert do_analyze_messages(ids) == 20  # an import's store: not the live path
    stored = [
        MessageAnalysis.objects.get(message_id=pk, model_version=analyzer.version) for pk in ids
    ]
    read = [n for n, row in enumerate(stored) if row.sentiment_scores == final[n].sentiment_scores]
    left = [n for n in range(20) if n not in read]
    assert len(read) == 6  # 30 % of 20
    for n in left:
        assert stored[n].sentiment_scores["negative"] == pytest.approx(linear_of(cascade, texts[n]))
    assert len(callbacks) == 1
    callbacks[0]()
    for n, pk in enumerate(ids):
        row = MessageAnalysis.objects.get(message_id=pk, model_version=analyzer.version)
        assert row.sentiment_scores == final[n].sentiment_scores


def test_analyze_command_reports_rows_past_the_encoder_budget(tmp_path: Path) -> None:
    analyzer = get_analyzer()
    assert isinstance(analyzer, DefaultAnalyzer)
    source = tmp_path / "doubtful.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["text"])
        out.writerows([t] for t in doubtful_sample(analyzer.models()[0], 20))
    budgeted, complete = tmp_path / "budgeted.jsonl", tmp_path / "complete.jsonl"
    result = run_command("analyze", "--input", str(source), "--output", str(budgeted))
    assert "14 past the sentiment encoder's budget" in result.stderr
    rows = [json.loads(line) for line in budgeted.read_text().splitlines()]
    assert sum(row["provisional"] for row in rows) == 14
    result = run_command("analyze", "--input", str(source), "--output", str(complete), "--complete")
    assert "budget" not in result.stderr
    rows = [json.loads(line) for line in complete.read_text().splitlines()]
    assert len(rows) == 20 and not any(row["provisional"] for row in rows)


def store_unanalysed(slug: str, texts: list[str]) -> list[int]:
    """``texts`` as inbound messages of one workspace, each its own public thread, stored with
    analysis deferred; their ids in order."""
    writer = BulkWriter(do_get_or_create_workspace(slug), "x", ConversationKind.PUBLIC_THREAD)
    records = [
        MessageRecord(n, "brand", f"c{n}", f"u{n}", f"u{n}", True, f"u{n}", f"u{n}", text,
                      f"m{n}", "", datetime.now(UTC))
        for n, text in enumerate(texts)
    ]  # fmt: skip
    with analysis_deferred():
        writer.write(records)
    return list(Message.objects.order_by("pk").values_list("pk", flat=True))


def linear_of(cascade: SentimentCascade, text: str) -> float:
    return round(float(cascade.linear.predict_proba([prepare(text).model_text])[0][0]), 4)
