"""Every route of the API, through Litestar's TestClient, on the embedded site."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from betacontent.core.settings import LintConfig, ServeSettings, find_config, load_config
from betacontent.serve.api import create_app
from betacontent.serve.export import documents, export
from betacontent.serve.published import PublishedSite, load_published
from betacontent.serve.reload import Reloader

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED_URL = "/devenir-intrapreneur/decouvrir-le-role-d-intrapreneur"


def _config(root: Path) -> LintConfig:
    return load_config(find_config(root))


@pytest.fixture(scope="module")
def published() -> PublishedSite:
    return load_published(CONTENT, _config(CONTENT))


@pytest.fixture(scope="module")
def client(published: PublishedSite) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(published)) as test_client:
        yield test_client


def _json(response: Any) -> Any:
    return msgspec.json.decode(response.content)


def test_page_list_with_total_filters_sort_and_projection(
    client: TestClient[Litestar], published: PublishedSite
) -> None:
    everything = _json(client.get("/api/pages"))
    assert everything["total"] == len(published.pages) >= 12
    urls = [item["url"] for item in everything["items"]]
    assert urls == sorted(urls) and "/" in urls and SEED_URL in urls
    under = _json(client.get("/api/pages", params={"under": "/approche/"}))
    assert {i["url"] for i in under["items"]} >= {"/approche/investigation", "/approche/"}
    assert all(i["url"].startswith("/approche/") for i in under["items"])
    window = _json(client.get("/api/pages", params={"limit": 2, "offset": 1, "sort": "-url"}))
    assert window["total"] == everything["total"] and window["limit"] == 2
    assert [i["url"] for i in window["items"]] == sorted(urls, reverse=True)[1:3]
    projected = _json(client.get("/api/pages", params={"fields": "url,title"}))
    assert all(set(item) <= {"url", "title"} for item in projected["items"])
    layout = _json(client.get("/api/pages", params={"layout": "home"}))
    assert [i["url"] for i in layout["items"]] == ["/"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"fields": "url,nope"}, "fields"),
        ({"sort": "size"}, "sort"),
    ],
)
def test_bad_query_parameters_answer_400_naming_them(
    client: TestClient[Litestar], params: dict[str, str], parameter: str
) -> None:
    response = client.get("/api/pages", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _json(response)["parameter"] == parameter


def test_seed_page_document(client: TestClient[Litestar]) -> None:
    response = client.get("/api/pages" + SEED_URL)
    assert response.status_code == 200
    page = _json(response)
    assert page["title"] == "Découvrir le rôle d'intrapreneur"
    assert page["layout"] == "with-sidebar"
    assert [c["page"]["url"] for c in page["breadcrumbs"]] == [
        "/",
        "/devenir-intrapreneur",
        SEED_URL,
    ]
    assert page["breadcrumbs"][1]["page"]["title"] == "Devenir intrapreneur"
    assert page["markdown"].lstrip().startswith("beta.gouv.fr")
    assert "<h2 id=" in page["html"] and "{{" not in page["html"]
    assert page["toc"] and all("id" in entry for entry in page["toc"])
    targets = {link["target"]["url"] for link in page["links"] if link.get("target")}
    assert "/approche/investigation" in targets
    assert {"url": "/devenir-intrapreneur", "title": "Devenir intrapreneur"} in page["backlinks"]
    assert page["front_matter"]["permalink"] == SEED_URL


def test_page_found_as_the_server_finds_it(client: TestClient[Litestar]) -> None:
    canonical = client.get("/api/pages/approche/")
    assert canonical.status_code == 200
    for variant in ("/api/pages/approche", "/api/pages/approche/index.html"):
        response = client.get(variant)
        assert response.status_code == 200 and response.content == canonical.content
    home = client.get("/api/pages/")
    assert home.status_code == 200 and _json(home)["url"] == "/"
    children = {c["url"] for c in _json(canonical)["children"]}
    assert {"/approche/investigation", "/approche/transfert"} <= children


def test_redirect_answers_301_to_the_target(client: TestClient[Litestar]) -> None:
    response = client.get("/api/pages/approche/consolidation", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/api/pages/approche/transfert"


def test_etag_304_head_and_headers(client: TestClient[Litestar]) -> None:
    client.headers["Accept-Encoding"] = "identity"
    first = client.get("/api/pages" + SEED_URL)
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"]
    again = client.get("/api/pages" + SEED_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/pages" + SEED_URL, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200
    head = client.head("/api/pages" + SEED_URL)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    for response in (first, again, head, client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
    del client.headers["Accept-Encoding"]


def test_gzip_above_the_threshold_with_a_weak_etag(client: TestClient[Litestar]) -> None:
    plain = client.get("/api/pages" + SEED_URL, headers={"Accept-Encoding": "identity"})
    zipped = client.get("/api/pages" + SEED_URL, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"]
    assert zipped.content == plain.content  # httpx decodes; the bytes were gzip on the wire
    revalidated = client.get(
        "/api/pages" + SEED_URL,
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert revalidated.status_code == 304
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    with client.stream("GET", "/api/pages" + SEED_URL, headers={"Accept-Encoding": "gzip"}) as raw:
        wire = b"".join(raw.iter_raw())  # the bytes as sent, not decoded by the client
    assert len(wire) < len(plain.content) and gzip.decompress(wire) == plain.content


def test_other_methods_unknown_paths_and_traversal(client: TestClient[Litestar]) -> None:
    post = client.post("/api/pages" + SEED_URL)
    assert post.status_code == 405 and "GET" in post.headers["allow"]
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    for attempt in (
        "/api/pages/../../../etc/passwd",
        "/api/pages/%2e%2e/%2e%2e/etc/passwd",
        "/api/pages/..%2f..%2fpyproject.toml",
        "/api/pages//etc/passwd",
        "/api/pages/_config.yml",
        "/api/pages/..\\..\\pyproject.toml",
        "/api/pages/%00",
        "/api/data/../../pyproject",
    ):
        response = client.get(attempt)
        assert response.status_code in (400, 404), attempt
        assert b"root:" not in response.content and b"[project]" not in response.content


def test_cors_for_any_origin_exposes_the_etag(client: TestClient[Litestar]) -> None:
    response = client.get("/api/phases", headers={"Origin": "https://exemple.fr"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()


def test_navigation_tree(client: TestClient[Litestar]) -> None:
    tree = _json(client.get("/api/navigation"))
    assert tree["url"] == "/" and tree["title"] == "Accueil"
    by_url = {child["url"]: child for child in tree["children"]}
    assert {"/approche/", "/devenir-intrapreneur", "/startups/"} <= set(by_url)
    approche = {c["url"] for c in by_url["/approche/"]["children"]}
    assert {"/approche/investigation", "/approche/manifeste"} <= approche
    intrapreneur = {c["url"] for c in by_url["/devenir-intrapreneur"]["children"]}
    assert intrapreneur == {SEED_URL}


def test_phases_with_durations_and_committee(client: TestClient[Litestar]) -> None:
    programme = _json(client.get("/api/phases"))
    phases = programme["phases"]
    assert [p["slug"] for p in phases] == [
        "investigation",
        "construction",
        "acceleration",
        "transfert",
    ]
    first = phases[0]
    assert first["duration"] == {
        "min": 6,
        "max": 9,
        "unit": "week",
        "iso_min": "P6W",
        "iso_max": "P9W",
        "text": "6 à 9 semaines",
    }
    assert first["page"] == {"url": "/approche/investigation", "title": "Phase d'investigation"}
    assert [p["duration"]["iso_max"] for p in phases[1:]] == ["P12M", "P12M", "P6M"]
    assert phases[3]["duration"]["text"] == "6 mois"
    committee = programme["investment_committee"]
    assert committee["iso"] == "P6M" and committee["every"] == 6
    low, high = programme["total_min_months"], programme["total_max_months"]
    assert programme["total_text"] == (  # French decimal comma
        f"environ {low:g} à {high:g} mois".replace(".", ",")
    )
    assert "," in programme["total_text"]
    assert programme["total_min_months"] < programme["total_max_months"]
    one = _json(client.get("/api/phases/construction"))
    assert one["label"] == "Construction" and one["order"] == 2
    assert client.get("/api/phases/nope").status_code == 404


def test_collections_and_data(client: TestClient[Litestar]) -> None:
    phases = _json(client.get("/api/collections/phases"))
    assert phases["output"] is False
    assert {item["slug"] for item in phases["items"]} == {
        "investigation",
        "construction",
        "acceleration",
        "transfert",
    }
    assert all(item["url"] is None for item in phases["items"])
    document = _json(client.get("/api/collections/phases/transfert"))
    assert document["front_matter"]["duration"]["max"] == 6 and document["html"]
    assert client.get("/api/collections/nope").status_code == 404
    programme = _json(client.get("/api/data/programme"))
    assert programme["investment_committee"]["every"] == 6
    assert client.get("/api/data/nope").status_code == 404


def test_search_is_accent_and_case_insensitive(client: TestClient[Litestar]) -> None:
    results = _json(client.get("/api/search", params={"q": "ROLE intrapreneur"}))
    urls = [item["url"] for item in results["items"]]
    assert SEED_URL in urls
    hit = results["items"][urls.index(SEED_URL)]
    assert "<mark>" in hit["snippet"] or "<mark>" in hit["title_highlighted"]
    assert _json(client.get("/api/search", params={"q": "le la les"}))["total"] == 0
    assert client.get("/api/search", params={"limit": "500"}).status_code == 400


def test_diagnostics_and_health(client: TestClient[Litestar], published: PublishedSite) -> None:
    report = _json(client.get("/api/diagnostics", params={"severity": "error"}))
    assert report["total"] == 0 and report["generation"] == 1
    health = _json(client.get("/health"))
    assert health == {
        "status": "ok",
        "generation": 1,
        "pages": len(published.pages),
        "withheld": 0,
    }


def test_openapi_schema_comes_from_the_structs(client: TestClient[Litestar]) -> None:
    schema = _json(client.get("/schema/openapi.json"))
    assert {"/api/pages", "/api/pages/{path}", "/api/phases", "/api/search"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert (
        "PageDocument" in components and "breadcrumbs" in components["PageDocument"]["properties"]
    )
    assert client.get("/schema").status_code == 200
    page = schema["paths"]["/api/pages/{path}"]["get"]["responses"]
    assert {"200", "301", "304", "400", "404"} <= set(page)
    problem = page["404"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "codes" in components["Problem"]["properties"]


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(CONTENT, site)
    page = site / "_pages" / "manifeste.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("layout:", "title: doublon\nlayout:", 1), "utf-8")
    return site


def test_a_page_with_errors_is_withheld_and_others_served(broken_site: Path) -> None:
    published = load_published(broken_site, _config(broken_site))
    with TestClient(app=create_app(published)) as client:
        withheld = client.get("/api/pages/approche/manifeste")
        assert withheld.status_code == 404
        problem = _json(withheld)
        assert problem["codes"] == ["BC102"] and "_pages/manifeste.md" in problem["detail"]
        assert client.get("/api/pages/approche/").status_code == 200
        listed = {i["url"] for i in _json(client.get("/api/pages"))["items"]}
        assert "/approche/manifeste" not in listed
        assert _json(client.get("/health"))["withheld"] == 1


def test_reload_swaps_the_published_site(broken_site: Path) -> None:
    config = _config(broken_site)
    app = create_app(load_published(broken_site, config))
    holder = app.state.holder
    lines: list[str] = []
    reloader = Reloader(broken_site, config, lambda: holder.published, holder.swap, lines.append)
    with TestClient(app=app) as client:
        assert client.get("/api/pages/approche/manifeste").status_code == 404
        page = broken_site / "_pages" / "manifeste.md"
        page.write_text(page.read_text("utf-8").replace("title: doublon\n", "", 1), "utf-8")
        startups = broken_site / "_pages" / "startups.md"
        text = startups.read_text("utf-8")  # a duplicate key: an error that moves no URL
        startups.write_text(text.replace("title:", "title: x\ntitle:", 1), "utf-8")
        reloader.reload()
        assert _json(client.get("/health"))["generation"] == 2
        assert client.get("/api/pages/approche/manifeste").status_code == 200
        assert client.get("/api/pages/startups/").status_code == 404  # only it is withheld
        assert client.get("/api/pages/approche/").status_code == 200
    assert lines and "generation 2" in lines[0]


def test_export_is_byte_identical_to_the_live_api(
    client: TestClient[Litestar], published: PublishedSite, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    count = export(published, out)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(files) == count
    assert "api/pages/index.json" in files and "api/phases.json" in files
    assert "api/search-index.json" in files
    checked = 0
    for name, live, body in documents(published):
        assert (out / name).read_bytes() == body
        if live is None:
            continue
        response = client.get(live, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, live
        assert response.content == body, live
        checked += 1
    assert checked == count - 1


def test_reload_keeps_serving_when_the_configuration_breaks(broken_site: Path) -> None:
    config = _config(broken_site)
    app = create_app(load_published(broken_site, config))
    holder = app.state.holder
    lines: list[str] = []
    reloader = Reloader(broken_site, config, lambda: holder.published, holder.swap, lines.append)
    site_config = broken_site / "_config.yml"
    good = site_config.read_text("utf-8")
    site_config.write_text(good + "\ndefaults: [\n", "utf-8")
    assert reloader.reload().generation == 1
    assert "still serving generation 1" in lines[-1]
    site_config.write_text(good, "utf-8")
    (broken_site / "betacontent.toml").write_text("[breadcrumbs]\nlast-crumb-lnk = 1\n")
    assert reloader.reload().generation == 1
    assert "last-crumb-lnk" in lines[-1]
    (broken_site / "betacontent.toml").unlink()
    assert reloader.reload().generation == 2


def test_the_factory_refuses_a_missing_site_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from betacontent.serve.api import SiteNotFoundError

    monkeypatch.setenv("BETACONTENT_SITE", str(tmp_path / "nowhere"))
    with pytest.raises(SiteNotFoundError, match="BETACONTENT_SITE"):
        create_app()
    monkeypatch.setenv("BETACONTENT_SITE", str(CONTENT))
    assert create_app().state.holder.published.site.root == CONTENT


ROUTES = [
    "/api/pages",
    "/api/pages" + SEED_URL,
    "/api/navigation",
    "/api/phases",
    "/api/phases/investigation",
    "/api/collections/phases",
    "/api/collections/phases/investigation",
    "/api/data/programme",
    "/api/search?q=role",
    "/api/diagnostics",
    "/health",
]


@pytest.mark.parametrize("route", ROUTES)
def test_head_answers_like_get_without_a_body(client: TestClient[Litestar], route: str) -> None:
    get = client.get(route, headers={"Accept-Encoding": "identity"})
    head = client.head(route, headers={"Accept-Encoding": "identity"})
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers.get("etag") == get.headers.get("etag")
    assert head.headers["content-type"] == get.headers["content-type"]


def test_cors_preflight_allows_get_and_head(client: TestClient[Litestar]) -> None:
    response = client.options(
        "/api/pages",
        headers={"Origin": "https://front.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code in (200, 204)
    allowed = response.headers["access-control-allow-methods"]
    assert "GET" in allowed and "HEAD" in allowed and "POST" not in allowed


def test_serve_settings_apply(published: PublishedSite) -> None:
    settings = ServeSettings(
        cache_control="public, max-age=999",
        cors_origins=["https://front.example"],
        gzip_min_size=10_000_000,
    )
    with TestClient(app=create_app(published, settings=settings)) as client:
        response = client.get(
            "/api/phases", headers={"Origin": "https://front.example", "Accept-Encoding": "gzip"}
        )
        assert response.headers["cache-control"] == "public, max-age=999"
        assert response.headers["access-control-allow-origin"] == "https://front.example"
        assert "content-encoding" not in response.headers
        other = client.get("/api/phases", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_diagnostics_filters(broken_site: Path) -> None:
    with TestClient(app=create_app(load_published(broken_site, _config(broken_site)))) as client:
        errors = _json(client.get("/api/diagnostics", params={"severity": "error"}))
        assert errors["total"] >= 1
        assert {d["code"] for d in errors["items"]} == {"BC102"}
        assert _json(client.get("/api/diagnostics", params={"code": "bc1"}))["total"] >= 1
        assert _json(client.get("/api/diagnostics", params={"code": "BC9"}))["total"] == 0
        assert client.get("/api/diagnostics", params={"severity": "fatal"}).status_code == 400
