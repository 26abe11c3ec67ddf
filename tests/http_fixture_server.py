"""A local HTTP server with misbehaving routes, for the external link checker's tests.

It runs `http.server.ThreadingHTTPServer` in a thread on 127.0.0.1 and a free port, and records
every request (method, path, start time) and the most requests it served at once.

Routes (the query string is ignored for routing, but "once" routes count per full path):
    /ok                 200
    /slowish            200 after 0.1 s (to measure concurrency)
    /r301 -> /r302 -> /ok
    /loop-a <-> /loop-b
    /404, /410          that status, to HEAD and GET
    /head-405           405 to HEAD, 200 to GET
    /head-404           404 to HEAD, 200 to GET
    /429-once           429 with `Retry-After: 1` the first time, then 200
    /503-once           503 with `Retry-After: 1` the first time, then 200
    /429-always         429 without Retry-After
    /429-long           429 with `Retry-After: 120`
    /500                500
    /slow               200 after 2 s (or when the server stops)
    /drop               closes the connection without answering
    /challenge          403 with `cf-mitigated: challenge`
    /to-mailto          302 to mailto:someone@example.org
    /bad-location       302 to http://[bad
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

REDIRECTS = {
    "/r301": (301, "/r302"),
    "/r302": (302, "/ok"),
    "/loop-a": (302, "/loop-b"),
    "/loop-b": (302, "/loop-a"),
    "/to-mailto": (302, "mailto:someone@example.org"),
    "/bad-location": (302, "http://[bad"),
}


@dataclass
class Stats:
    """What a server (or several sharing this object) saw."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[str, str, float]] = field(default_factory=list)
    active: int = 0
    max_active: int = 0

    def count(self, path: str, method: str | None = None) -> int:
        return sum(
            1 for m, p, _ in self.requests if urlsplit(p).path == path and method in (None, m)
        )

    def methods(self, path: str) -> list[str]:
        return [m for m, p, _ in self.requests if urlsplit(p).path == path]

    def starts(self) -> list[float]:
        return sorted(t for _, _, t in self.requests)


class FixtureServer:
    def __init__(self, stats: Stats | None = None, slow: float = 2.0) -> None:
        self.stats = stats or Stats()
        self.slow = slow
        self.stopping = threading.Event()
        self.seen: Counter[str] = Counter()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            counted = False

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(body=False)

            def do_GET(self) -> None:
                self._serve(body=True)

            def _serve(self, body: bool) -> None:
                stats = server.stats
                with stats.lock:
                    stats.requests.append((self.command, self.path, time.monotonic()))
                    stats.active += 1
                    stats.max_active = max(stats.max_active, stats.active)
                    server.seen[self.path] += 1
                    first = server.seen[self.path] == 1
                self.counted = True
                try:
                    self._route(urlsplit(self.path).path, body, first)
                except OSError:
                    pass  # the client gave up (timeout tests)
                finally:
                    self._done()

            def _done(self) -> None:
                # Before the answer is sent: once the client has it, it may start the next
                # request, which must not overlap this one in the count.
                if self.counted:
                    self.counted = False
                    with server.stats.lock:
                        server.stats.active -= 1

            def _answer(self, code: int, body: bool, headers: dict[str, str] | None = None) -> None:
                self._done()
                payload = f"{code}\n".encode()
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if body:
                    self.wfile.write(payload)

            def _route(self, path: str, body: bool, first: bool) -> None:
                head = not body
                if path in REDIRECTS:
                    code, target = REDIRECTS[path]
                    self._answer(code, body, {"Location": target})
                elif path in ("/ok", "/slowish"):
                    if path == "/slowish":
                        server.stopping.wait(0.1)
                    self._answer(200, body)
                elif path in ("/404", "/410", "/500"):
                    self._answer(int(path[1:]), body)
                elif path in ("/head-405", "/head-404"):
                    self._answer(int(path[-3:]) if head else 200, body)
                elif path in ("/429-once", "/503-once"):
                    code = int(path[1:4])
                    if first:
                        self._answer(code, body, {"Retry-After": "1"})
                    else:
                        self._answer(200, body)
                elif path == "/429-always":
                    self._answer(429, body)
                elif path == "/429-long":
                    self._answer(429, body, {"Retry-After": "120"})
                elif path == "/slow":
                    server.stopping.wait(server.slow)
                    self._answer(200, body)
                elif path == "/drop":
                    self.close_connection = True  # and nothing written: the socket is closed
                elif path == "/challenge":
                    self._answer(403, body, {"cf-mitigated": "challenge"})
                else:
                    self._answer(404, body)

        return Handler
