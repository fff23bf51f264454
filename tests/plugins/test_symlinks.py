"""symlink.*: absolute targets, escapes (through chains of links), links into .git, allow_symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_agent_plugins.symlinks import Resolution, is_absolute, resolve

from supervisor.gitio.objects import MODE_LINK
from tests.kit import (
    blob_entry,
    commit_all,
    commit_policy,
    evaluate_entries,
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


LINKS = {"docs/up": "..", "abs": "/etc", "loop": "loop", "d": ".git", "s": "src"}


@pytest.mark.parametrize(
    ("link", "target", "expected"),
    [
        ("a", "src/app.py", Resolution(inside="src/app.py")),
        ("x/y", "../z", Resolution(inside="z")),
        ("x/y", "../../z", Resolution(escape="x/y")),
        ("a", "docs/up/..", Resolution(escape="docs/up")),  # lexically `docs`; really `..`
        ("a", "abs/x", Resolution(escape="abs")),
        ("a", "loop", Resolution(loop=True)),
        ("a", "d/config", Resolution(git=".git")),
        ("a", "s/../.GIT/hooks", Resolution(git=".GIT")),
        ("a", "s/./app.py", Resolution(inside="src/app.py")),
        ("w/a", "..\\..\\x", Resolution(escape="w/a")),  # a separator on Windows
    ],
)
def test_resolve(link: str, target: str, expected: Resolution) -> None:
    assert resolve(link, target, LINKS.get) == expected


def test_without_a_tree_resolution_is_lexical() -> None:
    assert resolve("a", "docs/up/..", lambda _: None) == Resolution(inside="docs")


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "C:\\Windows", "c:x", "\\\\server\\share", "\\x"]
)
def test_absolute_targets(target: str) -> None:
    assert is_absolute(target)


def test_absolute_escaping_and_git_links_and_the_legitimate_one(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    os.symlink("/etc/passwd", shadow / "abs")
    os.symlink("../outside", shadow / "up")
    os.symlink("../../../x", shadow / "src" / "deep")
    os.symlink(".git/config", shadow / "g")
    os.symlink("../.GIT/hooks", shadow / "docs" / "hooks")
    os.symlink("app.py", shadow / "src" / "link.py")  # legitimate
    os.symlink("../docs", shadow / "src" / "docs")  # legitimate
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "symlink.") == {
        ("symlink.absolute", "abs"),
        ("symlink.escape", "up"),
        ("symlink.escape", "src/deep"),
        ("symlink.git", "g"),
        ("symlink.git", "docs/hooks"),
    }


def test_chains_are_followed_through_links_already_in_the_tree(repo: Path) -> None:
    os.symlink("..", repo / "docs" / "up")  # points at the top: fine on its own
    commit_all(repo, "a link to the top")
    shadow = start(repo, env=ENV).shadow
    os.symlink("docs/up/..", shadow / "sneaky")  # `docs` lexically, outside in fact
    os.symlink("docs/up/src", shadow / "fine")
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "symlink.") == {("symlink.escape", "sneaky")}
    message = next(v["message"] for v in violations if v["path"] == "sneaky")
    assert "docs/up" in str(message)


def test_chains_through_new_links_and_into_git(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    os.symlink(".git", shadow / "d")
    os.symlink("d/hooks", shadow / "h")
    os.symlink("hop2", shadow / "hop1")
    os.symlink("/tmp", shadow / "hop2")
    os.symlink("hop1/x", shadow / "via")
    os.symlink("loop", shadow / "loop")
    _, violations = validate(repo)
    assert paths_of(violations, "symlink.") == {
        ("symlink.git", "d"),
        ("symlink.git", "h"),
        ("symlink.absolute", "hop2"),
        ("symlink.escape", "hop1"),
        ("symlink.escape", "via"),
    }


def test_allow_symlinks_false_disallows_every_new_link(repo: Path) -> None:
    shadow = start(repo, "by-plan", plan="[limits]\nallow_symlinks = false\n", env=ENV).shadow
    os.symlink("app.py", shadow / "src" / "link.py")
    (shadow / "src" / "more.py").write_text("x = 1\n")  # legitimate: not a link
    code, violations = validate(repo, "by-plan")
    assert code == 1
    assert paths_of(violations, "symlink.") == {("symlink.disallowed", "src/link.py")}

    shadow = start(repo, "allowed", env=ENV).shadow  # the default preset allows links
    os.symlink("app.py", shadow / "src" / "link.py")
    code, violations = validate(repo, "allowed")
    assert code == 0 and paths_of(violations, "symlink.") == set()


def test_allow_list_and_severity_override(repo: Path) -> None:
    commit_policy(
        repo,
        '[plugins.symlink]\nallow = ["sdk"]\n[rules]\n"symlink.escape" = "warning"\n',
    )
    shadow = start(repo, env=ENV).shadow
    os.symlink("/opt/sdk", shadow / "sdk")  # allowed by path
    os.symlink("/opt/other", shadow / "other")  # not allowed
    os.symlink("../sibling", shadow / "sibling")  # only a warning
    os.symlink(".git", shadow / "sdk2")
    code, violations = validate(repo)
    assert paths_of(violations, "symlink.") == {
        ("symlink.absolute", "other"),
        ("symlink.escape", "sibling"),
        ("symlink.git", "sdk2"),
    }
    assert ("symlink.escape", "warning") in levels_of(violations, "symlink.")
    assert code == 1


def test_a_plan_cannot_widen_the_allow_list(repo: Path) -> None:
    shadow = start(repo, plan='[plugins.symlink]\nallow = ["**"]\n', env=ENV).shadow
    os.symlink("/etc", shadow / "etc")
    _, violations = validate(repo)
    assert paths_of(violations, "symlink.") == {("symlink.absolute", "etc")}


def test_a_link_made_from_a_file_in_a_tree(repo: Path) -> None:
    start(repo, env=ENV)
    _, target = blob_entry(repo, b"../../escape")
    report = evaluate_entries(repo, {b"src/app.py": (MODE_LINK, target)}, env=ENV)
    assert [(v.rule, v.path) for v in report.violations] == [("symlink.escape", "src/app.py")]
