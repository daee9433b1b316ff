"""Reading JSON Lines (one object per line) and JSON arrays as rows of named text values.

JSON Lines streams in constant memory and keeps exact line numbers; a JSON array is read whole
(use JSON Lines for large files). Values are turned into text the way a CSV export would show
them; a line that is not an object is a problem naming its line, and the rest still import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rippledesk.channels.imports.csvfile import CsvFileError, CsvProblem, CsvRecord


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class JsonReader:
    """Same shape as ``CsvReader``: iterate records, then read ``problems``."""

    def __init__(self, path: Path, required: list[str], encoding: str = "utf-8") -> None:
        self.path = path
        self.required = required
        self.encoding = encoding
        self.problems: list[CsvProblem] = []
        self.size = path.stat().st_size
        self._position = 0

    def position(self) -> int:
        return self._position

    def __iter__(self) -> Iterator[CsvRecord]:
        if self.path.suffix.lower() == ".json":
            yield from self._array()
        else:
            yield from self._lines()

    def _record(self, line: int, item: Any) -> CsvRecord | None:
        if not isinstance(item, dict):
            self.problems.append(CsvProblem(line, "not a JSON object"))
            return None
        missing = [name for name in self.required if name not in item]
        if missing:
            self.problems.append(CsvProblem(line, f"field(s) {', '.join(missing)} missing"))
            return None
        return CsvRecord(line, {str(k): _text(v) for k, v in item.items()})

    def _lines(self) -> Iterator[CsvRecord]:
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                self._position += len(raw)
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw.decode(self.encoding))
                except UnicodeDecodeError as error:
                    self.problems.append(
                        CsvProblem(number, f"not {self.encoding} (byte {error.start})")
                    )
                    continue
                except ValueError as error:
                    self.problems.append(CsvProblem(number, f"not JSON: {error}"))
                    continue
                record = self._record(number, item)
                if record is not None:
                    yield record

    def _array(self) -> Iterator[CsvRecord]:
        try:
            data = json.loads(self.path.read_bytes().decode(self.encoding))
        except (ValueError, UnicodeDecodeError) as error:
            raise CsvFileError(f"{self.path}: not a JSON array: {error}") from None
        if not isinstance(data, list):
            raise CsvFileError(f"{self.path}: expected a JSON array of objects")
        self._position = self.size
        for index, item in enumerate(data, start=1):
            record = self._record(index, item)
            if record is not None:
                yield record
