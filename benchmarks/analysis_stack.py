"""Whole analysis stack speed: messages/s batched and one at a time, and the time analysis adds
to storing one message (the issue's "≤ 5 ms p95 added to the ingest of one message").

The live ingest path stores the fast models' reading and leaves the sentiment encoder's re-read
of unsure texts to the ``analysis.refine`` job; the job's time per message is reported too.

Run: .venv/bin/python benchmarks/analysis_stack.py [--messages 3000] [--data-dir DIR]
Uses the bundled real sample (data/airline-tweets/sample.csv) and a throwaway SQLite database.
Where the shared data is found (``--data-dir``, else ``evaluation.find_data_dir``), the stack
also runs batched on general tweets (TweetEval sentiment val), which the linear sentiment
model doubts far more often: within the encoder's budget (the default) and with none (what the
refine jobs then add up to).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "airline-tweets" / "sample.csv"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ingest_latency(texts: list[str], analyzer: Any) -> tuple[list[float], list[float], list[float]]:
    """Per message: storing it, then what the live path's analysis adds, then (for the texts
    the encoder re-reads) what the refine job takes in the worker."""
    from rippledesk.analysis.actions import (  # noqa: PLC0415
        REFINE_JOB,
        analysis_deferred,
        do_analyze_messages,
        do_refine_messages,
    )
    from rippledesk.analysis.models import MessageAnalysis  # noqa: PLC0415
    from rippledesk.conversations.bulk import BulkWriter  # noqa: PLC0415
    from rippledesk.conversations.models import ConversationKind  # noqa: PLC0415
    from rippledesk.conversations.records import MessageRecord  # noqa: PLC0415
    from rippledesk.jobs.models import Job, JobStatus  # noqa: PLC0415
    from rippledesk.workspaces.actions import do_get_or_create_workspace  # noqa: PLC0415

    workspace = do_get_or_create_workspace("bench")
    writer = BulkWriter(workspace, "x", ConversationKind.PUBLIC_THREAD)
    store_only, analysis_added, refine = [], [], []
    for number, text in enumerate(texts):
        record = MessageRecord(
            line=number, channel="bench", conversation_key=f"c{number}", customer_id=f"u{number}",
            customer_name=f"u{number}", inbound=True, author_id=f"u{number}",
            author_name=f"u{number}", body=text, external_id=f"m{number}", in_reply_to="",
            sent_at=datetime.now(UTC),
        )  # fmt: skip
        t0 = time.perf_counter()
        with analysis_deferred():
            writer.write([record])
        t1 = time.perf_counter()
        ids = list(workspace.conversations.get(external_id=f"c{number}")
                   .messages.values_list("pk", flat=True))  # fmt: skip
        t2 = time.perf_counter()
        do_analyze_messages(ids, defer_refinement=True)  # what on_messages_stored does live
        t3 = time.perf_counter()
        store_only.append(t1 - t0)
        analysis_added.append(t3 - t2)
        if Job.objects.filter(name=REFINE_JOB, status=JobStatus.QUEUED).exists():
            t4 = time.perf_counter()
            do_refine_messages(ids, analyzer)  # what the job runs, in the worker
            refine.append(time.perf_counter() - t4)
            Job.objects.filter(name=REFINE_JOB).delete()
    assert MessageAnalysis.objects.count() == len(texts)
    return store_only, analysis_added, refine


def batched_rate(analyze: Callable[[list[str]], Any], texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        analyze(texts[start : start + 256])
    return len(texts) / (time.perf_counter() - started)


def general_tweets(data_dir: Path | None) -> list[str]:
    from rippledesk.analysis import evaluation  # noqa: PLC0415

    try:
        found = evaluation.find_data_dir(data_dir)
    except evaluation.DataError:
        return []
    path = found / "tweeteval-sentiment" / "val.csv"
    return evaluation.load_text_label(path)[0] if path.is_file() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    os.environ["RIPPLEDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="rd-stack-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rippledesk.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    from rippledesk.analysis.pipeline import DefaultAnalyzer, get_analyzer  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][: args.messages]
    started = time.perf_counter()
    analyzer = get_analyzer()
    analyzer.analyze(["warm up the language model"])
    load = time.perf_counter() - started

    batched = batched_rate(analyzer.analyze, texts)

    singles = []
    for text in texts:
        t0 = time.perf_counter()
        analyzer.analyze([text])
        singles.append(time.perf_counter() - t0)

    store_only, analysis_added, refine = ingest_latency(texts[:1000], analyzer)

    print(f"messages: {len(texts):,} real airline tweets; models+language load {load:.2f} s")
    print(f"whole stack, batches of 256:   {batched:,.0f} msg/s")
    print(
        f"whole stack, one at a time:    {len(texts) / sum(singles):,.0f} msg/s; "
        f"p50 {statistics.median(singles) * 1e3:.2f} ms, p95 {p95(singles) * 1e3:.2f} ms"
    )
    print(
        f"store one message (SQLite):    p50 {statistics.median(store_only) * 1e3:.2f} ms, "
        f"p95 {p95(store_only) * 1e3:.2f} ms"
    )
    print(
        f"analysis added to that ingest: p50 {statistics.median(analysis_added) * 1e3:.2f} ms, "
        f"p95 {p95(analysis_added) * 1e3:.2f} ms (analyse + store MessageAnalysis + lift risk)"
    )
    general = general_tweets(args.data_dir)
    if general and isinstance(analyzer, DefaultAnalyzer):
        print(
            f"general tweets ({len(general):,}, TweetEval sentiment val), batches of 256: "
            f"{batched_rate(analyzer.analyze, general):,.0f} msg/s within the encoder's budget, "
            f"{batched_rate(analyzer.analyze_complete, general):,.0f} with none"
        )
    if len(refine) >= 2:
        print(
            f"re-read by the encoder later:  {len(refine)} of {len(store_only):,} messages; job "
            f"p50 "
            f"{statistics.median(refine) * 1e3:.2f} ms, p95 {p95(refine) * 1e3:.2f} ms"
        )


if __name__ == "__main__":
    main()
