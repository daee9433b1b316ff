"""Typed environment readers refuse bad values with the variable's name."""

from __future__ import annotations

import io

import pytest

from rippledesk.core.progress import Progress
from rippledesk.settings.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    parse_database_url,
)


def test_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ConfigError, match="X_FLAG='perhaps' is not a boolean"):
        env_bool("X_FLAG", False)


def test_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_int("X_UNSET_NUMBER", 7) == 7
    monkeypatch.setenv("X_NUMBER", "12")
    assert env_int("X_NUMBER", 0) == 12
    monkeypatch.setenv("X_NUMBER", "twelve")
    with pytest.raises(ConfigError, match="X_NUMBER='twelve' is not an integer"):
        env_int("X_NUMBER", 0)
    monkeypatch.setenv("X_NUMBER", "-1")
    with pytest.raises(ConfigError, match="below the minimum of 0"):
        env_int("X_NUMBER", 0, minimum=0)


def test_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_database_urls() -> None:
    url = parse_database_url("DATABASE_URL", "postgres://desk:p%40ss@db.local:6543/rippledesk")
    assert (url.user, url.password, url.host, url.port, url.name) == (
        "desk",
        "p@ss",
        "db.local",
        "6543",
        "rippledesk",
    )
    with pytest.raises(ConfigError, match="must start with postgres://"):
        parse_database_url("DATABASE_URL", "mysql://x/y")
    with pytest.raises(ConfigError, match="no database name"):
        parse_database_url("DATABASE_URL", "postgres://host")
    with pytest.raises(ConfigError, match="port that is not a number"):
        parse_database_url("DATABASE_URL", "postgres://host:abc/db")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = Progress(1000, "reading", stream)
        bar.update(500, 10)
        bar.close()
    assert "reading [" in terminal.getvalue() and "100.0%" in terminal.getvalue()
    assert pipe.getvalue() == ""
