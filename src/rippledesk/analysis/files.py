"""Analysis of CSV and JSONL files, for ``rippledesk analyze``.

One JSON object goes out per input row, in input order, including rows that could not be read
(they carry ``error`` and ``line`` instead of labels), so the output lines up with the input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from rippledesk.analysis.pii import redact
from rippledesk.analysis.pipeline import Analyzer
from rippledesk.analysis.types import Analysis, MessageContext, Visibility
from rippledesk.channels.imports.csvfile import CsvReader
from rippledesk.core.progress import Progress


@dataclass(frozen=True)
class FileRow:
    line: int
    text: str | None
    context: MessageContext
    error: str | None = None


@dataclass(frozen=True)
class FileOptions:
    text_column: str
    followers_column: str | None = None
    visibility: Visibility = "public_post"
    redact_text: bool = False
    encoding: str = "utf-8"
    batch_size: int = 512
    # Re-read every doubtful text with the sentiment encoder, past the batch budget
    # (``cascade.py``): best quality, slower on general social posts.
    complete: bool = False


def _audience(raw: Any) -> int | None:
    try:
        value = int(float(raw))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def _csv_rows(path: Path, options: FileOptions) -> Iterator[FileRow]:
    required = [options.text_column] + (
        [options.followers_column] if options.followers_column else []
    )
    reader = CsvReader(path, required, options.encoding)
    reported = 0
    for record in reader:
        while reported < len(reader.problems):
            problem = reader.problems[reported]
            reported += 1
            yield FileRow(problem.line, None, MessageContext(), problem.message)
        audience = (
            _audience(record.values[options.followers_column]) if options.followers_column else None
        )
        context = MessageContext(visibility=options.visibility, audience=audience)
        yield FileRow(record.line, record.values[options.text_column], context)
    for problem in reader.problems[reported:]:
        yield FileRow(problem.line, None, MessageContext(), problem.message)


def _jsonl_rows(path: Path, options: FileOptions) -> Iterator[FileRow]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw.decode(options.encoding))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield FileRow(number, None, MessageContext(), f"not a JSON object ({exc})")
                continue
            if not isinstance(item, dict):
                yield FileRow(number, None, MessageContext(), "not a JSON object")
                continue
            text = item.get(options.text_column)
            if not isinstance(text, str):
                message = f"field {options.text_column!r} is missing or not a string"
                yield FileRow(number, None, MessageContext(), message)
                continue
            audience = (
                _audience(item.get(options.followers_column)) if options.followers_column else None
            )
            context = MessageContext(visibility=options.visibility, audience=audience)
            yield FileRow(number, text, context)


def read_rows(path: Path, options: FileOptions) -> Iterator[FileRow]:
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _jsonl_rows(path, options)
    return _csv_rows(path, options)


def _as_json(row: FileRow, result: Analysis | None, options: FileOptions) -> dict[str, Any]:
    if result is None:
        return {"line": row.line, "analysable": False, "error": row.error}
    text = row.text or ""
    out: dict[str, Any] = {"line": row.line, **asdict(result)}
    out["pii"] = [{**asdict(span), "text": text[span.start : span.end]} for span in result.pii]
    if options.redact_text:
        out["text"] = redact(text, result.pii)
    return out


@dataclass
class FileSummary:
    rows: int = 0
    errors: int = 0
    not_analysable: int = 0
    # Rows whose sentiment is the fast model's because the batch's encoder budget ran out.
    provisional: int = 0


def analyze_file(
    path: Path, output: TextIO, analyzer: Analyzer, options: FileOptions
) -> FileSummary:
    summary = FileSummary()
    progress = Progress(0, "analysing")
    batch: list[FileRow] = []
    analyze = analyzer.analyze
    if options.complete:
        analyze = getattr(analyzer, "analyze_complete", analyzer.analyze)

    def flush() -> None:
        texts = [row.text for row in batch if row.text is not None]
        contexts = [row.context for row in batch if row.text is not None]
        results = iter(analyze(texts, contexts)) if texts else iter(())
        for row in batch:
            result = next(results) if row.text is not None else None
            if result is None:
                summary.errors += 1
            elif not result.analysable:
                summary.not_analysable += 1
            elif result.provisional:
                summary.provisional += 1
            output.write(json.dumps(_as_json(row, result, options), ensure_ascii=False) + "\n")
        summary.rows += len(batch)
        batch.clear()

    for row in read_rows(path, options):
        batch.append(row)
        if len(batch) >= options.batch_size:
            flush()
            progress.update(0, summary.rows)
    flush()
    progress.close()
    return summary
