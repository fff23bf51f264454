"""path.*: control characters, non-UTF-8 names, Windows names, case collisions, long paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_agent_plugins.paths import (
    bad_byte,
    case_key,
    control_char,
    git_agent_check_changes,
    windows_problem,
)

from supervisor.config.rules import Layer, Rules
from supervisor.gitio.changes import changes_between
from supervisor.gitio.repo import Repo
from supervisor.rules.context import RuleContext
from tests.kit import (
    blob_entry,
    cli,
    commit_all,
    commit_policy,
    evaluate_entries,
    git,
    levels_of,
    paths_of,
    start,
    verdict,
)

# The other plugin families are someone else's tests; keep them out of these verdicts.
ENV: dict[str, str] = {}  # every plugin on: a verdict with one blocked is incomplete


def validate(repo: Path, name: str = "f") -> tuple[int, list[dict[str, object]]]:
    """`validate --json` of this family's plugins: the exit code and the violations."""
    code, report = verdict(repo, name, ENV)
    return code, report["violations"]


def write(root: Path, rel: str | bytes, text: bytes = b"x\n") -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text)


@pytest.mark.parametrize(
    "path",
    [
        *["aux.txt", "CON", "src/nul", "Com1.log", "lpt9.x.y", "nul .c", "CONOUT$", "LPT¹"],
        *["trailing.", "dir./x", "space ", "a<b", "a>b", "a:b", 'a"b', "a|b", "a?b", "a*b", "a\\b"],
    ],
)
def test_windows_cannot_check_out(path: str) -> None:
    assert windows_problem(path) is not None


@pytest.mark.parametrize(
    "path", ["auxiliary.txt", "console.log", "com0", "lpt10", "src/.hidden", "a b.txt", "nul_x"]
)
def test_windows_can_check_out(path: str) -> None:
    assert windows_problem(path) is None


def test_character_helpers() -> None:
    assert control_char("a\nb") == "U+000A" and control_char("a\x7f") == "U+007F"
    assert control_char("caf\u00e9 \u0085") == "U+0085" and control_char("café") is None
    assert bad_byte(os.fsdecode(b"caf\xe9")) == "0xe9" and bad_byte("café") is None
    assert case_key("README.md") == case_key("readme.MD")
    assert case_key("e\u0301.txt") == case_key("\u00c9.TXT")  # NFD and NFC are one name on macOS


def test_control_characters_and_encoding(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    write(shadow, "bad\nname.txt")
    write(shadow, "src/tab\there.py")
    write(shadow, b"caf\xe9.txt")
    write(shadow, "café.txt")  # legitimate: UTF-8
    write(shadow, "a name with spaces.md")  # legitimate
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "path.") == {
        ("path.control", "bad\nname.txt"),
        ("path.control", "src/tab\there.py"),
        ("path.encoding", os.fsdecode(b"caf\xe9.txt")),
    }


