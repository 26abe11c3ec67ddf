"""Resolve the Liquid that appears in links, exactly where Jekyll's result is known statically.

Known: `{{ site.url }}`, `{{ site.baseurl }}`, `{{ site.KEY }}` for a top-level string of
`_config.yml` (`{{ site.repository }}`), `{{ 'path' | relative_url }}`,
`{{ 'path' | absolute_url }}`, `{% link path %}` and `{% post_url name %}` (both include the
baseurl, as in Jekyll 4). Anything else cannot be resolved without rendering the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from betacontent.kramdown.markdown import LIQUID
from betacontent.site.index import Entry, EntryKind, Site

_SITE_VAR = re.compile(r"\{\{-?\s*site\.([A-Za-z_][\w-]*)\s*-?\}\}")
_FILTERED = re.compile(
    r"""\{\{-?\s*(?:"([^"]*)"|'([^']*)')\s*\|\s*(relative_url|absolute_url)\s*-?\}\}"""
)
_LINK_TAG = re.compile(r"\{%-?\s*link\s+(\S+?)\s*-?%\}")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+(\S+?)\s*-?%\}")


@dataclass(frozen=True, slots=True)
class Rendered:
    url: str | None  # None when some Liquid is left that cannot be resolved statically
    error: str | None = None  # a `{% link %}` or `{% post_url %}` Jekyll would fail on


def _tag_url(site: Site, url: str) -> str:
    """What `{% link %}` and `{% post_url %}` output: `relative_url` of the URL since Jekyll
    4.0; the URL alone before (Jekyll 3, as GitHub Pages runs, where templates write
    `{{ site.baseurl }}{% link ... %}`)."""
    version = site.config.jekyll_version
    if version is not None and version[0] < 4:
        return url
    return _relative_url(site, url)


def _relative_url(site: Site, path: str) -> str:
    baseurl = site.config.baseurl.rstrip("/")
    if not path.startswith("/"):
        path = "/" + path
    return baseurl + path


def jekyll_relative_path(site: Site, entry: Entry) -> str:
    """`relative_path` as Jekyll's `{% link %}` compares it: a page's path from the source,
    a document's from `collections_dir`, a static file's with a leading slash."""
    if entry.kind is EntryKind.STATIC:
        return "/" + entry.rel
    collections_dir = site.config.collections_dir.strip("/")
    if entry.kind is EntryKind.DOCUMENT and collections_dir:
        return entry.rel.removeprefix(collections_dir + "/")
    return entry.rel


def _find_file(site: Site, path: str) -> Entry | None:
    """Jekyll's `{% link path %}`: the written page, document or static file whose
    `relative_path` is `path` (or `/path`, which only static files have)."""
    files = site.semantic.link_targets
    return files.get(path) or files.get("/" + path)


def _find_post(site: Site, name: str) -> Entry | None:
    for entry in site.entries:
        if entry.collection != "posts" or entry.kind is not EntryKind.DOCUMENT:
            continue
        path = PurePosixPath(entry.rel)
        if path.stem == name or str(path.with_suffix("")).endswith("/" + name):
            return entry
    return None


def render(url: str, site: Site) -> Rendered:
    """The link as Jekyll would output it, or why it cannot be known."""
    if "{{" not in url and "{%" not in url:
        return Rendered(url)
    error: str | None = None

    def site_var(match: re.Match[str]) -> str:
        if match.group(1) == "url":
            return site.config.url.rstrip("/")
        if match.group(1) == "baseurl":
            return site.config.baseurl.rstrip("/")
        return site.config.variables.get(match.group(1), match.group(0))  # else: unknown

    def filtered(match: re.Match[str]) -> str:
        path = match.group(1) if match.group(1) is not None else match.group(2)
        relative = _relative_url(site, path)
        if match.group(3) == "absolute_url":
            return site.config.url.rstrip("/") + relative
        return relative

    def link_tag(match: re.Match[str]) -> str:
        nonlocal error
        entry = _find_file(site, match.group(1))
        if entry is None:
            error = f"`{{% link {match.group(1)} %}}`: no such file; Jekyll stops the build"
            return match.group(0)
        return _tag_url(site, entry.url)

    def post_url(match: re.Match[str]) -> str:
        nonlocal error
        entry = _find_post(site, match.group(1))
        if entry is None or entry.output is None:
            error = f"`{{% post_url {match.group(1)} %}}`: no such post; Jekyll stops the build"
            return match.group(0)
        return _tag_url(site, entry.url)

    text = _SITE_VAR.sub(site_var, url)
    text = _FILTERED.sub(filtered, text)
    text = _LINK_TAG.sub(link_tag, text)
    text = _POST_URL.sub(post_url, text)
    if error is not None:
        return Rendered(None, error)
    if LIQUID.search(text):
        return Rendered(None)
    return Rendered(text)


def output(tag: str, site: Site) -> str:
    """What Jekyll outputs for one Liquid tag when `render` knows it statically (a link form:
    `{{ site.baseurl }}`, `{% link %}`...); "" for any other tag and for a `{% link %}` to no
    file (Jekyll would stop the build; the linter reports it)."""
    result = render(tag, site)
    return result.url if result.url is not None else ""
