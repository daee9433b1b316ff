"""``rippledesk import csv`` on the bundled real airline tweets, and its bad-input handling."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from rippledesk.channels.models import ChannelAccount
from rippledesk.conversations.models import Conversation, Message
from rippledesk.customers.models import Customer
from tests.conftest import REPO, run_command

pytestmark = pytest.mark.django_db
SAMPLE = REPO / "data" / "airline-tweets" / "sample.csv"
AIRLINE_ARGS = (
    "--text-column",
    "text",
    "--author-column",
    "name",
    "--channel-column",
    "airline",
    "--time-column",
    "tweet_created",
)


def raw_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_airline_sample_becomes_one_conversation_per_distinct_tweet() -> None:
    result = run_command("import", "csv", str(SAMPLE), *AIRLINE_ARGS)
    rows = raw_rows()
    distinct = {(r["airline"], r["name"], r["tweet_created"], r["text"]) for r in rows}
    repeats = len(rows) - len(distinct)

    assert Message.objects.count() == len(distinct)
    assert Conversation.objects.count() == len(distinct)
    assert Customer.objects.count() == len({(r["airline"], r["name"]) for r in rows})
    assert set(ChannelAccount.objects.values_list("name", flat=True)) == {
        r["airline"] for r in rows
    }
    assert repeats > 0  # the real file has exact duplicate rows
    assert result.stderr.count("repeats line") == min(repeats, 20)
    assert result.exit_code == 0  # exact repeats are skipped with a warning, not rejected
    assert not Conversation.objects.exclude(first_response_seconds=None).exists()


def test_airline_times_are_parsed_as_utc() -> None:
    run_command("import", "csv", str(SAMPLE), *AIRLINE_ARGS)
    first = raw_rows()[0]
    message = Message.objects.get(body=first["text"], author_name=first["name"])
    expected = datetime.strptime(first["tweet_created"], "%d-%m-%Y %H.%M").replace(tzinfo=UTC)
    assert message.sent_at == expected


def test_second_import_of_the_sample_adds_nothing() -> None:
    run_command("import", "csv", str(SAMPLE), *AIRLINE_ARGS)
    before = Message.objects.count()
    again = run_command("import", "csv", str(SAMPLE), *AIRLINE_ARGS)
    assert Message.objects.count() == before
    assert "nothing new" in again.stdout


def test_id_and_conversation_columns(write_csv: object) -> None:
    path = write_csv(  # type: ignore[operator]
        "chat.csv",
        "id,who,thread,body,at\n"
        "a1,ann,t1,hello,2024-03-01T10:00:00Z\n"
        "a2,ann,t1,anyone there?,2024-03-01T10:05:00Z\n"
        "b1,bob,t2,hi,2024-03-01 11:00:00\n"
        "a1,ann,t1,a different text,2024-03-01T10:00:00Z\n",
    )
    result = run_command(
        "import", "csv", str(path), "--text-column", "body", "--author-column", "who",
        "--id-column", "id", "--conversation-column", "thread", "--time-column", "at",
        "--channel", "site-chat", "--channel-kind", "webchat",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "line 5: rejected: id 'a1' is duplicated with different content" in result.stderr
    assert Conversation.objects.count() == 2
    thread = Conversation.objects.get(external_id="t1")
    assert thread.kind == "chat" and thread.message_count == 2
    assert thread.channel_account.kind == "webchat"
    assert thread.channel_account.name == "site-chat"


def test_bad_rows_are_named_and_good_rows_kept(write_csv: object) -> None:
    path = write_csv(  # type: ignore[operator]
        "mixed.csv",
        "author,text,when\n"
        "ann,fine,2024-01-01 10:00\n"
        "bob,,2024-01-01 10:00\n"
        "cat,bad time,31/31/2024 25:00\n"
        'dan,"never closed,2024-01-01 10:00\n'
        "eve,still fine,2024-01-01 11:00\n",
    )
    result = run_command(
        "import", "csv", str(path), "--text-column", "text", "--author-column", "author",
        "--time-column", "when",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "line 3: rejected: column 'text' is empty" in result.stderr
    assert "line 4: rejected: column 'when':" in result.stderr
    assert "line 5: rejected:" in result.stderr
    assert sorted(Message.objects.values_list("body", flat=True)) == ["fine", "still fine"]
    assert ChannelAccount.objects.get().name == "mixed"


def test_unknown_column_is_refused_before_anything_is_stored(write_csv: object) -> None:
    path = write_csv("x.csv", "a,b\n1,2\n")  # type: ignore[operator]
    with pytest.raises(CommandError, match=r"missing column\(s\) text"):
        run_command("import", "csv", str(path), "--text-column", "text")
    assert Message.objects.count() == 0


def test_bad_timezone_is_refused(write_csv: object) -> None:
    path = write_csv("x.csv", "text\nhello\n")  # type: ignore[operator]
    with pytest.raises(CommandError, match="not a known time zone"):
        run_command("import", "csv", str(path), "--text-column", "text", "--timezone", "Mars/Base")


def test_repeats_across_batches_are_found(write_csv: object) -> None:
    path = write_csv(  # type: ignore[operator]
        "batches.csv",
        "id,who,body\n"
        "a1,ann,hello\n"
        "b1,bob,hi\n"
        "a1,ann,hello\n"  # an exact repeat of line 2, in a later batch
        "b1,bob,something else\n",  # a clash with line 3, in a later batch
    )
    result = run_command(
        "import", "csv", str(path), "--text-column", "body", "--author-column", "who",
        "--id-column", "id", "--channel", "site", "--batch-size", "1",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "line 4: warning: id 'a1' repeats an earlier line exactly; skipped" in result.stderr
    assert "line 5: rejected: id 'b1' is duplicated with different content" in result.stderr
    assert sorted(Message.objects.values_list("body", flat=True)) == ["hello", "hi"]
