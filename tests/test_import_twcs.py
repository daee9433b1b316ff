"""``rippledesk import twcs``: threading, idempotency, timings and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection

from rippledesk.channels.models import ChannelAccount, ImportProblem, ImportRun
from rippledesk.conversations.models import Conversation, Message
from rippledesk.customers.models import Identity
from tests.conftest import DATA, run_command
from tests.twcs_oracle import median, p90, read_threads

pytestmark = pytest.mark.django_db
FIXTURE = DATA / "twcs_threads.csv"
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def kept_threads() -> dict[str, object]:
    """Threads the importer should keep: those with at least one customer tweet."""
    return {
        root: thread
        for root, thread in read_threads(FIXTURE).items()
        if any(t["inbound"] == "True" for t in thread.tweets)
    }


def test_threads_match_reply_links() -> None:
    result = run_command("import", "twcs", str(FIXTURE))
    threads = kept_threads()

    assert Conversation.objects.count() == len(threads)
    for root, thread in threads.items():
        conversation = Conversation.objects.get(external_id=root)
        stored = set(conversation.messages.values_list("external_id", flat=True))
        assert stored == {t["tweet_id"] for t in thread.tweets}, root
        expected_brand = thread.brand or "sprintcare"  # 401 is unanswered; it mentions @sprintcare
        assert conversation.channel_account.name == expected_brand
    # Rejected: the brand reply 601 to an unknown tweet, with no customer in its thread.
    assert result.exit_code == 1
    assert "line 19: rejected: tweet 601" in result.stderr
    assert "no customer tweet" in result.stderr


def test_brands_become_x_accounts_and_customers_get_identities() -> None:
    run_command("import", "twcs", str(FIXTURE))
    assert set(ChannelAccount.objects.values_list("kind", "name")) == {
        ("x", "AppleSupport"),
        ("x", "sprintcare"),
        ("x", "AmazonHelp"),
    }
    apple = ChannelAccount.objects.get(name="AppleSupport")
    assert Identity.objects.filter(channel_account=apple, external_id="9002").exists()
    thread = Conversation.objects.get(external_id="101")
    assert thread.customer.identities.get().external_id == "9001"
    reply = Message.objects.get(external_id="103")
    assert reply.direction == "inbound"
    assert reply.author_identity is not None and reply.author_identity.external_id == "9002"
    assert Message.objects.get(external_id="102").direction == "outbound"
    multi_line = Message.objects.get(external_id="104").body
    assert multi_line == "@AppleSupport yes, even with everything closed.\nTried a restart too."
    assert Message.objects.get(external_id="106").body.endswith('the "latest" one')


def test_times_are_aware_utc() -> None:
    run_command("import", "twcs", str(FIXTURE))
    message = Message.objects.get(external_id="101")
    assert message.sent_at.utcoffset() is not None
    assert message.sent_at.isoformat() == "2017-11-01T09:00:00+00:00"


def test_first_response_time_per_conversation() -> None:
    run_command("import", "twcs", str(FIXTURE))
    for root, thread in kept_threads().items():
        conversation = Conversation.objects.get(external_id=root)
        assert conversation.first_response_seconds == thread.first_response_seconds, root
    assert Conversation.objects.get(external_id="101").first_response_seconds == 270


def test_response_time_report_json_matches_raw_csv() -> None:
    run_command("import", "twcs", str(FIXTURE))
    result = run_command("report", "response-times", "--by", "channel", "--format", "json")
    rows = json.loads(result.stdout)

    expected: dict[str, list[float | None]] = {}
    for thread in kept_threads().values():
        expected.setdefault(thread.brand or "sprintcare", []).append(thread.first_response_seconds)
    assert [row["channel"] for row in rows] == sorted(expected)
    for row in rows:
        assert set(row) == {"channel", "conversations", "answered", "median_seconds", "p90_seconds"}
        times = [t for t in expected[row["channel"]] if t is not None]
        assert row["conversations"] == len(expected[row["channel"]])
        assert row["answered"] == len(times)
        assert row["median_seconds"] == pytest.approx(median(times))
        assert row["p90_seconds"] == pytest.approx(p90(times))


def test_response_time_report_overall_csv_and_table() -> None:
    run_command("import", "twcs", str(FIXTURE))
    times = [t.first_response_seconds for t in kept_threads().values()]
    answered = sorted(t for t in times if t is not None)
    csv_out = run_command("report", "response-times", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "channel,conversations,answered,median_seconds,p90_seconds"
    channel, total, count, med, high = csv_out[1].split(",")
    assert (channel, int(total), int(count)) == ("", len(times), len(answered))
    assert float(med) == pytest.approx(median(answered))
    assert float(high) == pytest.approx(p90(answered))
    table = run_command("report", "response-times", "--by", "channel").stdout
    assert "AppleSupport" in table and "median" in table


def test_unanswered_channel_reports_null_times(write_csv: object) -> None:
    path = write_csv(  # type: ignore[operator]
        "one.csv", HEADER + "1,77,True,Wed Nov 01 09:00:00 +0000 2017,@Brand hi,,\n"
    )
    assert run_command("import", "twcs", str(path)).exit_code == 0
    rows = json.loads(
        run_command("report", "response-times", "--by", "channel", "--format", "json").stdout
    )
    assert rows == [
        {
            "channel": "Brand",
            "conversations": 1,
            "answered": 0,
            "median_seconds": None,
            "p90_seconds": None,
        }
    ]


def test_second_run_adds_nothing_and_says_so() -> None:
    first = run_command("import", "twcs", str(FIXTURE))
    counts = (Conversation.objects.count(), Message.objects.count())
    second = run_command("import", "twcs", str(FIXTURE))
    assert (Conversation.objects.count(), Message.objects.count()) == counts
    assert "nothing new" in second.stdout
    assert "0 messages added" not in first.stdout
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None and run.messages_added == 0 and run.messages_already_present == 22


def test_reply_in_a_later_file_joins_the_stored_conversation(write_csv: object) -> None:
    run_command("import", "twcs", str(FIXTURE))
    later = write_csv(  # type: ignore[operator]
        "later.csv",
        HEADER
        + "901,AppleSupport,False,Thu Nov 02 09:00:00 +0000 2017,@9200 Anything else?,,302\n",
    )
    result = run_command("import", "twcs", str(later))
    assert result.exit_code == 0, result.stderr
    conversation = Conversation.objects.get(external_id="301")
    assert set(conversation.messages.values_list("external_id", flat=True)) == {"301", "302", "901"}
    assert conversation.message_count == 3


BAD_ROWS = (
    HEADER
    + "1,10,True,Wed Nov 01 09:00:00 +0000 2017,@Brand good one,2,\n"  # line 2
    + "2,Brand,False,Wed Nov 01 09:01:00 +0000 2017,@10 reply,,1\n"  # line 3
    + "3,11,True,yesterday at noon,@Brand bad date,,\n"  # line 4
    + '4,12,True,Wed Nov 01 09:00:00 +0000 2017,"@Brand unclosed quote,,\n'  # line 5
    + "5,13,True,Wed Nov 01 09:05:00 +0000 2017,@Brand kept after the broken quote,,\n"  # 6
    + "6,14,maybe,Wed Nov 01 09:05:00 +0000 2017,@Brand inbound unknown,,\n"  # line 7
    + "7,15,True,Wed Nov 01 09:06:00 +0000 2017,@Brand loop a,,8\n"  # line 8
    + "8,15,True,Wed Nov 01 09:07:00 +0000 2017,@Brand loop b,,7\n"  # line 9
    + "1,10,True,Wed Nov 01 09:00:00 +0000 2017,@Brand other text same id,,\n"  # line 10
    + "9,16,True,Wed Nov 01 09:08:00 +0000 2017,@Brand I reply to a ghost,,12345\n"  # line 11
    + "10,17,True,Wed Nov 01 09:09:00 +0000 2017,@Brand too,few\n"  # line 12
    + "1,10,True,Wed Nov 01 09:00:00 +0000 2017,@Brand good one,2,\n"  # line 13
)


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_kept(write_csv: object) -> None:
    path = write_csv("bad.csv", BAD_ROWS)  # type: ignore[operator]
    result = run_command("import", "twcs", str(path), "--show-problems", "100")

    assert result.exit_code == 1
    err = result.stderr
    assert "line 4: rejected: tweet 3: created_at 'yesterday at noon'" in err
    assert "line 5: rejected:" in err and "quot" in err
    assert "line 7: rejected: tweet 6: inbound 'maybe' is not True/False" in err
    assert "line 8: rejected: tweet 7 is part of a reply cycle (7 → 8 → 7)" in err
    assert "line 9: rejected: tweet 8 is part of a reply cycle" in err
    assert "line 10: rejected: tweet_id 1 is duplicated with different content" in err
    assert "line 11: warning: tweet 9 replies to tweet 12345" in err
    assert "line 12: rejected: 6 fields where 7 were expected" in err
    assert "line 13: warning: tweet_id 1 repeats line 2 exactly" in err
    kept = set(Message.objects.values_list("external_id", flat=True))
    assert kept == {"1", "2", "5", "9"}
    assert Message.objects.get(external_id="1").body == "@Brand good one"
    run = ImportRun.objects.get()
    assert run.rows_rejected == 7
    assert ImportProblem.objects.filter(run=run).count() == 9


def test_non_utf8_bytes_name_the_line_and_column(write_csv: object) -> None:
    content = (
        HEADER.encode()
        + b"1,10,True,Wed Nov 01 09:00:00 +0000 2017,@Brand caf\xe9 latte please,,\n"
        + "2,11,True,Wed Nov 01 09:00:00 +0000 2017,@Brand café ok ☕,,\n".encode()
    )
    path = write_csv("latin.csv", content)  # type: ignore[operator]
    result = run_command("import", "twcs", str(path))
    assert result.exit_code == 1
    assert (
        "line 2: rejected: column 'text' has bytes that are not valid utf-8 (0xE9" in result.stderr
    )
    assert list(Message.objects.values_list("body", flat=True)) == ["@Brand café ok ☕"]
    # The same file read as Windows-1252 is accepted whole.
    again = run_command("import", "twcs", str(path), "--encoding", "cp1252")
    assert again.exit_code == 0
    assert Message.objects.filter(body="@Brand café latte please").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("tweet_id,author_id,text\n1,2,hi\n", "missing column(s) inbound, created_at"),
    ],
)
def test_unreadable_files_fail_whole_with_a_clear_error(
    write_csv: object, content: str, message: str
) -> None:
    path = write_csv("broken.csv", content)  # type: ignore[operator]
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_command("import", "twcs", str(path))
    assert Message.objects.count() == 0


def test_a_header_only_file_imports_nothing_cleanly(write_csv: object) -> None:
    path = write_csv("header.csv", HEADER)  # type: ignore[operator]
    result = run_command("import", "twcs", str(path))
    assert result.exit_code == 0
    assert "read 0 rows" in result.stdout


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run_command("import", "twcs", str(tmp_path / "nope.csv"))


def test_html_escaped_tweet_text_is_stored_as_typed(write_csv: object) -> None:
    path = write_csv(  # type: ignore[operator]
        "escaped.csv",
        HEADER + "1,77,True,Wed Nov 01 09:00:00 +0000 2017,@Brand Q&amp;A &lt;3 &gt;_&lt;,,\n",
    )
    run_command("import", "twcs", str(path))
    assert Message.objects.get().body == "@Brand Q&A <3 >_<"


@pytest.mark.django_db(transaction=True)
def test_import_outside_a_transaction_tunes_and_restores_the_session() -> None:
    result = run_command("import", "twcs", str(FIXTURE))
    assert result.exit_code == 1
    assert Message.objects.count() == 22
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000  # SQLite's default, put back after the import
