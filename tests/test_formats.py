"""`betacontent lint --format json|sarif|github|junit`, through the real command and as pure
functions. tests/schemas/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 schema (errata01,
published at the URL of its `id`), copied byte for byte from https://github.com/oasis-tcs/
sarif-spec/blob/0a8091f7d4057e57b6d8d9b56129e5f918747b34/Schemata/sarif-schema-2.1.0.json."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import jsonschema
import msgspec
import pytest

from betacontent import __version__
from betacontent.core.settings import OutputFormat
from betacontent.lint.diagnostics import Diagnostic, Edit, Fix, Severity
from betacontent.lint.reporters import MACHINE_FORMATS, LintRun, Report, step_summary
from betacontent.lint.reporters.github import report_github
from betacontent.lint.reporters.sarif import build_sarif, report_sarif
from betacontent.lint.rules import RULES
from conftest import ROOT, Run

SEED = "tests/fixtures/seed/decouvrir-le-role-d-intrapreneur.md"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>BC\d{3}) (?P<msg>.+)$", re.M
)
COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>[^:]*)::(?P<msg>.*)$")
SUMMARY = re.compile(r"\d+ files? checked, \d+ errors?")
PARSERS: dict[str, Callable[[str], object]] = {
    "json": json.loads,
    "sarif": json.loads,
    "junit": ET.fromstring,
    "github": lambda out: [parse_command(line) for line in out.splitlines()],
}
KINDS = {"error": "error", "warning": "warning", "notice": "info"}
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

Finding = tuple[str, int, int, str, str]  # path from the current directory, line, col, code, msg


def text_findings(stdout: str) -> list[Finding]:
    return [
        (m["path"], int(m["line"]), int(m["col"]), m["code"], m["msg"])
        for m in LINE.finditer(stdout)
    ]


def json_report(stdout: str) -> Report:
    return msgspec.json.decode(stdout, type=Report)


def unescape(value: str) -> str:
    """Undo GitHub's escaping in one pass (so an escaped `%3A` stays `%3A`)."""
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: chr(int(m[1], 16)), value)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.fullmatch(line)
    assert match, line
    props = dict(pair.split("=", 1) for pair in match["props"].split(","))
    return match["kind"], {k: unescape(v) for k, v in props.items()}, unescape(match["msg"])


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def diagnostic(path: str, line: int, message: str, **more: Any) -> Diagnostic:
    """A finding made up for a reporter; `more` overrides the other fields."""
    fields: dict[str, Any] = {
        "column": 1,
        "end_line": line,
        "end_column": 1,
        "code": "BC301",
        "name": "broken-link",
        "severity": Severity.ERROR,
        **more,
    }
    return Diagnostic(path=path, line=line, message=message, **fields)


def make_site(folder: Path) -> Path:
    """a.md has an error (and a warning), b.md only a warning, c.md nothing."""
    folder.mkdir()
    (folder / "_config.yml").write_text("title: t\n")
    (folder / "a.md").write_text("---\ntitle: A\ntitle: A\nlayout: default\ntitel: x\n---\n")
    (folder / "b.md").write_text("---\ntitle: B\nlayout: default\ntitel: typo\n---\n")
    (folder / "c.md").write_text("---\ntitle: C\nlayout: default\n---\n")
    return folder


def test_every_configurable_format_has_a_reporter() -> None:
    assert {"text", *MACHINE_FORMATS} == set(get_args(OutputFormat))


def test_json_decodes_into_the_report_and_matches_the_text_output(run: Run) -> None:
    text = run("lint", SEED)
    result = run("lint", SEED, "--format", "json")
    assert result.returncode == text.returncode == 1
    report = json_report(result.stdout)  # stdout is the document alone
    assert report.version == __version__
    assert Path(report.root) == (ROOT / SEED).parent
    shown = [
        (f"{Path(SEED).parent.as_posix()}/{d.path}", d.line, d.column, d.code, d.message)
        for d in report.diagnostics
    ]
    assert shown == text_findings(text.stdout)
    errors = sum(d.severity is Severity.ERROR for d in report.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in report.diagnostics)
    assert (report.summary.errors, report.summary.warnings) == (errors, warnings)
    assert errors and warnings
    assert report.summary.files == 1
    assert f"{errors} errors, {warnings} warning" in result.stderr


