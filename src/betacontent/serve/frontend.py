"""The reference frontend (examples/frontend/): where it is, and the router serving it under `/`.

A source checkout has it at `examples/frontend/`; a wheel carries the same folder as
`betacontent/frontend_files/` (hatch `force-include`). `betacontent serve --frontend` passes the
folder to the app factory in `BETACONTENT_FRONTEND`.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Router
from litestar.static_files import create_static_files_router

FRONTEND_ENV = "BETACONTENT_FRONTEND"
_PACKAGE = Path(__file__).resolve().parent.parent  # the betacontent package
CANDIDATES = (_PACKAGE / "frontend_files", _PACKAGE.parent.parent / "examples" / "frontend")


class FrontendNotFoundError(RuntimeError):
    """No frontend folder where one was asked for."""


def is_frontend(folder: Path) -> bool:
    return (folder / "index.html").is_file()


def bundled_frontend() -> Path | None:
    """The reference frontend shipped with this installation, if any."""
    return next((folder for folder in CANDIDATES if is_frontend(folder)), None)


def frontend_from_env() -> Path | None:
    """The folder named by `BETACONTENT_FRONTEND` (unset or empty: none)."""
    value = os.environ.get(FRONTEND_ENV)
    if not value:
        return None
    folder = Path(value)
    if not is_frontend(folder):
        raise FrontendNotFoundError(
            f"betacontent: no index.html in {folder.resolve()}: fix {FRONTEND_ENV}"
        )
    return folder


def frontend_router(folder: Path) -> Router:
    """Static files under `/`, `index.html` for a folder; the API's routes take precedence."""
    return create_static_files_router(path="/", directories=[folder], html_mode=True)
