"""`render.formats`: the reports of `check` in every format, built from plain per-commit reports
(no git, no CLI), with hostile paths and messages."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from supervisor.gates.push import CommitReport
from supervisor.gitio.change import Change
from supervisor.render import formats
from supervisor.rules.engine import Report
from supervisor.rules.types import Violation

SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
A, B = "a" * 40, "b" * 40
HOSTILE_PATH = "dir/new\nline-\udce9.txt"  # a newline and a byte that is not UTF-8
HOSTILE_MESSAGE = "50% of <b>it</b>, a \x1b[31mcolour\x1b[0m\r\nand a | pipe"


def reports() -> list[CommitReport]:
    first = Report(
        [
            Violation("scope.denied", HOSTILE_MESSAGE, "error", HOSTILE_PATH, 2),
            Violation("size.too-many", "too many files", "warning"),
        ],
        [Change(HOSTILE_PATH, "A", None, 2, 0, False, 0o100644, None, "c" * 40, None)],
    )
    second = Report([], [])
    return [CommitReport(A, "first: with <markup>", first), CommitReport(B, "second", second)]


def test_text_keeps_one_record_per_line() -> None:
    out = formats.text(reports(), A).splitlines()
    assert len(out) == 3
    assert out[0].startswith(f"{A[:12]} error    scope.denied")
    assert '"dir/new\\nline-\\351.txt":2' in out[0]
    assert out[-1] == (f"2 commits, 1 changed path, 1 error, 1 warning (policy of base {A[:12]})")


def test_json_serialises_and_keeps_every_key() -> None:
    data = formats.as_json(reports(), A, B)
    text = json.dumps(data)  # surrogates and control characters are escaped, never raw
    assert json.loads(text)["ok"] is False
    assert [c["commit"] for c in data["commits"]] == [A, B]
    assert data["violations"][0]["commit"] == A and data["violations"][0]["line"] == 2
    assert data["changes"][0]["path"] == HOSTILE_PATH


def test_sarif_is_valid_and_names_raw_bytes() -> None:
    data = formats.sarif(reports(), A, B)
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    validator.validate(json.loads(json.dumps(data)))
    [run] = data["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["scope.denied", "size.too-many"]
    located, pathless = run["results"]
    uri = located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir/new%0Aline-%E9.txt"
    assert "locations" not in pathless and pathless["ruleIndex"] == 1


def test_junit_parses_with_a_failure_for_an_error() -> None:
    root = ET.fromstring(formats.junit(reports()))
    assert (root.get("tests"), root.get("failures")) == ("3", "1")
    first, second = root.findall("testsuite")
    assert first.get("name") == f"{A[:12]} first: with <markup>"
    cases = {c.get("name"): c for c in first.findall("testcase")}
    failure = cases["scope.denied"].find("failure")
    assert failure is not None and failure.get("type") == "scope.denied"
    assert "\\x1b" in (failure.get("message") or "")  # XML cannot hold ESC: it is escaped
    assert cases["size.too-many"].find("failure") is None
    assert [c.get("name") for c in second.findall("testcase")] == ["policy"]


def test_github_annotations_escape_and_stay_on_one_line() -> None:
    out = formats.github(reports(), A, summary_written=False).splitlines()
    error, warning, summary = out
    assert error.startswith("::error file=dir/new%0Aline-\ufffd.txt,line=2,title=scope.denied::")
    assert "50%25 of" in error and "%0D%0A" in error
    assert warning.startswith("::warning title=size.too-many::too many files")
    assert summary.startswith("git-agent check: 2 commits")


def test_the_step_summary_escapes_markdown_and_html() -> None:
    table = formats.markdown(reports(), A, B)
    row = next(line for line in table.splitlines() if "scope.denied" in line)
    assert "&lt;b&gt;it&lt;/b&gt;" in row and "a \\| pipe" in row
    assert "\n" not in row and "\x1b" not in row


def test_a_clean_range_is_ok_everywhere() -> None:
    clean = [CommitReport(B, "second", Report([], []))]
    assert formats.ok(clean) and formats.counts(clean) == (0, 0)
    assert formats.as_json(clean, A, B)["ok"] is True
    assert ET.fromstring(formats.junit(clean)).get("failures") == "0"
    assert formats.sarif(clean, A, B)["runs"][0]["results"] == []