def test_sarif_is_valid_and_has_one_result_per_diagnostic(run: Run) -> None:
    result = run("lint", SEED, "--format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    sarif_validator().validate(log)
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["markdown"] == rule.doc
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[rule.severity.value]
    diagnostics = json_report(run("lint", SEED, "--format", "json").stdout).diagnostics
    assert len(sarif_run["results"]) == len(diagnostics) > 0
    for item, d in zip(sarif_run["results"], diagnostics, strict=True):
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"] == d.code
        assert item["level"] == LEVELS[d.severity.value]
        assert item["message"]["text"] == d.message
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": SEED, "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {
            "startLine": d.line,
            "startColumn": d.column,
            "endLine": d.end_line,
            "endColumn": d.end_column,
        }
        assert "fixes" not in item  # none of these findings has a fix


def test_sarif_fix_becomes_replacements(tmp_path: Path) -> None:
    edits = (
        Edit(line=2, column=1, end_line=3, end_column=1, content=""),
        Edit(line=5, column=8, end_line=5, end_column=8, content="é"),
    )
    fix = Fix(message="remove the first `layout`", edits=edits)
    finding = diagnostic(
        "dossier/page avec espace.md", 2, "duplicate key", end_line=3, code="BC102", fix=fix
    )
    lint_run = LintRun([finding], tmp_path, tmp_path, [finding.path], 0.1, tuple(RULES.values()))
    log = json.loads(report_sarif(lint_run))
    sarif_validator().validate(log)
    (result,) = log["runs"][0]["results"]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "remove the first `layout`"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "dossier/page%20avec%20espace.md"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 1},
            "insertedContent": {"text": ""},
        },
        {
            "deletedRegion": {"startLine": 5, "startColumn": 8, "endLine": 5, "endColumn": 8},
            "insertedContent": {"text": "é"},
        },
    ]
    assert build_sarif(lint_run).runs[0].results[0].rule_index == list(RULES).index("BC102")


def test_vendored_sarif_schema_is_a_json_schema() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft4Validator.check_schema(schema)  # the draft it declares
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator().validate({"version": "2.1.0", "runs": [{"results": []}]})  # no tool