def test_non_utf8_names_in_the_text_report(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    write(shadow, b"caf\xe9\n.txt")
    result = cli(repo, "validate", "f", env=ENV)
    assert result.code == 1 and "Traceback" not in result.err
    assert "path.encoding" in result.out and "path.control" in result.out


def test_windows_names_warn_by_default(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    hostile = ["aux.txt", "src/CON", "notes.", "docs/end ", "q?.md", "a<b>.txt"]
    for rel in hostile:
        write(shadow, rel)
    write(shadow, "auxiliary.txt")
    write(shadow, "src/console.py")
    code, violations = validate(repo)
    assert code == 0, "warnings only"
    assert paths_of(violations, "path.") == {("path.windows", p) for p in hostile}
    assert levels_of(violations, "path.") == {("path.windows", "warning")}


def test_windows_names_as_errors_by_policy(repo: Path) -> None:
    commit_policy(repo, '[rules]\n"path.windows" = "error"\n')
    shadow = start(repo, env=ENV).shadow
    write(shadow, "aux.txt")
    code, violations = validate(repo)
    assert code == 1 and levels_of(violations, "path.") == {("path.windows", "error")}


def test_an_old_name_that_is_only_modified_is_not_judged(repo: Path) -> None:
    write(repo, "aux.txt")
    commit_all(repo, "legacy name")
    shadow = start(repo, env=ENV).shadow
    write(shadow, "aux.txt", b"changed\n")
    _, violations = validate(repo)
    assert paths_of(violations, "path.") == set()


def test_case_collisions_with_the_tree_and_within_the_change(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    write(shadow, "readme.md")  # README.md is in the base
    write(shadow, "SRC/new.py")  # src/ is in the base
    write(shadow, "Notes.txt")
    write(shadow, "notes.txt")
    write(shadow, "docs/other.md")  # legitimate
    code, violations = validate(repo)
    assert code == 0, "warnings only"
    assert paths_of(violations, "path.") == {
        ("path.case-collision", "readme.md"),
        ("path.case-collision", "SRC/new.py"),
        ("path.case-collision", "Notes.txt"),
        ("path.case-collision", "notes.txt"),
    }
    message = next(v["message"] for v in violations if v["path"] == "SRC/new.py")
    assert "'src'" in str(message)


def test_a_rename_that_only_changes_case_does_not_collide(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    (shadow / "README.md").rename(shadow / "readme.md")
    _, violations = validate(repo)
    assert paths_of(violations, "path.") == set()


def test_too_long_with_configured_limits(repo: Path) -> None:
    commit_policy(repo, "[plugins.path]\nmax_path_bytes = 40\nmax_component_bytes = 20\n")
    shadow = start(
        repo, plan="[plugins.path]\nmax_component_bytes = 500\n", env=ENV
    ).shadow  # cannot raise it
    write(shadow, "src/" + "a" * 21 + ".py")
    write(shadow, "d/" * 19 + "x")  # 39 bytes: fits
    write(shadow, "d/" * 20 + "x")  # 41 bytes
    write(shadow, "é" * 10)  # 20 bytes: fits
    write(shadow, "é" * 10 + "x")  # 21 bytes
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "path.") == {
        ("path.too-long", "src/" + "a" * 21 + ".py"),
        ("path.too-long", "d/" * 20 + "x"),
        ("path.too-long", "é" * 10 + "x"),
    }


def test_too_long_defaults_on_a_tree(repo: Path) -> None:
    """Names no Linux file system holds can still arrive in a commit."""
    start(repo, env=ENV)
    entry = blob_entry(repo, b"x\n")
    long_part = b"b" * 256
    deep = b"/".join([b"c" * 200] * 21)  # 4220 bytes
    report = evaluate_entries(repo, {long_part: entry, deep: entry, b"a" * 255: entry}, env=ENV)
    assert sorted((v.rule, len(v.path or "")) for v in report.violations) == [
        ("path.too-long", 256),
        ("path.too-long", 4220),
    ]


def test_allow_list_exempts_paths_and_a_plan_cannot_widen_it(repo: Path) -> None:
    commit_policy(repo, '[plugins.path]\nallow = ["vendor/**"]\n')
    shadow = start(repo, plan='[plugins.path]\nallow = ["**"]\n', env=ENV).shadow
    write(shadow, "vendor/legacy/aux.c")
    write(shadow, "src/aux.c")
    _, violations = validate(repo)
    assert paths_of(violations, "path.") == {("path.windows", "src/aux.c")}


def test_unknown_key_is_a_config_error(repo: Path) -> None:
    commit_policy(repo, "[plugins.path]\nmax_bytes = 10\n")
    result = cli(repo, "start", "f", env=ENV)
    assert result.code == 2 and "max_bytes" in result.err and "Traceback" not in result.err


def test_without_a_tree_only_the_change_set_is_compared(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    write(repo, "readme.md")  # collides with README.md, which only the tree knows
    write(repo, "A.txt")
    write(repo, "a.txt")
    head = commit_all(repo, "collisions")
    store = Repo.open(repo)
    changes = changes_between(store, store.commit_tree(base), store.commit_tree(head))
    blind = RuleContext(Rules(Layer()), store)
    assert {v.path for v in git_agent_check_changes(changes, blind)} == {"A.txt", "a.txt"}
    seeing = RuleContext(Rules(Layer()), store, tree=store.commit_tree(head))
    assert {v.path for v in git_agent_check_changes(changes, seeing)} == {
        "A.txt",
        "a.txt",
        "readme.md",
    }
