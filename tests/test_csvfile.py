"""The forgiving CSV reader: line numbers, broken quoting recovery, odd bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rippledesk.channels.imports.csvfile import CsvFileError, CsvReader


def read(path: Path, required: list[str] | None = None) -> tuple[list[tuple[int, str]], list[str]]:
    reader = CsvReader(path, required or ["a"])
    good = [(record.line, record.values["a"]) for record in reader]
    return good, [f"{p.line}: {p.message}" for p in reader.problems]


def test_multiline_fields_report_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('a,b\n"one\ntwo",x\nthree,y\n')
    assert read(path)[0] == [(2, "one\ntwo"), (4, "three")]


def test_an_unclosed_quote_costs_one_row_not_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    lines = ["a,b", '"broken,1'] + [f"row{i},{i}" for i in range(50)]
    path.write_text("\n".join(lines) + "\n")
    good, problems = read(path)
    assert len(good) == 50 and good[0] == (3, "row0")
    assert len(problems) == 1 and problems[0].startswith("2: ")
    assert "broken quoting" in problems[0]


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert read(path)[0] == [(2, "1")]


def test_blank_lines_are_skipped_and_wrong_widths_named(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("a,b\n\n1,2\n1,2,3\n")
    good, problems = read(path)
    assert good == [(3, "1")]
    assert problems == ["4: 3 fields where 2 were expected"]


def test_huge_field_is_kept_when_well_formed(tmp_path: Path) -> None:
    body = "x" * 200_000
    path = tmp_path / "big.csv"
    path.write_text(f'a,b\n"{body}",1\nnext,2\n')
    good, problems = read(path)
    assert [line for line, _ in good] == [2, 3] and len(good[0][1]) == 200_000
    assert problems == []


def test_nul_bytes_and_control_characters_do_not_stop_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\nbad\x00value,1\nok\x07,2\n")
    good, problems = read(path)
    assert good == [(2, "bad\ufffdvalue"), (3, "ok\x07")]
    assert problems == []


def test_missing_file_and_header_problems(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="cannot open"):
        list(CsvReader(tmp_path / "absent.csv", ["a"]))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CsvFileError, match="empty"):
        list(CsvReader(empty, ["a"]))


def test_broken_quotes_inside_pushed_back_lines_cost_one_row_each(tmp_path: Path) -> None:
    path = tmp_path / "nested.csv"
    path.write_text('a,b\n"x,1\n"y,2\nok,3\n"z\nmore",4\n')
    good, problems = read(path)
    assert good == [(4, "ok"), (5, "z\nmore")]
    assert [p.split(":")[0] for p in problems] == ["2", "3"]


def test_nul_in_a_multi_line_record_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "nul2.csv"
    path.write_bytes(b'a,b\n"one\ntw\x00o",1\n')
    assert read(path)[0] == [(2, "one\ntw\ufffdo")]
