"""Fresh, throw-away databases for ``ingest.py``, one per measured run, and the machine facts.

SQLite (always): a new ``RIPPLEDESK_DATA_DIR`` temp dir per run, so the product's own settings
(WAL, ``synchronous=NORMAL``) apply. PostgreSQL (only when ``DATABASE_URL`` is set): a new
database ``rdbench_<pid>_<n>`` created on that server per run and dropped afterwards; the
server's own database is never written to.
"""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent

_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM conversations_message), "
    "(SELECT COUNT(*) FROM conversations_conversation)"
)


class Target(Protocol):
    """One fresh database: where the CLI and the bare script write, and what they stored."""

    def env(self) -> dict[str, str]: ...

    def bare_location(self) -> str: ...

    def counts(self) -> tuple[int, int]:
        """(messages, conversations) stored by the product."""
        ...

    def close(self) -> None: ...


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("RIPPLEDESK_DATA_DIR", None)
    return env


class SqliteTarget:
    def __init__(self, parent: Path, tag: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"{tag}-", dir=parent))

    def env(self) -> dict[str, str]:
        return {**_base_env(), "RIPPLEDESK_DATA_DIR": str(self.dir)}

    def bare_location(self) -> str:
        return str(self.dir / "bare.sqlite3")

    def counts(self) -> tuple[int, int]:
        connection = sqlite3.connect(self.dir / "rippledesk.sqlite3")
        try:
            messages, conversations = connection.execute(_COUNTS).fetchone()
        finally:
            connection.close()
        return int(messages), int(conversations)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresTarget:
    _made = 0

    def __init__(self, server_url: str) -> None:
        PostgresTarget._made += 1
        parts = urlsplit(server_url)
        # CREATE/DROP DATABASE run from the maintenance database, which always exists.
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.name = f"rdbench_{os.getpid()}_{PostgresTarget._made}"
        with _connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {self.name}")
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def env(self) -> dict[str, str]:
        return {**_base_env(), "DATABASE_URL": self.url}

    def bare_location(self) -> str:
        return self.url

    def counts(self) -> tuple[int, int]:
        with _connect(self.url) as connection:
            row = connection.execute(_COUNTS).fetchone()
        return int(row[0]), int(row[1])

    def close(self) -> None:
        with _connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def _connect(url: str, autocommit: bool = False) -> Any:
    import psycopg  # noqa: PLC0415 - needed (and installed) only where PostgreSQL is measured

    return psycopg.connect(url, autocommit=autocommit)


def postgres_version(url: str) -> str:
    with _connect(urlunsplit(urlsplit(url)._replace(path="/postgres"))) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0])


def machine(postgres_url: str) -> dict[str, Any]:
    """What the numbers were measured on, including how busy the machine was at the start."""
    info = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (info.read_text().splitlines() if info.exists() else [])
        if line.startswith("model name")
    ]
    git = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        check=False,
        capture_output=True,
        text=True,
    )
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
        check=False,
        capture_output=True,
        text=True,
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": models[0] if models else platform.processor() or "unknown",
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": _version("django"),
        "postgresql": postgres_version(postgres_url) if postgres_url else None,
        "loadavg_1_5_15_before": list(os.getloadavg()),
        "git_commit": git.stdout.strip(),
        "src_modified": bool(dirty.stdout.strip()),
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
