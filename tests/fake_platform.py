"""A scripted HTTP server on 127.0.0.1 standing in for a platform's API in tests.

Each request gets the next scripted ``(status, json_body)`` (the last one repeats); every
request is recorded with its path, headers and form fields, so tests can count real posts.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]
    body: str


@dataclass
class FakePlatform:
    script: list[tuple[int, dict[str, Any]]]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def next_answer(self) -> tuple[int, dict[str, Any]]:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@contextmanager
def fake_platform(*script: tuple[int, dict[str, Any]]) -> Iterator[FakePlatform]:
    platform = FakePlatform(list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            with lock:
                platform.requests.append(
                    Recorded(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        urllib.parse.parse_qs(body),
                        body,
                    )
                )
                status, answer = platform.next_answer()
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
