"""A forgiving, streaming CSV reader that knows which line each record came from.

Exports in the wild have unclosed quotes, stray bytes in another encoding and rows with the
wrong number of fields. Python's ``csv`` module either stops at the first such row or silently
swallows the rest of the file into one field. This reader reports the bad record with its line
number and carries on with the physical line after the record's first one, so one broken quote
costs one row, not the rest of the file. Memory stays flat: only the current record is held.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# A single field larger than this is almost certainly an unclosed quote eating the file.
MAX_FIELD_CHARS = 1_000_000
csv.field_size_limit(MAX_FIELD_CHARS)

_SURROGATE = re.compile("[\udc80-\udcff]")


class CsvFileError(Exception):
    """The file as a whole cannot be read (missing, empty, no header, missing columns)."""


@dataclass(frozen=True, slots=True)
class CsvRecord:
    line: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    message: str


class _Lines:
    """Physical lines of a binary file, decoded, with their numbers and a push-back stack.

    ``csv.reader`` pulls lines through a generator (``__iter__``): resuming a generator costs
    a fraction of a Python ``__next__`` call, and this runs once per line of the file. Lines are
    checked for NUL and undecodable bytes here, once each, so records only look at fields when
    one of their lines was flagged.
    """

    def __init__(self, handle: BinaryIO, encoding: str) -> None:
        self.handle = handle
        self.encoding = encoding
        self.number = 0
        self.pushed: deque[tuple[int, str]] = deque()
        # (number, text) of the lines the current record was read from; cleared per record.
        self.consumed: list[tuple[int, str]] = []
        # Lines that were not valid in ``encoding``; only their records need a byte check.
        self.undecodable: set[int] = set()
        # Lines holding NUL characters, which PostgreSQL text cannot store.
        self.with_nul: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        # A fresh generator per reader: after a broken record the lines pushed back must be
        # served even if the previous reader's generator already met the end of the file.
        return self._generate()

    def _generate(self) -> Iterator[str]:
        consumed = self.consumed
        pushed = self.pushed
        readline = self.handle.readline
        encoding = self.encoding
        while True:
            if pushed:
                item = pushed.popleft()
            else:
                raw = readline()
                if not raw:
                    return
                self.number += 1
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError:
                    text = raw.decode(encoding, errors="surrogateescape")
                    self.undecodable.add(self.number)
                if "\x00" in text:
                    self.with_nul.add(self.number)
                item = (self.number, text)
            consumed.append(item)
            # Suspended only here, with no line half-read: abandoning it loses nothing.
            yield item[1]

    def push_back(self, items: list[tuple[int, str]]) -> None:
        self.pushed.extendleft(reversed(items))

    def tell(self) -> int:
        return self.handle.tell()


def _bad_bytes(values: list[str], header: list[str], encoding: str) -> str | None:
    for name, value in zip(header, values, strict=False):
        match = _SURROGATE.search(value)
        if match:
            byte = ord(match.group()) - 0xDC00
            return (
                f"column {name!r} has bytes that are not valid {encoding} "
                f"(0x{byte:02X} at character {match.start() + 1}); "
                "if the file uses another encoding, pass --encoding (e.g. cp1252)"
            )
    return None


class CsvReader:
    """Iterates the good records of a CSV file and collects problems for the bad ones."""

    def __init__(self, path: Path, required: list[str], encoding: str = "utf-8") -> None:
        self.path = path
        self.required = required
        self.encoding = encoding
        self.problems: list[CsvProblem] = []
        self.size = path.stat().st_size if path.exists() else 0
        self.header: list[str] = []
        self._lines: _Lines | None = None

    def position(self) -> int:
        """Bytes read so far, for progress bars; may be asked from another thread."""
        lines = self._lines
        if lines is None:
            return 0
        try:
            return lines.tell()
        except ValueError:  # the reading thread finished and closed the file
            return self.size

    def __iter__(self) -> Iterator[CsvRecord]:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise CsvFileError(f"{self.path}: cannot open ({exc.strerror})") from None
        with handle:
            if handle.read(3) != b"\xef\xbb\xbf":
                handle.seek(0)
            lines = _Lines(handle, self.encoding)
            self._lines = lines
            self.header = self._read_header(lines)
            yield from self._records(lines)

    def _read_header(self, lines: _Lines) -> list[str]:
        try:
            first = next(csv.reader(lines))
        except StopIteration:
            raise CsvFileError(f"{self.path}: the file is empty (no header line)") from None
        except csv.Error as exc:
            raise CsvFileError(f"{self.path}: line 1: cannot read the header ({exc})") from None
        header = [name.strip() for name in first]
        missing = [name for name in self.required if name not in header]
        if missing:
            raise CsvFileError(
                f"{self.path}: line 1: missing column(s) {', '.join(missing)}; "
                f"the header has: {', '.join(header) or '(nothing)'}"
            )
        return header

    def _records(self, lines: _Lines) -> Iterator[CsvRecord]:
        width = len(self.header)
        header = self.header
        # Records carry the columns the caller asked for only: a 15-column export read for
        # four of them built 15-entry dicts per row. A repeated name means its last column,
        # as a dict of the whole row would.
        last = {name: index for index, name in enumerate(header)}
        picks = [(name, last[name]) for name in dict.fromkeys(self.required)]
        consumed = lines.consumed
        undecodable = lines.undecodable
        with_nul = lines.with_nul
        while True:
            reader = csv.reader(lines, strict=True)
            while True:
                consumed.clear()
                try:
                    values = next(reader)
                except StopIteration:
                    if consumed:
                        self._broken(lines, "the file ends inside a quoted field (unclosed quote)")
                        break
                    return
                except csv.Error as exc:
                    self._broken(lines, f"malformed CSV ({exc})")
                    break
                start = consumed[0][0]
                if not values or values == [""]:
                    continue
                if len(values) != width:
                    if len(consumed) > 1:
                        self._broken(lines, f"{len(values)} fields where {width} were expected")
                        break
                    self.problems.append(
                        CsvProblem(start, f"{len(values)} fields where {width} were expected")
                    )
                    continue
                if undecodable and any(number in undecodable for number, _ in consumed):
                    bad = _bad_bytes(values, header, self.encoding)
                    if bad:
                        self.problems.append(CsvProblem(start, bad))
                        continue
                if with_nul and any(number in with_nul for number, _ in consumed):
                    # PostgreSQL text cannot hold NUL; keep a visible marker of what was there.
                    values = [value.replace("\x00", "\ufffd") for value in values]
                yield CsvRecord(start, {name: values[index] for name, index in picks})

    def _broken(self, lines: _Lines, reason: str) -> None:
        """Reject the record's first line and re-read the lines it swallowed."""
        consumed = lines.consumed
        start = consumed[0][0] if consumed else lines.number
        if len(consumed) > 1:
            reason += f"; probably broken quoting (the record ran to line {consumed[-1][0]})"
        self.problems.append(CsvProblem(start, reason))
        lines.push_back(consumed[1:])