def test_github_commands_parse_back_into_the_findings(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    text = run("lint", SEED)
    result = run("lint", SEED, "--format", "github")
    assert result.returncode == 1
    found = []
    severities = []
    for line in result.stdout.splitlines():
        kind, props, message = parse_command(line)
        found.append(
            (props["file"], int(props["line"]), int(props["col"]), props["title"], message)
        )
        severities.append(KINDS[kind])
    assert found == text_findings(text.stdout)
    report = json_report(run("lint", SEED, "--format", "json").stdout)
    assert severities == [d.severity.value for d in report.diagnostics]


def test_github_escapes_properties_and_message(tmp_path: Path) -> None:
    message = "100% sure: a, b\nthen %3A literally\r"
    finding = diagnostic("a,b:c.md", 3, message, column=2, end_column=9, severity=Severity.INFO)
    output = report_github(LintRun([finding], tmp_path, tmp_path, [finding.path], 0.0))
    assert output.count("\n") == 1 and output.endswith("\n")  # one line, whatever the message
    assert "%25" in output and "%0A" in output and "%0D" in output
    kind, props, decoded = parse_command(output.rstrip("\n"))
    assert kind == "notice"
    assert decoded == message
    assert props == {
        "file": "a,b:c.md",
        "line": "3",
        "col": "2",
        "endLine": "3",
        "endColumn": "9",
        "title": "BC301",
    }


def test_step_summary_is_appended(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary_file = tmp_path / "step-summary.md"
    earlier = "# An earlier step\n\nits own summary\n"
    summary_file.write_text(earlier, encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    result = run("lint", SEED, "--format", "github")
    assert result.returncode == 1
    content = summary_file.read_text("utf-8")
    assert content.startswith(earlier)
    added = content[len(earlier) :]
    assert added.startswith("## betacontent lint\n")
    rows = [line for line in added.splitlines() if line.startswith(f"| {SEED}:")]
    report = json_report(run("lint", SEED, "--format", "json").stdout)
    assert len(rows) == len(report.diagnostics)
    for row, d in zip(rows, report.diagnostics, strict=True):
        assert row.startswith(f"| {SEED}:{d.line} | {d.code} | {d.severity.value} |")
    assert f"**{report.summary.errors}** errors" in added
    run("lint", SEED, "--format", "github")
    assert summary_file.read_text("utf-8").count("## betacontent lint") == 2


def test_step_summary_escapes_pipes_and_caps_rows(tmp_path: Path) -> None:
    findings = [
        diagnostic(f"p{i}.md", i, f"link `a|b` number {i}\nsecond line") for i in range(1, 4)
    ]
    text = step_summary(LintRun(findings, tmp_path, tmp_path, ["p1.md"], 0.0), limit=2)
    rows = [line for line in text.splitlines() if line.startswith("| p")]
    assert rows == [
        "| p1.md:1 | BC301 | error | link `a\\|b` number 1 second line |",
        "| p2.md:2 | BC301 | error | link `a\\|b` number 2 second line |",
    ]
    assert "and 1 more." in text


def test_junit_has_one_case_per_file_and_fails_on_errors(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    result = run("lint", "--format", "junit", cwd=site)
    report = json_report(run("lint", "--format", "json", cwd=site).stdout)
    assert result.returncode == 1
    suites = ET.fromstring(result.stdout)
    (suite,) = suites.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert len(cases) == int(suite.get("tests", "-1")) == report.summary.files
    assert {"a.md", "b.md", "c.md", "_config.yml"} <= set(cases)
    assert all(case.get("classname") == "betacontent" for case in cases.values())
    with_errors = {d.path for d in report.diagnostics if d.severity is Severity.ERROR}
    failed = {name for name, case in cases.items() if case.find("failure") is not None}
    assert failed == with_errors == {"a.md"}
    assert int(suite.get("failures", "-1")) == int(suites.get("failures", "-1")) == 1
    failure = cases["a.md"].find("failure")
    assert failure is not None and failure.text is not None
    errors = [d for d in report.diagnostics if d.path == "a.md" and d.severity is Severity.ERROR]
    assert failure.text.splitlines() == [
        f"a.md:{d.line}:{d.column}: {d.code} {d.message}" for d in errors
    ]
    b_out = cases["b.md"].find("system-out")
    assert b_out is not None and b_out.text is not None and "BC106" in b_out.text
    assert cases["c.md"].find("system-out") is None


def test_output_format_from_config_and_flag_overrides_it(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "betacontent.toml").write_text('output-format = "json"\n')
    configured = run("lint", cwd=site)
    report = json_report(configured.stdout)
    assert {d.path for d in report.diagnostics} == {"a.md", "b.md"}
    overridden = run("lint", "--format", "text", cwd=site)
    assert {f[0] for f in text_findings(overridden.stdout)} == {"a.md", "b.md"}
    assert "files checked" in overridden.stdout
    assert configured.returncode == overridden.returncode == 1


def test_bad_output_format_is_exit_2_naming_the_key(run: Run, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "betacontent.toml").write_text('output-format = "xml"\n')
    result = run("lint", cwd=site)
    assert result.returncode == 2
    assert "output-format" in result.stderr
    assert "Traceback" not in result.stderr
    flag = run("lint", "--format", "xml", cwd=site)
    assert flag.returncode == 2 and "--format" in flag.stderr


@pytest.mark.parametrize("fmt", sorted(MACHINE_FORMATS))
def test_exit_codes_do_not_depend_on_the_format(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    site = make_site(tmp_path / "site")
    with_errors = run("lint", "--format", fmt, cwd=site)
    warnings_only = run("lint", "b.md", "--format", fmt, cwd=site)
    assert (with_errors.returncode, warnings_only.returncode) == (1, 0)
    for result in (with_errors, warnings_only):
        assert not SUMMARY.search(result.stdout)  # the summary line goes to stderr
        assert SUMMARY.search(result.stderr)
        PARSERS[fmt](result.stdout)  # stdout is the document alone
