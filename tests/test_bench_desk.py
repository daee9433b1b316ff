"""The desk-at-scale benchmark still runs: seeded at a tiny size, every case measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_desk_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "desk.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RIPPLEDESK_DATA_DIR")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    argv = [sys.executable, str(REPO / "benchmarks" / "desk.py"), "--messages", "2000"]
    argv += ["--conversations", "400", "--requests", "3", "--warmup", "1", "--out", str(out)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["sizes"] == {"messages": 2000, "conversations": 400}
    cases = {(r["role"], r["case"]) for r in report["results"] if "case" in r}
    for role in ("agent", "manager"):
        for case in ("inbox page 1", "inbox deep page", "search", "conversation page"):
            assert (role, case) in cases
    assert all(r["queries"] > 0 for r in report["results"] if "case" in r)
