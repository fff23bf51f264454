"""`render.text` and `render.output`: what people read, built from plain reports (no CLI)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from supervisor.gitio.change import Change
from supervisor.render import text
from supervisor.render.output import Output, quote_path
from supervisor.rules.engine import Report
from supervisor.rules.types import Violation
from tests.kit import git_bytes, make_repo

OID = "0" * 40


def change(path: str, status: str = "M", old_path: str | None = None, **counts: int) -> Change:
    binary = bool(counts.pop("binary", 0))
    added, deleted = counts.get("added", 0), counts.get("deleted", 0)
    return Change(path, status, old_path, added, deleted, binary, 0o100644, 0o100644, OID, OID)


def printed(write: object, *args: object) -> list[str]:
    buffer = io.StringIO()
    write(Output(buffer, io.StringIO()), *args)  # type: ignore[operator]
    return buffer.getvalue().splitlines()


def test_paths_are_quoted_as_git_quotes_them(tmp_path: Path) -> None:
    names = [
        b"plain.txt",
        b"with space.txt",
        b"tab\there.txt",
        b"new\nline.txt",
        b'"quoted".txt',
        b"back\\slash.txt",
        b"caf\xc3\xa9.txt",
        b"latin1-\xe9.txt",
        b"bell\x07.txt",
    ]
    repo = make_repo(tmp_path / "repo", dict.fromkeys(names, b"x\n"))
    listed = git_bytes(repo, "-c", "core.quotePath=true", "ls-files").decode().splitlines()
    assert sorted(listed) == sorted(quote_path(os.fsdecode(name)) for name in names)


def test_a_report_is_one_line_per_violation_then_the_counts() -> None:
    report = Report(
        [
            Violation("scope.denied", "path is denied", "error", "docs/a.md", None),
            Violation("secrets.token", "a token", "warning", "new\nline.py", 3),
            Violation("size.too-many", "too many files", "error"),
        ],
        [change("docs/a.md"), change("new\nline.py")],
    )
    assert printed(text.report, report) == [
        "error    scope.denied             docs/a.md: path is denied",
        'warning  secrets.token            "new\\nline.py":3: a token',
        "error    size.too-many            -: too many files",
        "2 changed paths, 2 errors, 1 warning",
    ]


def test_one_of_each_is_singular() -> None:
    report = Report([Violation("a.b", "m", "warning")], [change("x")])
    assert printed(text.report, report)[-1] == "1 changed path, 0 errors, 1 warning"
    assert text.plural(0, "error") == "0 errors"


def test_name_status() -> None:
    changes = [
        change("new.py", "A", added=3),
        change("b.bin", "M", binary=1),
        change("to.py", "R", "from.py", added=1, deleted=2),
    ]
    assert printed(text.name_status, changes) == ["A\tnew.py", "M\tb.bin", "R\tfrom.py\tto.py"]


def test_a_verdict_in_words() -> None:
    assert text.verdict_summary(None) == "not validated"
    assert text.verdict_summary(None, short=True) == "-"
    failing = {"ok": False, "errors": 2, "warnings": 1}
    assert text.verdict_summary(failing) == "failing (2 errors, 1 warning)"
    assert text.verdict_summary(failing, short=True) == "2 errors"
    assert text.verdict_summary({"ok": True, "errors": 0, "warnings": 0}, short=True) == "ok"
