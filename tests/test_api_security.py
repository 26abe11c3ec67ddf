"""The API under attack, over real HTTP against a real `betacontent serve` process.

Requests are sent as raw bytes on a socket, so nothing normalises the path on the way:
traversal, encodings, NUL, backslashes, absolute URLs and overlong paths in every path
parameter answer 400 or 404, and huge headers 431; a canary file next to the site never shows
up in any answer. Every answer carries the security headers, and no published page hands a
frontend executable content (pages with BC307 content are withheld).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from betacontent.kramdown.links import script_url
from betacontent.serve.api_headers import DOCS_CSP, JSON_CSP, SCALAR_JS
from live_server import running_server
from test_serve import Server

ROOT = Path(__file__).resolve().parent.parent
SEED_URL = "/devenir-intrapreneur/decouvrir-le-role-d-intrapreneur"
CANARY = "CANARY-7f3a9c-never-served"
PREFIXES = [  # one per path parameter of the API
    "/api/pages/",
    "/api/phases/",
    "/api/collections/",
    "/api/collections/phases/",
    "/api/data/",
]

# Raw HTML a page may hold, and whether BC307 must withhold it.
UNSAFE = {
    "script": '<script>alert("x")</script>',
    "script-mixed-case": "<ScRiPt>alert(1)</ScRiPt>",
    "handler": '<a href="/" onclick="alert(1)">Accueil</a>',
    "handler-svg": '<svg onload="alert(1)"></svg>',
    "markdown-javascript": "[Ouvrir](javascript:alert(1))",
    "html-javascript": '<a href="javascript:alert(1)">Ouvrir</a>',
    "javascript-entities": '<a href="&#x6A;ava&#115;cript:alert(1)">Ouvrir</a>',
    "javascript-tab": '<a href="java\tscript:alert(1)">Ouvrir</a>',
    "vbscript": "[Ouvrir](vbscript:msgbox)",
    "form-action": '<form action="javascript:alert(1)"><button>Envoyer</button></form>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "data-html": '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
}
SAFE_HTML = '<div class="encadre"><p>Texte <em>brut</em>, écrit à la main.</p></div>'


def _page(slug: str, title: str, body: str) -> str:
    return (
        f"---\ntitle: {title}\npermalink: /essais/{slug}/\nbreadcrumbs:\n"
        f"  - title: Accueil\n    link: /\n  - title: {title}\n    link: /essais/{slug}/\n"
        f"---\n\nUn paragraphe.\n\n{body}\n"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("attack")
    site = work / "site"
    shutil.copytree(ROOT / "content", site)
    for name in ("canary.txt", "canary.yml", "_config.yml"):
        (work / name).write_text(f"---\ntitle: {CANARY}\n---\nsecret: {CANARY}\n", "utf-8")
    (work / "canary.md").write_text(_page("fuite", CANARY, CANARY), "utf-8")
    (site / "_pages" / "fuite.md").symlink_to(work / "canary.md")
    (site / "_data" / "fuite.yml").symlink_to(work / "canary.yml")
    for slug, body in UNSAFE.items():
        (site / "_pages" / f"essai-{slug}.md").write_text(_page(slug, slug, body), "utf-8")
    (site / "_pages" / "essai-brut.md").write_text(_page("brut", "brut", SAFE_HTML), "utf-8")
    with running_server(site, work) as running:
        yield running


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(server: Server, head: bytes, timeout: float = 10) -> Answer:
    """Send a request's bytes as they are; read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as connection:
        with contextlib.suppress(ConnectionError):  # it may answer before reading it all
            connection.sendall(head)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(65536):
                chunks.append(chunk)
    data = b"".join(chunks)
    head_part, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head_part.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body)


def raw_get(server: Server, target: bytes, extra: bytes = b"") -> Answer:
    return raw_request(
        server,
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + extra
        + b"Connection: close\r\n\r\n",
    )


