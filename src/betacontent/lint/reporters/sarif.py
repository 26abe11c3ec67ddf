"""`--format sarif`: SARIF 2.1.0 for code scanning, one run, every rule described.

Columns are counted in characters (`columnKind: unicodeCodePoints`); URIs are relative to
the current directory, under the base id `%SRCROOT%`."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import PurePath
from typing import Literal
from urllib.parse import quote

import msgspec

from betacontent import __version__
from betacontent.lint.diagnostics import Diagnostic, Edit, Severity
from betacontent.lint.reporters.common import LintRun

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"

Level = Literal["error", "warning", "note"]
LEVELS: dict[Severity, Level] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}


class _Sarif(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    """SARIF objects: camelCase keys, optional properties left out."""


class Message(_Sarif):
    text: str


class MultiformatMessage(_Sarif):
    text: str
    markdown: str | None = None


class ReportingConfiguration(_Sarif):
    level: Level


class ReportingDescriptor(_Sarif):
    id: str
    name: str
    short_description: MultiformatMessage
    full_description: MultiformatMessage
    help: MultiformatMessage
    default_configuration: ReportingConfiguration


class ToolComponent(_Sarif, kw_only=True):
    name: str
    version: str
    information_uri: str | None = None
    rules: list[ReportingDescriptor]


class Tool(_Sarif):
    driver: ToolComponent


class ArtifactLocation(_Sarif):
    uri: str
    uri_base_id: str | None = None


class Region(_Sarif):
    start_line: int
    start_column: int
    end_line: int
    end_column: int


class PhysicalLocation(_Sarif):
    artifact_location: ArtifactLocation
    region: Region


class Location(_Sarif):
    physical_location: PhysicalLocation


class ArtifactContent(_Sarif):
    text: str


class Replacement(_Sarif):
    deleted_region: Region
    inserted_content: ArtifactContent


class ArtifactChange(_Sarif):
    artifact_location: ArtifactLocation
    replacements: list[Replacement]


class SarifFix(_Sarif):
    description: Message
    artifact_changes: list[ArtifactChange]


class Result(_Sarif, kw_only=True):
    rule_id: str
    rule_index: int | None = None
    level: Level
    message: Message
    locations: list[Location]
    fixes: list[SarifFix] = msgspec.field(default_factory=list)


class Run(_Sarif, kw_only=True):
    tool: Tool
    original_uri_base_ids: dict[str, ArtifactLocation]
    column_kind: Literal["unicodeCodePoints"] = "unicodeCodePoints"
    results: list[Result]


class SarifLog(_Sarif):
    schema: str = msgspec.field(name="$schema")
    version: Literal["2.1.0"]
    runs: list[Run]


def information_uri() -> str | None:
    """The project's home page from the package metadata (`[project.urls]`), if it has one."""
    try:
        urls = metadata("betacontent").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    if not urls:
        return None
    return urls[0].partition(",")[2].strip() or None  # "Homepage, https://..."


def _what_it_does(doc: str, summary: str) -> str:
    """The "What it does" section of a rule's documentation, as one paragraph."""
    match = re.search(r"^## What it does\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    return " ".join(match.group(1).split()) if match else summary


def _region(line: int, column: int, end_line: int, end_column: int) -> Region:
    return Region(start_line=line, start_column=column, end_line=end_line, end_column=end_column)


def _artifact(run: LintRun, rel: str) -> ArtifactLocation:
    path = run.path(rel)
    if PurePath(path).is_absolute():  # on another drive than the current directory
        return ArtifactLocation(uri=(run.root / rel).as_uri())
    return ArtifactLocation(uri=quote(path), uri_base_id=SRCROOT)


def _replacement(edit: Edit) -> Replacement:
    return Replacement(
        deleted_region=_region(edit.line, edit.column, edit.end_line, edit.end_column),
        inserted_content=ArtifactContent(text=edit.content),
    )


def _result(run: LintRun, d: Diagnostic, index: dict[str, int]) -> Result:
    artifact = _artifact(run, d.path)
    fixes = []
    if d.fix is not None and d.fix.edits:
        change = ArtifactChange(
            artifact_location=artifact,
            replacements=[_replacement(edit) for edit in d.fix.edits],
        )
        fixes.append(SarifFix(description=Message(text=d.fix.message), artifact_changes=[change]))
    region = _region(d.line, d.column, d.end_line, d.end_column)
    return Result(
        rule_id=d.code,
        rule_index=index.get(d.code),
        level=LEVELS[d.severity],
        message=Message(text=d.message),
        locations=[
            Location(physical_location=PhysicalLocation(artifact_location=artifact, region=region))
        ],
        fixes=fixes,
    )


def build_sarif(run: LintRun) -> SarifLog:
    rules = [
        ReportingDescriptor(
            id=rule.code,
            name=rule.name,
            short_description=MultiformatMessage(text=rule.summary),
            full_description=MultiformatMessage(text=_what_it_does(rule.doc, rule.summary)),
            help=MultiformatMessage(text=rule.doc, markdown=rule.doc),
            default_configuration=ReportingConfiguration(level=LEVELS[rule.severity]),
        )
        for rule in run.rules
    ]
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver = ToolComponent(
        name="betacontent", version=__version__, information_uri=information_uri(), rules=rules
    )
    base = ArtifactLocation(uri=run.cwd.as_uri().rstrip("/") + "/")
    return SarifLog(
        schema=SCHEMA_URI,
        version="2.1.0",
        runs=[
            Run(
                tool=Tool(driver=driver),
                original_uri_base_ids={SRCROOT: base},
                results=[_result(run, d, index) for d in run.diagnostics],
            )
        ],
    )


def report_sarif(run: LintRun) -> str:
    encoded = msgspec.json.format(msgspec.json.encode(build_sarif(run)), indent=2)
    return encoded.decode("utf-8") + "\n"
