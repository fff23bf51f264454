"""The reports of `git agent check` and the push gate: one small function per format.

Every function takes the per-commit reports (oldest first) and returns what to print. Strings from
plugins and paths from the repository are treated as hostile: each format escapes them by its own
rules, and names that are not UTF-8 (kept as surrogate escapes) never reach an encoder raw.
"""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from supervisor import __version__
from supervisor.gates.push import CommitReport
from supervisor.render.output import quote_path
from supervisor.render.text import incomplete_line, plural, where
from supervisor.rules.types import Violation

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
GITHUB_CAP = 10  # GitHub shows at most ten annotations of each kind per step
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Found:
    """One violation with the commit it was found in."""

    commit: str
    violation: Violation

    @property
    def short(self) -> str:
        return self.commit[:12]


def found(reports: Iterable[CommitReport]) -> list[Found]:
    return [Found(r.commit, v) for r in reports for v in r.report.violations]


def counts(reports: Sequence[CommitReport]) -> tuple[int, int]:
    """(errors, warnings) over every commit."""
    every = [f.violation.severity for f in found(reports)]
    return every.count("error"), every.count("warning")


def ok(reports: Sequence[CommitReport]) -> bool:
    return counts(reports)[0] == 0 and all(not r.report.blocked for r in reports)


def unicode(text: str) -> str:
    """`text` with the surrogate escapes of non-UTF-8 bytes shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def one_line(text: str) -> str:
    """`text` with control characters escaped, so one record stays on one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], unicode(text))


def summary_line(reports: Sequence[CommitReport]) -> str:
    errors, warnings = counts(reports)
    changed = sum(len(r.report.changes) for r in reports)
    return ", ".join(
        [
            plural(len(reports), "commit"),
            plural(changed, "changed path"),
            plural(errors, "error"),
            plural(warnings, "warning"),
        ]
    )


# text -------------------------------------------------------------------------------------------
def text(reports: Sequence[CommitReport], base: str) -> str:
    lines = [f"{r.commit[:12]} notice   {one_line(n)}" for r in reports for n in r.report.notices]
    blocked = sorted({b for r in reports for b in r.report.blocked})
    if blocked:
        lines.append(incomplete_line(blocked))
    lines += [
        f"{f.short} {f.violation.severity:<8} {f.violation.rule:<24} "
        f"{where(f.violation)}: {one_line(f.violation.message)}"
        for f in found(reports)
    ]
    lines.append(f"{summary_line(reports)} (policy of base {base[:12]})")
    return "\n".join(lines) + "\n"


# json -------------------------------------------------------------------------------------------
def as_json(reports: Sequence[CommitReport], base: str, head: str) -> dict[str, Any]:
    """The `validate --json` shape over the whole range, plus `commits` (keys only added)."""
    blocked = sorted({b for r in reports for b in r.report.blocked})
    return {
        "ok": ok(reports) and not blocked,
        "incomplete": bool(blocked),
        "blocked": blocked,
        "base": base,
        "head": head,
        "violations": [{**f.violation.as_json(), "commit": f.commit} for f in found(reports)],
        "changes": [{**c.as_json(), "commit": r.commit} for r in reports for c in r.report.changes],
        "commits": [
            {
                "commit": r.commit,
                "summary": r.summary,
                "ok": r.report.ok,
                "violations": [v.as_json() for v in r.report.violations],
                "notices": r.report.notices,
                "approved_policy": r.report.approved,
            }
            for r in reports
        ],
    }


