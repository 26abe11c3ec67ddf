"""The reference frontend (examples/frontend/) in a real browser: Debian's chromium driven by
playwright, against the real `betacontent serve` on 127.0.0.1.

The frontend is opened from a second origin (a static file server on another port, the API's
address in `?api=`), which only works through CORS, and once through `serve --frontend` on
the API's own origin. Screenshots of each view go to tests/artifacts/ for humans to look at.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from playwright.sync_api import BrowserContext, Page, Request, sync_playwright

from betacontent.cli.main import main
from betacontent.core.settings import LintConfig
from betacontent.serve import frontend as frontend_module
from betacontent.serve.api import create_app
from betacontent.serve.frontend import FRONTEND_ENV, FrontendNotFoundError, bundled_frontend
from betacontent.serve.published import load_published
from conftest import require_tool
from test_serve import SEED_URL, serve_process

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "examples" / "frontend"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
WAIT_MS = 15_000  # every browser wait is bounded
WEEKS_PER_MONTH = 52 / 12  # the conversion the legend states
WITHHELD_URL = "/startups/"  # broken in the served copy: a breadcrumb link to no page


# --- without a browser: where the frontend is, and the app serving it ------------------------


def test_the_checkout_provides_the_frontend() -> None:
    assert bundled_frontend() == FRONTEND
    vendored = FRONTEND / "vendor" / "dsfr"
    assert (vendored / "LICENSE.md").is_file() and (vendored / "VERSION.md").is_file()
    size = sum(path.stat().st_size for path in FRONTEND.rglob("*") if path.is_file())
    assert size < 2 * 1024 * 1024


def test_app_serves_the_frontend_beside_the_api() -> None:
    published = load_published(ROOT / "content", LintConfig())
    with TestClient(app=create_app(published, frontend=FRONTEND)) as client:
        index = client.get("/")
        script = client.get("/app.js")
        phases = client.get("/api/phases")
        missing = client.get("/api/nothing-here")
        health = client.get("/health")
    assert index.status_code == 200 and 'src="app.js"' in index.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert phases.status_code == 200 and len(phases.json()["phases"]) == 4
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert health.json()["status"] == "ok"


def test_app_without_a_frontend_serves_no_page_at_root() -> None:
    published = load_published(ROOT / "content", LintConfig())
    with TestClient(app=create_app(published)) as client:
        assert client.get("/").status_code == 404


def test_factory_refuses_a_frontend_folder_without_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETACONTENT_SITE", str(ROOT / "content"))
    monkeypatch.setenv(FRONTEND_ENV, str(tmp_path))
    with pytest.raises(FrontendNotFoundError, match=FRONTEND_ENV):
        create_app()


def test_serve_frontend_without_the_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frontend_module, "CANDIDATES", (tmp_path / "nowhere",))
    result = CliRunner().invoke(main, ["serve", str(ROOT / "content"), "--frontend"])
    assert result.exit_code == 2
    assert "--frontend" in result.output and "examples/frontend" in result.output


# --- servers and the browser -----------------------------------------------------------------


@dataclass
class Origins:
    api: str
    """The API, also serving the frontend (`serve --frontend`)."""
    frontend: str
    """The second origin: the same files from a plain static server."""

    def view(self, **query: str) -> str:
        """The frontend from the second origin, with the API's address."""
        pairs = "".join(f"&{key}={value}" for key, value in query.items())
        return f"{self.frontend}/index.html?api={self.api}{pairs}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def broken_site(work: Path) -> Path:
    site = work / "site"
    shutil.copytree(ROOT / "content", site)
    page = site / "_pages" / "startups.md"
    text = page.read_text("utf-8")
    assert "    link: /\n" in text
    page.write_text(text.replace("    link: /\n", "    link: /accueil-disparu\n", 1), "utf-8")
    return site


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Origins]:
    work = tmp_path_factory.mktemp("frontend")
    site = broken_site(work)
    handler = functools.partial(QuietHandler, directory=str(FRONTEND))
    static = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=static.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with serve_process(site, work, "--frontend") as server:
            assert "1 withheld" in server.output()
            assert f"frontend: {server.base}/" in server.output()
            yield Origins(server.base, f"http://127.0.0.1:{static.server_address[1]}")
    finally:
        static.shutdown()
        static.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    require_tool("chromium", "chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            locale="fr-FR",
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        tab.close()
    assert errors == [], f"JavaScript errors: {errors}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def api_json(origins: Origins, path: str) -> Any:
    return httpx.get(origins.api + path, timeout=5).json()


def page_param(href: str | None) -> str:
    """The `page` a frontend link leads to."""
    assert href is not None
    return parse_qs(urlsplit(href).query)["page"][0]


def open_page(page: Page, url: str, title: str) -> None:
    page.goto(url)
    page.locator("main[data-view=page] h1").filter(has_text=title).wait_for()


# --- the views -------------------------------------------------------------------------------


def test_seed_page_from_another_origin(page: Page, origins: Origins) -> None:
    document = api_json(origins, "/api/pages" + SEED_URL)
    api_requests: list[Request] = []
    page.on("request", lambda r: api_requests.append(r) if "/api/" in r.url else None)
    open_page(page, origins.view(page=SEED_URL), document["title"])

    crumbs = document["breadcrumbs"]
    items = page.locator(".fr-breadcrumb .fr-breadcrumb__link")
    assert items.all_inner_texts() == [c["title"] for c in crumbs]
    assert crumbs[0]["title"] == "Accueil" and crumbs[-1]["title"] == document["title"]
    for item, crumb in zip(items.all()[:-1], crumbs[:-1], strict=True):
        assert page_param(item.get_attribute("href")) == crumb["page"]["url"]
    last = items.last
    assert last.get_attribute("aria-current") == "page" and last.get_attribute("href") is None

    toc = page.locator(".fr-summary .fr-summary__link")
    assert toc.all_inner_texts() == [entry["text"] for entry in document["toc"]]
    for link, entry in zip(toc.all(), document["toc"], strict=True):
        assert link.get_attribute("href") == "#" + entry["id"]
        assert page.locator(f"[id='{entry['id']}']").count() == 1

    # the navigation, from /api/navigation, marks the page shown
    tree = api_json(origins, "/api/navigation")
    nav_links = page.locator("#navigation a[data-page]")
    assert nav_links.first.inner_text() == tree["title"]
    current = page.locator("#navigation a[aria-current=page]")
    assert current.get_attribute("data-page") == SEED_URL

    # every API call crossed origins, and the API allowed it
    assert {urlsplit(r.url).netloc for r in api_requests} == {urlsplit(origins.api).netloc}
    for request in api_requests:
        assert request.all_headers().get("origin") == origins.frontend
        response = request.response()
        assert response is not None and response.status == 200
        allowed = response.all_headers().get("access-control-allow-origin")
        assert allowed in ("*", origins.frontend)
    screenshot(page, "seed-page.png")


def test_click_through_to_phase_pages(page: Page, origins: Origins) -> None:
    seed = api_json(origins, "/api/pages" + SEED_URL)
    investigation = api_json(origins, "/api/pages/approche/investigation")
    construction = api_json(origins, "/api/pages/approche/construction")
    open_page(page, origins.view(page=SEED_URL), seed["title"])

    page.locator(".bc-page-content a[href$='page=/approche/investigation']").first.click()
    page.locator("main h1").filter(has_text=investigation["title"]).wait_for()
    assert page_param(page.url) == "/approche/investigation"
    crumbs = page.locator(".fr-breadcrumb .fr-breadcrumb__link").all_inner_texts()
    assert crumbs == [c["title"] for c in investigation["breadcrumbs"]]

    # through the navigation menu, which closes behind the click
    button = page.locator("#navigation .fr-nav__btn").filter(has_text="L'approche")
    button.click()
    page.locator("#navigation a[data-page='/approche/construction']").click()
    page.locator("main h1").filter(has_text=construction["title"]).wait_for()
    assert page_param(page.url) == "/approche/construction"
    assert button.get_attribute("aria-current") == "true"
    screenshot(page, "phase-page.png")

    page.go_back()
    page.locator("main h1").filter(has_text=investigation["title"]).wait_for()


def test_search_as_you_type(page: Page, origins: Origins) -> None:
    seed = api_json(origins, "/api/pages" + SEED_URL)
    expected = api_json(origins, "/api/search?q=role")
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/api/search" in r.url else None)
    page.clock.install()  # the debounce's timers run only when the test says so
    open_page(page, origins.view(page=SEED_URL), seed["title"])

    page.locator("#recherche-input").press_sequentially("role")
    assert searches == []  # typing alone sends nothing: the debounce holds it
    page.clock.run_for(2_000)
    page.locator("main[data-view=recherche]").wait_for()
    assert [parse_qs(urlsplit(url).query)["q"] for url in searches] == [["role"]]

    results = page.locator(".bc-results h2 a")
    assert results.count() == len(expected["items"]) > 0
    hrefs = [page_param(link.get_attribute("href")) for link in results.all()]
    assert hrefs == [item["url"] for item in expected["items"]]
    assert hrefs[0] == SEED_URL and results.first.inner_text() == seed["title"]
    assert page.locator(".bc-results mark").count() > 0
    assert parse_qs(urlsplit(page.url).query)["q"] == ["role"]
    screenshot(page, "search.png")

    results.first.click()
    page.locator("main[data-view=page] h1").filter(has_text=seed["title"]).wait_for()


def test_timeline_to_scale(page: Page, origins: Origins) -> None:
    programme = api_json(origins, "/api/phases")
    phases = sorted(programme["phases"], key=lambda p: p["order"])
    page.goto(origins.view(vue="programme"))
    page.locator("main[data-view=programme] svg rect.bc-phase").first.wait_for()

    rects = page.locator("svg rect.bc-phase").all()
    assert [r.get_attribute("data-slug") for r in rects] == [p["slug"] for p in phases]
    assert len(rects) == 4
    x = [float(r.get_attribute("x") or "nan") for r in rects]
    widths = [float(r.get_attribute("width") or "nan") for r in rects]
    assert all(a + w == pytest.approx(b) for a, w, b in zip(x, widths, x[1:], strict=False))

    def months(count: int, unit: str) -> float:
        return count / WEEKS_PER_MONTH if unit == "week" else float(count)

    spans = [months(p["duration"]["max"], p["duration"]["unit"]) for p in phases]
    for width, span in zip(widths, spans, strict=True):
        assert width / sum(widths) == pytest.approx(span / sum(spans), rel=1e-9)
    rendered = [r.bounding_box() for r in rects]
    assert all(box is not None for box in rendered)
    drawn = [box["width"] for box in rendered if box is not None]
    assert drawn[1] / drawn[0] == pytest.approx(spans[1] / spans[0], rel=0.01)

    # the investment committee, every N months from the start
    committee = programme["investment_committee"]
    every = months(committee["every"], committee["unit"])
    expected = [every * k for k in range(1, 100) if every * k < sum(spans)]
    marks = page.locator("svg g.bc-comite").all()
    assert [float(m.get_attribute("data-months") or "nan") for m in marks] == expected
    start, length = x[0], sum(widths)
    for mark, month in zip(marks, expected, strict=True):
        line_x = float(mark.locator("line").get_attribute("x1") or "nan")
        assert (line_x - start) / length == pytest.approx(month / sum(spans), rel=1e-9)

    caption = page.locator(".bc-timeline figcaption").inner_text()
    assert "durée maximale" in caption and "comité d’investissement" in caption
    screenshot(page, "timeline.png")

    page.locator("svg a.bc-phase-link").nth(1).click()
    title = api_json(origins, "/api/pages" + phases[1]["page"]["url"])["title"]
    page.locator("main[data-view=page] h1").filter(has_text=title).wait_for()


def test_withheld_page_shows_the_alert(page: Page, origins: Origins) -> None:
    answer = httpx.get(origins.api + "/api/pages" + WITHHELD_URL, timeout=5)
    assert answer.status_code == 404
    problem = answer.json()
    assert problem["codes"]
    page.goto(origins.view(page=WITHHELD_URL))
    alert = page.locator("main[data-view=erreur] .fr-alert")
    alert.wait_for()
    assert "fr-alert--warning" in (alert.get_attribute("class") or "")
    assert alert.locator(".fr-alert__title").inner_text().startswith("Page retenue")
    assert alert.locator(".bc-codes code").all_inner_texts() == problem["codes"]
    assert problem["detail"] in alert.inner_text()
    screenshot(page, "withheld-page.png")


def test_unknown_page_shows_the_alert(page: Page, origins: Origins) -> None:
    page.goto(origins.view(page="/nulle-part"))
    alert = page.locator("main[data-view=erreur] .fr-alert--error")
    alert.wait_for()
    assert alert.locator(".fr-alert__title").inner_text() == "Page introuvable"
    assert alert.get_attribute("data-status") == "404"
    assert "/nulle-part" in alert.inner_text()
    screenshot(page, "not-found.png")


def test_same_origin_through_serve_frontend(page: Page, origins: Origins) -> None:
    document = api_json(origins, "/api/pages" + SEED_URL)
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    open_page(page, f"{origins.api}/?page={SEED_URL}", document["title"])
    assert hosts == {urlsplit(origins.api).netloc}
    crumbs = page.locator(".fr-breadcrumb .fr-breadcrumb__link").all_inner_texts()
    assert crumbs == [c["title"] for c in document["breadcrumbs"]]
    assert page.locator("#api-base").inner_text() == origins.api
    assert page.locator("#navigation a[data-page]").count() > 1
    screenshot(page, "same-origin.png")
