"""The security headers of every answer, and the docs page they are written for.

JSON answers (documents, problems, the OpenAPI document) forbid everything a browser could
do with them. The docs page (`/schema`) runs Scalar: one script, pinned to a version and
checked by its hash (Subresource Integrity), configured without inline script, and allowed
nothing else than reading this API. No answer names the server's version.
"""

from __future__ import annotations

import html
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.types import Message, Scope

SCALAR_VERSION = "1.72.1"
SCALAR_JS = (
    f"https://cdn.jsdelivr.net/npm/@scalar/api-reference@{SCALAR_VERSION}"
    "/dist/browser/standalone.js"
)
# sha384 of that file as published on npm (dist/browser/standalone.js of the package).
SCALAR_INTEGRITY = "sha384-U11tb2XnKvmwt8RlTvnwUnYgrN+ur4Xyh9htLhjajWNR/Oyl5AX5DEz00qRmlrmK"
# Scalar's own fonts come from its font server; the system fonts do.
SCALAR_OPTIONS = {"withDefaultFonts": False}

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        f"script-src {SCALAR_JS}",
        "style-src 'unsafe-inline'",  # Scalar injects its styles at run time
        "img-src 'self' data:",
        "font-src data:",
        "connect-src 'self'",  # the OpenAPI document, and the "try it" requests
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SERVER = "betacontent"
DOCS_PATH = "/schema"


class DocsPage(ScalarRenderPlugin):
    """Scalar's page without inline script or third-party stylesheet."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(js_url=SCALAR_JS, options=SCALAR_OPTIONS, **kwargs)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        url = html.escape(self.get_openapi_json_route(request))
        options = html.escape(msgspec.json.encode(SCALAR_OPTIONS).decode())
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<noscript>The documentation needs JavaScript; the OpenAPI document is <a href="{url}">{url}</a>.
</noscript>
<script id="api-reference" type="application/json" data-url="{url}"
 data-configuration="{options}"></script>
<script src="{self.js_url}" integrity="{SCALAR_INTEGRITY}" crossorigin="anonymous"></script>
</body>
</html>
""".encode()


async def security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: nosniff everywhere, a CSP by content type, no server version."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders(message)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Server"] = SERVER  # instead of the ASGI server's own
    if not (headers.get("content-type") or "").startswith("text/html"):
        headers["Content-Security-Policy"] = JSON_CSP
    elif scope["path"] == DOCS_PATH or scope["path"].startswith(DOCS_PATH + "/"):
        headers["Content-Security-Policy"] = DOCS_CSP
    # other HTML pages (a frontend's) set their own policy
