"""Shared fixtures: temporary data files and running the real ``rippledesk`` commands."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str


def run_command(*args: str) -> CommandResult:
    """Run a rippledesk subcommand in-process, as the CLI would, and capture its outcome."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return CommandResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> object:
    return run_command


@pytest.fixture
def write_csv(tmp_path: Path) -> object:
    """Write text (or bytes) to a CSV file under tmp_path and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write