def _payloads(work: Path) -> dict[str, str]:
    """Path parameter values, written as sent on the wire."""
    absolute = str(work / "canary.txt")
    return {
        "dot-dot": "../../canary.txt",
        "dot-dot-deep": "../" * 12 + "etc/passwd",
        "dot-dot-config": "../_config.yml",
        "encoded-dots": "%2e%2e/%2e%2e/canary.txt",
        "encoded-dots-upper": "%2E%2E/%2E%2E/canary.txt",
        "encoded-slash": "..%2f..%2fcanary.txt",
        "encoded-dots-and-slash": "%2e%2e%2f%2e%2e%2fcanary.txt",
        "double-encoded": "%252e%252e%252fcanary.txt",
        "overlong-utf8-dot": "%c0%ae%c0%ae/%c0%ae%c0%ae/canary.txt",
        "backslash": "..\\..\\canary.txt",
        "encoded-backslash": "..%5c..%5ccanary.txt",
        "nul": "%00",
        "nul-suffix": "canary.txt%00.md",
        "nul-middle": "index%00/../../canary.txt",
        "dot-dot-semicolon": "..;/..;/canary.txt",
        "dot-dot-dot-dot": "....//....//canary.txt",
        "absolute-url": "http://evil/",
        "absolute-url-https": "https://evil.example/canary.txt",
        "absolute-url-encoded": "http:%2f%2fevil%2fcanary.txt",
        "file-url": "file:///etc/passwd",
        "double-slash": "/canary.txt",
        "double-slash-host": "//evil/canary.txt",
        "absolute-path": absolute,
        "absolute-path-encoded": absolute.replace("/", "%2f"),
        "overlong-10k": "a" * 10_240,
        "overlong-dot-dot-10k": "../" * 3_414,
    }


@pytest.fixture(scope="module")
def payloads(server: Server) -> dict[str, str]:
    return _payloads(server.site.parent)


PAYLOAD_NAMES = sorted(_payloads(Path("/tmp/x")))


def _assert_refused(answer: Answer, what: str) -> None:
    assert answer.status in (400, 404), f"{what}: {answer.status} {answer.body[:200]!r}"
    assert CANARY.encode() not in answer.body, what
    assert b"root:" not in answer.body, what
    if answer.body:  # granian's own 400 (a request it cannot parse) has none
        assert answer.headers["content-type"].startswith("application/problem+json"), what


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("payload", PAYLOAD_NAMES)
def test_traversal_and_injection_in_path_parameters(
    server: Server, payloads: dict[str, str], prefix: str, payload: str
) -> None:
    target = (prefix + payloads[payload]).encode()
    _assert_refused(raw_get(server, target), f"GET {target[:80]!r}")


@pytest.mark.parametrize(
    "target",
    [
        b"http://evil.example/api/pages/../../canary.txt",  # absolute-form request target
        b"//api/pages/../../canary.txt",
        b"/api/../../canary.txt",
        b"/%2e%2e/%2e%2e/canary.txt",
        b"/api/pages/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        b"/" + b"a" * 10_240,
    ],
)
def test_traversal_outside_the_routes(server: Server, target: bytes) -> None:
    _assert_refused(raw_get(server, target), f"GET {target[:80]!r}")


def test_a_symlink_out_of_the_site_is_not_served(server: Server) -> None:
    for path in ("/api/pages/essais/fuite/", "/api/data/fuite", "/api/pages?limit=1000"):
        assert CANARY not in _fetch(server, "GET", path).text, path


@pytest.mark.parametrize(
    ("label", "headers"),
    [
        ("one 64 KiB header", b"X-Big: " + b"a" * 65_536 + b"\r\n"),
        ("a 64 KiB cookie", b"Cookie: c=" + b"a" * 65_536 + b"\r\n"),
        ("200 small headers", b"".join(b"X-H%d: v\r\n" % i for i in range(200))),
        ("1 MiB of headers", b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 8_000) for i in range(128))),
    ],
)
def test_huge_headers_answer_431(server: Server, label: str, headers: bytes) -> None:
    answer = raw_get(server, b"/api/pages" + SEED_URL.encode(), headers)
    assert answer.status == 431, label
    assert CANARY.encode() not in answer.body


def test_headers_under_the_limit_are_served(server: Server) -> None:
    answer = raw_get(
        server, b"/api/pages" + SEED_URL.encode(), b"Cookie: c=" + b"a" * 8_000 + b"\r\n"
    )
    assert answer.status == 200


# --- headers --------------------------------------------------------------------------------


def _fetch(server: Server, method: str, path: str, **options: Any) -> httpx.Response:
    return httpx.request(method, server.base + path, timeout=10, **options)


