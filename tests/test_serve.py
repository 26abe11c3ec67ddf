"""`betacontent serve` as a real process on 127.0.0.1, fetched over HTTP with httpx."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_URL = "/devenir-intrapreneur/decouvrir-le-role-d-intrapreneur"
STARTUP_TIMEOUT = 30.0
RELOAD_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    site: Path
    base: str
    port: int
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")


def wait_until(check: object, timeout: float, what: str, server: Server) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited while waiting for {what}:\n{server.output()}")
        try:
            if callable(check) and check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{server.output()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("serve")
    site = work / "site"
    shutil.copytree(ROOT / "content", site)
    manifeste = site / "_pages" / "manifeste.md"  # an error: this page must be withheld
    manifeste.write_text(
        manifeste.read_text("utf-8").replace("layout:", "title: doublon\nlayout:", 1), "utf-8"
    )
    with serve_process(site, work, "--watch") as running:
        yield running


@contextmanager
def serve_process(site: Path, work: Path, *options: str) -> Iterator[Server]:
    """`betacontent serve SITE` on a free port, answering, stopped on exit; log in `work`."""
    port = free_port()
    log = work / f"server-{port}.log"
    command = [sys.executable, "-m", "betacontent", "serve", str(site), "--port", str(port)]
    with log.open("w") as stream:
        process = subprocess.Popen(
            [*command, *options], cwd=work, stdout=stream, stderr=subprocess.STDOUT, text=True
        )
    running = Server(site, f"http://127.0.0.1:{port}", port, process, log)
    try:
        wait_until(
            lambda: httpx.get(running.base + "/health", timeout=1).status_code == 200,
            STARTUP_TIMEOUT,
            "the server to answer",
            running,
        )
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_startup_line_names_the_url_and_the_lint_summary(server: Server) -> None:
    output = server.output()
    assert f"http://127.0.0.1:{server.port}/api/pages" in output
    assert "pages published, 1 withheld" in output and "; 1 error, " in output


def test_seed_page_with_its_breadcrumbs(server: Server) -> None:
    response = httpx.get(server.base + "/api/pages" + SEED_URL, timeout=5)
    assert response.status_code == 200
    page = response.json()
    assert [(c["title"], c["page"]["url"]) for c in page["breadcrumbs"]] == [
        ("Accueil", "/"),
        ("Devenir intrapreneur", "/devenir-intrapreneur"),
        ("Découvrir le rôle d'intrapreneur", SEED_URL),
    ]


def test_four_phases_with_their_durations(server: Server) -> None:
    phases = httpx.get(server.base + "/api/phases", timeout=5).json()["phases"]
    assert [(p["label"], p["duration"]["text"]) for p in phases] == [
        ("Investigation", "6 à 9 semaines"),
        ("Construction", "12 mois"),
        ("Accélération", "12 mois"),
        ("Transfert ou consolidation", "6 mois"),
    ]


def test_not_modified(server: Server) -> None:
    first = httpx.get(server.base + "/api/phases", timeout=5)
    again = httpx.get(
        server.base + "/api/phases", headers={"If-None-Match": first.headers["etag"]}, timeout=5
    )
    assert again.status_code == 304 and again.content == b""


def test_withheld_page_and_method_not_allowed(server: Server) -> None:
    withheld = httpx.get(server.base + "/api/pages/approche/manifeste", timeout=5)
    assert withheld.status_code == 404
    assert withheld.headers["content-type"].startswith("application/problem+json")
    assert withheld.json()["codes"] == ["BC102"]
    deleted = httpx.delete(server.base + "/api/pages" + SEED_URL, timeout=5)
    assert deleted.status_code == 405 and "GET" in deleted.headers["allow"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/pages/../../../../etc/passwd",
        "/api/pages/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/api/pages/..%2f..%2f..%2fetc%2fpasswd",
        "/api/pages/%2fetc%2fpasswd",
        "/api/data/..%2f..%2f_config",
        "/../../etc/passwd",
    ],
)
def test_traversal_attempts_never_read_a_file(server: Server, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path)  # sent as written: no client-side normalisation
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status in (400, 404)
    assert b"root:" not in body and b"baseurl" not in body


def test_hot_reload_swaps_the_site(server: Server) -> None:
    before = httpx.get(server.base + "/health", timeout=5).json()["generation"]
    page = server.site / "_pages" / "startups.md"
    text = page.read_text("utf-8")
    assert "Les startups d'État" in text
    page.write_text(text.replace("Les startups d'État", "Les startups d'État (mis à jour)", 2))

    def reloaded() -> bool:
        health = httpx.get(server.base + "/health", timeout=2).json()
        return bool(health["generation"] > before)

    wait_until(reloaded, RELOAD_TIMEOUT, "the reload", server)
    title = httpx.get(server.base + "/api/pages/startups/", timeout=5).json()["title"]
    assert title.endswith("(mis à jour)")
    assert "reloaded: generation" in server.output()
