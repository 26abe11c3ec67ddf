"""Jekyll's URL arithmetic, ported from jekyll/url.rb, page.rb, document.rb and utils.rb (4.3).

Everything here is pure string work: no file system, no site state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

HTML_EXTENSIONS = frozenset({".html", ".xhtml", ".htm"})
DEFAULT_MARKDOWN_EXTENSIONS = ("markdown", "mkdown", "mkdn", "mkd", "md")
SASS_EXTENSIONS = frozenset({".scss", ".sass"})

# Jekyll's escape_path leaves these paths alone.
_PLAIN_PATH = re.compile(r"^[a-zA-Z0-9./-]+$")
# Addressable::URI.encode keeps unreserved, sub-delims, ":", "@", "/", "%", "#" ("#" -> %23).
_ADDRESSABLE_SAFE = "/:@!$&'()*+,;=-._~%#"

_PLACEHOLDER = re.compile(r":([a-z_]+)")

# Jekyll's Document::DATE_FILENAME_MATCHER (its atomic group too: the folders before the date
# end at the last `/`) and DATELESS_FILENAME_MATCHER.
DATE_FILENAME = re.compile(r"^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
DATELESS_FILENAME = re.compile(r"^(?:.+/)*(.*)(\.[^.]+)$")


def extname(name: str) -> str:
    """Ruby's File.extname: the last dot-suffix of the last path component ("" for dotfiles)."""
    return PurePosixPath(name).suffix


def escape_path(path: str) -> str:
    if not path or _PLAIN_PATH.match(path):
        return path
    return quote(path, safe=_ADDRESSABLE_SAFE).replace("#", "%23", 1)


def unescape_path(path: str) -> str:
    return unquote(path) if "%" in path else path


def sanitize_url(url: str) -> str:
    """Jekyll::URL#sanitize_url: leading slash, '..' neutralised, './' dropped, '/' squeezed."""
    result = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub("/{2,}", "/", result)


def generate_from_hash(template: str, placeholders: Mapping[str, str | None]) -> str:
    """Jekyll::URL#generate_url_from_hash, used for pages and static files."""
    result = template
    for key, value in placeholders.items():
        if ":" not in result:
            break
        if value is None:
            result = result.replace(f"/:{key}", "")
        else:
            result = result.replace(f":{key}", escape_path(value))
    return result


class UnknownPlaceholderError(ValueError):
    """A permalink template names a placeholder the document does not have."""


def generate_from_drop(template: str, placeholders: Mapping[str, str | None]) -> str:
    """Jekyll::URL#generate_url_from_drop, used for collection documents."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        pool = [name, name[:-1]] if name.endswith("_") else [name]
        winner = next((key for key in pool if key in placeholders), None)
        if winner is None:
            raise UnknownPlaceholderError(
                f"the permalink template has no `:{' or :'.join(pool)}` placeholder"
            )
        value = placeholders[winner] or ""
        return match.group(0).replace(f":{winner}", escape_path(value), 1)

    return _PLACEHOLDER.sub(replace, template)


def add_permalink_suffix(template: str, permalink_style: str) -> str:
    if permalink_style == "pretty":
        return template + "/"
    if permalink_style in {"date", "ordinal", "none", "weekdate"}:
        return template + ":output_ext"
    if permalink_style.endswith("/"):
        template += "/"
    if permalink_style.endswith(":output_ext"):
        template += ":output_ext"
    return template


def output_path(url: str, output_ext: str, *, document: bool) -> str:
    """The file Jekyll writes for a page or document URL, relative to the destination.

    Page#destination and Document#destination differ for URLs ending in "/": a page gets
    "index" plus its output extension, a document always "index.html".
    """
    path = unescape_path(url).lstrip("/")
    if url.endswith("/"):
        if document:
            return path + "index.html"
        path += "index"
    if not path.endswith(output_ext):
        path += output_ext
    return path


def _is_slug_char(char: str, extra: str) -> bool:
    if char in extra:
        return True
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def slugify(text: str, mode: str = "default", *, cased: bool = False) -> str:
    """Jekyll::Utils.slugify: each run of characters the mode does not keep becomes one '-'."""
    if mode == "raw":
        slug = re.sub(r"\s+", "-", text)
    elif mode in {"ascii", "latin"}:
        if mode == "latin":
            decomposed = unicodedata.normalize("NFKD", text)
            text = "".join(c for c in decomposed if not unicodedata.combining(c))
        slug = re.sub(r"[^A-Za-z0-9]+", "-", text)
    elif mode in {"default", "pretty"}:
        extra = "._~!$&'()+,;=@" if mode == "pretty" else ""
        out: list[str] = []
        for char in text:
            if _is_slug_char(char, extra):
                out.append(char)
            elif not out or out[-1] != "\0":
                out.append("\0")
        slug = "".join(out).replace("\0", "-")
    else:
        return text if cased else text.lower()
    slug = re.sub(r"^-|-$", "", slug)
    return slug if cased else slug.lower()


# Browsers drop tabs and newlines anywhere in a URL, and controls and spaces around it.
