"""Schemathesis against the live OpenAPI schema of a real `betacontent serve` process:
generated requests, valid (positive) and invalid (negative), for every documented
operation; no 5xx, and every answer conforms to the schema (status code, content type,
headers, body)."""

from __future__ import annotations

import inspect
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar.handlers import HTTPRouteHandler

from betacontent.serve.api import HANDLERS
from live_server import running_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = 25  # per operation and mode


@dataclass
class Live:
    base: str
    schema: schemathesis.BaseSchema


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    work = tmp_path_factory.mktemp("schemathesis")
    site = work / "site"
    shutil.copytree(ROOT / "content", site)
    with running_server(site, work) as server:
        yield Live(server.base, schemathesis.openapi.from_url(server.base + "/schema/openapi.json"))


def _openapi_path(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def _has_query(handler: HTTPRouteHandler) -> bool:
    """Whether a handler takes query parameters: a negative case needs one to break (path
    parameters are any text)."""
    named = set(inspect.signature(handler.fn).parameters) - {"request"}
    return bool(named - {name for path in handler.paths for name in re.findall(r"\{(\w+)", path)})


# Collected from the route handlers (the live schema is only known once the server runs);
# `test_every_operation_is_fuzzed` checks that they are the documented operations.
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
CASES = sorted(
    (method, _openapi_path(path), mode)
    for handler in HANDLERS
    for path in handler.paths
    for method in handler.http_methods
    for mode in ([POSITIVE, NEGATIVE] if _has_query(handler) else [POSITIVE])
)


def test_every_operation_is_fuzzed(live: Live) -> None:
    paths = live.schema.raw_schema["paths"]
    documented = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert documented == {(method, path) for method, path, _ in CASES}


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_operation_conforms(
    live: Live, method: str, path: str, mode: schemathesis.GenerationMode
) -> None:
    operation = live.schema[path][method]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def conforms(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(base_url=live.base)

    conforms()