ANSWERS = [
    ("GET", "/health", 200),
    ("GET", "/api/pages", 200),
    ("GET", "/api/pages" + SEED_URL, 200),
    ("HEAD", "/api/pages" + SEED_URL, 200),
    ("GET", "/api/pages/nope", 404),
    ("GET", "/api/pages?limit=0", 400),
    ("GET", "/api/pages/essais/script/", 404),
    ("DELETE", "/api/pages" + SEED_URL, 405),
    ("GET", "/nothing-here", 404),
    ("GET", "/schema/openapi.json", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_json_answers_forbid_everything(
    server: Server, method: str, path: str, status: int
) -> None:
    response = _fetch(server, method, path)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == JSON_CSP
    assert response.headers["server"] == "betacontent"  # granian's own, and no version


def test_not_modified_carries_the_headers_too(server: Server) -> None:
    etag = _fetch(server, "GET", "/api/phases").headers["etag"]
    response = _fetch(server, "GET", "/api/phases", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r"\d", response.headers["server"])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_in: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.text_in[self._open] = self.text_in.get(self._open, "") + data.strip()


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


@pytest.mark.parametrize("path", ["/schema", "/schema/scalar"])
def test_docs_page_policy_allows_exactly_its_one_script(server: Server, path: str) -> None:
    response = _fetch(server, "GET", path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == DOCS_CSP
    policy = _policy(DOCS_CSP)
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == [SCALAR_JS]  # no 'unsafe-inline', no 'unsafe-eval'
    page = _Tags()
    page.feed(response.text)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    loaded = [attrs for attrs in scripts if "src" in attrs]
    assert [attrs["src"] for attrs in loaded] == [SCALAR_JS]
    assert all(str(attrs.get("integrity", "")).startswith("sha384-") for attrs in loaded)
    inline = [attrs for attrs in scripts if "src" not in attrs]
    assert all(attrs.get("type") == "application/json" for attrs in inline)  # data, not code
    assert "script" not in page.text_in or not page.text_in["script"]
    assert not [tag for tag, _ in page.tags if tag in ("link", "style", "img", "iframe")]
    assert not [name for _, attrs in page.tags for name in attrs if name.startswith("on")]


# --- rendered HTML --------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(UNSAFE))
def test_page_with_unsafe_content_is_withheld(server: Server, slug: str) -> None:
    response = _fetch(server, "GET", f"/api/pages/essais/{slug}/")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "BC307" in response.json()["codes"]


def test_raw_html_passes_through_as_authored(server: Server) -> None:
    response = _fetch(server, "GET", "/api/pages/essais/brut/")
    assert response.status_code == 200
    assert SAFE_HTML in response.json()["html"]


def _executable(html: str) -> list[str]:
    """What in an HTML fragment a browser would run: script elements, event handlers,
    script URLs and inline documents, attribute values read as a browser reads them."""
    found = [m.group(0) for m in re.finditer(r"<\s*script|javascript:", html, re.I)]
    page = _Tags()
    page.feed(html)
    for tag, attrs in page.tags:
        if tag == "script":
            found.append("<script>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "srcdoc":
                found.append(f"{tag} {name}=")
            elif value and script_url(value):
                found.append(f"{tag} {name}={value}")
    return found


def test_no_published_document_holds_executable_content(server: Server) -> None:
    listing = _fetch(server, "GET", "/api/pages", params={"limit": 1000}).json()
    assert listing["total"] == len(listing["items"]) > 12  # the site's pages and the safe essay
    checked = 0
    for item in listing["items"]:
        page = _fetch(server, "GET", "/api/pages" + item["url"])
        assert page.status_code == 200, item["url"]
        assert _executable(page.json()["html"]) == [], item["url"]
        checked += 1
    for name in ("phases",):
        for document in _fetch(server, "GET", f"/api/collections/{name}").json()["items"]:
            one = _fetch(server, "GET", f"/api/collections/{name}/{document['slug']}")
            assert _executable(one.json()["html"]) == [], document["slug"]
            checked += 1
    assert checked >= 17


def test_executable_finds_what_a_browser_runs() -> None:
    assert _executable(SAFE_HTML) == []
    for body in UNSAFE.values():
        if not body.startswith("["):  # Markdown links are HTML once rendered
            assert _executable(body), body
