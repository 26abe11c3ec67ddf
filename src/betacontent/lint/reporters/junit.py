"""`--format junit`: JUnit XML as GitLab and Jenkins read it, one test case per checked file.

A file with errors fails; its warnings and infos go to `<system-out>` and do not fail it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from betacontent.lint.diagnostics import Diagnostic, Severity
from betacontent.lint.reporters.common import LintRun

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _line(run: LintRun, d: Diagnostic) -> str:
    return _xml_text(f"{run.path(d.path)}:{d.line}:{d.column}: {d.code} {d.message}")


def report_junit(run: LintRun) -> str:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in run.diagnostics:
        by_file[d.path].append(d)
    files = sorted({*run.files, *by_file})
    failed = sum(1 for rel in files if any(d.severity is Severity.ERROR for d in by_file[rel]))
    seconds = f"{run.seconds:.3f}"
    totals = {"tests": str(len(files)), "failures": str(failed), "errors": "0", "time": seconds}
    suites = ET.Element("testsuites", {"name": "betacontent", **totals})
    suite = ET.SubElement(suites, "testsuite", {"name": "betacontent", **totals, "skipped": "0"})
    for rel in files:
        shown = _xml_text(run.path(rel))
        case = ET.SubElement(
            suite, "testcase", {"classname": "betacontent", "name": shown, "file": shown}
        )
        errors = [d for d in by_file[rel] if d.severity is Severity.ERROR]
        others = [d for d in by_file[rel] if d.severity is not Severity.ERROR]
        if errors:
            message = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            failure = ET.SubElement(case, "failure", {"message": message, "type": "error"})
            failure.text = "\n".join(_line(run, d) for d in errors) + "\n"
        if others:
            output = ET.SubElement(case, "system-out")
            output.text = "\n".join(_line(run, d) for d in others) + "\n"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
