"""The rules' documentation pages (docs/rules/): one per rule, made from its module docstring,
and an index."""

from __future__ import annotations

from betacontent.lint.diagnostics import Severity
from betacontent.lint.rules import RULES
from betacontent.lint.rules.base import Rule

INDEX = "README.md"
PAGE_GLOB = "BC[0-9][0-9][0-9].md"  # what a page is named; others in the folder are left alone

_EFFECT = {
    Severity.ERROR: "`betacontent lint` exits 1 when it reports one",
    Severity.WARNING: "reported; alone, it leaves the exit status 0",
    Severity.INFO: "reported; alone, it leaves the exit status 0",
}


def page_name(rule: Rule) -> str:
    return f"{rule.code}.md"


def _turning_on(rule: Rule) -> str:
    return (
        "## Turning it on\n"
        "Off by default. In `betacontent.toml`, or under `[tool.betacontent]` in "
        "`pyproject.toml`:\n"
        f'```toml\nextend-select = ["{rule.code}"]  # or `--extend-select {rule.code}`\n```\n'
    )


def _turning_off(rule: Rule) -> str:
    other = Severity.WARNING if rule.severity is Severity.ERROR else Severity.ERROR
    settings = (
        (f'ignore = ["{rule.code}"]', f"everywhere (or `--ignore {rule.code}`)"),
        (f'per-file-ignores = {{ "_drafts/*" = ["{rule.code}"] }}', "in the files a glob matches"),
        ("[severity]", ""),
        (f'{rule.code} = "{other.value}"', "another severity"),
    )
    width = max(len(setting) for setting, _ in settings)
    toml = "".join(
        f"{setting:<{width}}  # {comment}\n" if comment else f"{setting}\n"
        for setting, comment in settings
    )
    return (
        "## Turning it off\n"
        "In `betacontent.toml`, or under `[tool.betacontent]` in `pyproject.toml`:\n"
        f"```toml\n{toml}```\n"
    )


def page(rule: Rule) -> str:
    """The rule's page: a title, its summary and default severity, the rest of its docstring,
    and how to turn it off."""
    summary, _, body = rule.doc.partition("\n\n")
    return (
        f"# {rule.code} {rule.name}\n\n{summary}\n\n"
        f"Default severity: **{rule.severity.value}** ({_EFFECT[rule.severity]})."
        + ("" if rule.default else " Off by default.")
        + f"\n\n{body}\n\n{_turning_off(rule) if rule.default else _turning_on(rule)}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def index() -> str:
    rows = "".join(
        f"| [{r.code}]({page_name(r)}) | {r.name} | {r.severity.value}"
        f"{'' if r.default else ' (off by default)'} | {_cell(r.summary)} |\n"
        for r in RULES.values()
    )
    return (
        "# Rules\n\n"
        "Every rule of `betacontent lint`: BC1xx front matter and configuration, BC2xx "
        "breadcrumbs,\nBC3xx links and content. Each page is made from the docstring of the "
        "rule's module in\n`src/betacontent/lint/rules/` by `make docs` (`betacontent rule --all "
        "--out docs/rules`); edit\nthe docstring, not the page.\n\n"
        "| Code | Name | Default severity | What it reports |\n"
        "| --- | --- | --- | --- |\n"
        f"{rows}"
    )


def generate() -> dict[str, str]:
    """Every file of docs/rules/, by name."""
    return {INDEX: index(), **{page_name(rule): page(rule) for rule in RULES.values()}}