# github -----------------------------------------------------------------------------------------
def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does."""
    return unicode(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: the data escapes plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Found) -> str:
    v = f.violation
    props = []
    if v.path is not None:
        props.append(f"file={escape_property(v.path)}")
        if v.line is not None:
            props.append(f"line={v.line}")
    props.append(f"title={escape_property(v.rule)}")
    message = f"{v.message} (commit {f.short})"
    return f"::{v.severity} {','.join(props)}::{escape_data(message)}"


def github(reports: Sequence[CommitReport], base: str, summary_written: bool) -> str:
    """At most the first ten errors and ten warnings as annotations, then what was left out."""
    every = found(reports)
    lines: list[str] = [
        f"::notice title=git-agent::{escape_data(f'{r.commit[:12]} {n}')}"
        for r in reports
        for n in r.report.notices
    ]
    for kind in ("error", "warning"):
        these = [f for f in every if f.violation.severity == kind]
        lines.extend(annotation(f) for f in these[:GITHUB_CAP])
        if len(these) > GITHUB_CAP:
            where_ = "in the job summary" if summary_written else "with --format text"
            lines.append(
                f"git-agent: {plural(len(these) - GITHUB_CAP, f'more {kind}')} not annotated "
                f"(the full list is {where_})"
            )
    lines.append(f"git-agent check: {summary_line(reports)} (policy of base {base[:12]})")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return html.escape(one_line(text), quote=False).replace("|", "\\|")


def markdown(reports: Sequence[CommitReport], base: str, head: str) -> str:
    """The full list for `$GITHUB_STEP_SUMMARY`."""
    errors, _ = counts(reports)
    mark = "❌" if errors else "✅"
    out = [
        "## git-agent check",
        "",
        f"{mark} {summary_line(reports)}: `{base[:12]}..{head[:12]}` under the policy of the base.",
        "",
    ]
    every = found(reports)
    if every:
        out += [
            "| severity | rule | path | line | commit | message |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in every:
            v = f.violation
            path = _cell(quote_path(v.path)) if v.path is not None else ""
            line = "" if v.line is None else str(v.line)
            out.append(
                f"| {v.severity} | {_cell(v.rule)} | {path} | {line} | `{f.short}` "
                f"| {_cell(v.message)} |"
            )
    return "\n".join(out) + "\n\n"


# sarif ------------------------------------------------------------------------------------------
def artifact_uri(path: str) -> str:
    """A relative URI for `path`: its raw bytes percent-encoded, `/` kept."""
    return quote(os.fsencode(path), safe="/")


def _result(f: Found, rule_index: dict[str, int]) -> dict[str, Any]:
    v = f.violation
    result: dict[str, Any] = {
        "ruleId": v.rule,
        "ruleIndex": rule_index[v.rule],
        "level": v.severity,
        "message": {"text": unicode(v.message)},
        "partialFingerprints": {"gitAgentCommit/v1": f.commit},
        "properties": {"commit": f.commit},
    }
    if v.path is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(v.path), "uriBaseId": "%SRCROOT%"}
        }
        if v.line is not None and v.line >= 1:
            physical["region"] = {"startLine": v.line}
        result["locations"] = [{"physicalLocation": physical}]
    return result


def sarif(reports: Sequence[CommitReport], base: str, head: str) -> dict[str, Any]:
    every = found(reports)
    rules = sorted({f.violation.rule for f in every})
    index = {rule: i for i, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "git-agent",
                        "version": __version__,
                        "rules": [{"id": rule, "name": rule} for rule in rules],
                    }
                },
                "results": [_result(f, index) for f in every],
                "properties": {"base": base, "head": head, "commits": len(reports)},
            }
        ],
    }


# junit ------------------------------------------------------------------------------------------
def xml_text(text: str) -> str:
    """`text` with what XML 1.0 cannot hold escaped (ElementTree escapes the markup itself)."""
    return _NOT_XML.sub(lambda m: repr(m.group())[1:-1], unicode(text))


def _testcase(suite: ET.Element, name: str, classname: str, hits: list[Violation]) -> bool:
    case = ET.SubElement(suite, "testcase", name=xml_text(name), classname=xml_text(classname))
    listing = "\n".join(f"{v.severity} {v.rule} {where(v)}: {v.message}" for v in hits)
    errors = [v for v in hits if v.severity == "error"]
    if errors:
        failure = ET.SubElement(
            case, "failure", message=xml_text(errors[0].message), type=xml_text(errors[0].rule)
        )
        failure.text = xml_text(listing)
    elif hits:
        ET.SubElement(case, "system-out").text = xml_text(listing)
    return bool(errors)


def _testsuite(root: ET.Element, report: CommitReport) -> tuple[int, int]:
    name = f"{report.commit[:12]} {report.summary}"
    suite = ET.SubElement(root, "testsuite", name=xml_text(name))
    by_rule: dict[str, list[Violation]] = {}
    for v in report.report.violations:
        by_rule.setdefault(v.rule, []).append(v)
    cases = by_rule.items() if by_rule else [("policy", [])]
    failed = sum(_testcase(suite, rule, report.commit, hits) for rule, hits in cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failed))
    suite.set("errors", "0")
    return len(cases), failed


def junit(reports: Sequence[CommitReport]) -> str:
    """A testsuite per commit, a testcase per rule that fired (a failure when any is an error)."""
    root = ET.Element("testsuites", name="git-agent check")
    tests = failures = 0
    for report in reports:
        t, f = _testsuite(root, report)
        tests, failures = tests + t, failures + f
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
