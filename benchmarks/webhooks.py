"""Webhook answer time: a signed platform delivery in, a 2xx out, through the real server.

Starts ``rippledesk serve --no-worker`` (waitress, the production server) on a fresh database,
connects a Twilio SMS account, then POSTs signed SMS webhooks over loopback, one at a time and
from several threads at once, and reports the client-observed time to the answer (p50, p95,
p99, max). The worker is off, so what is measured is exactly the request path the issue bounds:
verify, store the raw event, queue its job, answer. Target: 2xx within 100 ms.

Usage: .venv/bin/python benchmarks/webhooks.py [--requests 1000] [--threads 4]
       (DATABASE_URL=postgres://... to measure on PostgreSQL)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "rippledesk"
TOKEN = "bench-auth-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def sign(url: str, form: dict[str, str]) -> str:
    """Sign as Twilio would, with the product's own signature function."""
    from rippledesk.channels.connectors.twilio_sms.adapter import signature  # noqa: PLC0415

    return signature(TOKEN, url, {k: [v] for k, v in form.items()})


def post(url: str, index: int) -> float:
    form = {
        "MessageSid": f"SMbench{index:08d}",
        "From": f"+1555{index % 9973:07d}",
        "To": "+15005550006",
        "Body": f"Where is order {index}?",
    }
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, form),
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"answer {response.status}")
    return (time.perf_counter() - started) * 1000


def summary(label: str, times: list[float]) -> str:
    ordered = sorted(times)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    middle = f"p50 {statistics.median(times):6.1f} ms  p95 {pick(0.95):6.1f} ms"
    tail = f"p99 {pick(0.99):6.1f} ms  max {ordered[-1]:6.1f} ms"
    return f"{label:28} n={len(times):5}  {middle}  {tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="rd-hooks-")
    env = {**os.environ, "RIPPLEDESK_DATA_DIR": data, "RIPPLEDESK_JOBS": "database"}
    os.environ.update(RIPPLEDESK_DATA_DIR=data, DJANGO_SETTINGS_MODULE="rippledesk.settings")
    django.setup()
    run(env, "migrate", "-v0")
    port = free_port()
    out = run(
        env,
        "channel",
        "add",
        "sms",
        "--name",
        "+15005550006",
        "--workspace",
        "bench",
        "--config",
        "account_sid=AC" + "0" * 32,
        "--config",
        f"auth_token={TOKEN}",
        "--config",
        "from_number=+15005550006",
        "--skip-check",
        "--base-url",
        f"http://127.0.0.1:{port}",
    )
    url = out.strip().splitlines()[-1].split("Webhook URL: ")[1]
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        for i in range(20):  # warm-up
            post(url, 10_000_000 + i)
        one = [post(url, i) for i in range(args.requests)]
        parallel: list[float] = []
        lock = threading.Lock()

        def worker(offset: int) -> None:
            mine = [
                post(url, 1_000_000 + offset * args.requests + i)
                for i in range(args.requests // args.threads)
            ]
            with lock:
                parallel.extend(mine)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(f"webhook answer time, {backend}, Twilio SMS, worker off")
        print(summary("one at a time", one))
        print(summary(f"{args.threads} concurrent senders", parallel))
        over = sum(1 for t in one + parallel if t > 100)
        print(f"answers over 100 ms: {over} of {len(one) + len(parallel)}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
