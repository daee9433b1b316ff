"""The triage simulation still runs on the bundled sample and ranks the policies sensibly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_triage_simulation_on_the_bundled_sample(tmp_path: Path) -> None:
    out = tmp_path / "triage.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RIPPLEDESK_DATA_DIR")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["RIPPLEDESK_SHARED_DATA"] = str(tmp_path / "absent")  # only the repository's sample
    argv = [sys.executable, str(REPO / "benchmarks" / "triage_sim.py"), "--json", str(out)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["source"] == "sample.csv"
    policies = report["policies"]
    assert set(policies) == {"fifo", "risk", "priority", "aged 1440"}
    fifo, risk, aged = policies["fifo"], policies["risk"], policies["aged 1440"]
    assert risk["riskiest_tenth_mean_min"] <= fifo["riskiest_tenth_mean_min"]
    assert aged["max_frt_min"] <= risk["max_frt_min"]
    assert report["tweets"] > 50
