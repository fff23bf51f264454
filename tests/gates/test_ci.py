"""`gates.ci.check_range` called directly on real repositories (no CLI): every commit of
base..head on its own, oldest first, under the policy of base; a merge judged only on what
none of its parents has."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supervisor.gates.ci import base_rules, check_range
from supervisor.gates.push import CommitReport
from supervisor.gitio.objects import MODE_FILE, MODE_LINK
from tests.kit import Link, commit_all, commit_policy, gate, git, git_code, write_files

POLICY = '[scope]\ndeny = ["secret/**"]\n'


def check_all(repo: Path, base: str, head: str = "HEAD") -> tuple[list[CommitReport], int]:
    """check_range over base..head: the reports, and how many commits predate the policy."""
    with gate(repo) as found:
        base = found.git.resolve_commit(base)
        head = found.git.resolve_commit(head)
        return check_range(found, base_rules(found, base), base, head)


def check(repo: Path, base: str, head: str = "HEAD") -> list[CommitReport]:
    reports, skipped = check_all(repo, base, head)
    assert skipped == 0  # every base here has a policy: nothing predates it
    return reports


def changed(found: CommitReport) -> dict[str, tuple[str, str | None]]:
    return {c.path: (c.status, c.old_path) for c in found.report.changes}


def scope(found: CommitReport) -> set[tuple[str, str | None]]:
    return {(v.rule, v.path) for v in found.report.violations if v.rule.startswith("scope.")}


def commit(repo: Path, files: dict[str, object], message: str) -> str:
    write_files(repo, files)  # type: ignore[arg-type]
    return commit_all(repo, message)


@pytest.fixture
def based(repo: Path) -> tuple[Path, str]:
    """`repo` with a policy denying secret/**, and the commit that holds it."""
    return repo, commit_policy(repo, POLICY)


def test_each_commit_on_its_own_oldest_first(based: tuple[Path, str]) -> None:
    repo, base = based
    one = commit(repo, {"secret/a.txt": "a\n"}, "one")
    two = commit(repo, {"src/b.py": "b = 1\n"}, "two")
    three = commit(repo, {"secret/a.txt": None}, "three")
    reports = check(repo, base)
    assert [(r.commit, r.summary) for r in reports] == [
        (one, "one"),
        (two, "two"),
        (three, "three"),
    ]
    assert [changed(r) for r in reports] == [
        {"secret/a.txt": ("A", None)},
        {"src/b.py": ("A", None)},
        {"secret/a.txt": ("D", None)},
    ]
    assert [scope(r) for r in reports] == [
        {("scope.denied", "secret/a.txt")},
        set(),
        {("scope.denied", "secret/a.txt")},  # a deletion there is a change there too
    ]


def test_the_policy_of_base_judges_a_range_that_loosens_it(based: tuple[Path, str]) -> None:
    repo, base = based
    commit_policy(repo, "version = 1\n", "loosen the policy")
    commit(repo, {"secret/key.txt": "k\n"}, "add a secret")
    loosen, add = check(repo, base)
    assert ("git.policy", ".git-agent/policy.toml") in {
        (v.rule, v.path) for v in loosen.report.violations
    }
    assert scope(add) == {("scope.denied", "secret/key.txt")}


def test_history_before_the_policy_is_adopted_is_not_judged(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"secret/old.txt": "before any policy\n"}, "old history")
    adopt = commit_policy(repo, POLICY, "adopt a policy")
    after = commit(repo, {"src/new.py": "n = 1\n"}, "new work")
    reports, skipped = check_all(repo, base)
    assert skipped == 1
    assert [r.commit for r in reports] == [adopt, after]
    assert [n for n in reports[0].report.notices if "adopts the policy" in n]
    assert all(r.report.ok for r in reports)


def test_an_empty_range_judges_nothing(based: tuple[Path, str]) -> None:
    repo, base = based
    assert check(repo, base, base) == []


def test_rename_type_change_binary_and_hostile_names(based: tuple[Path, str]) -> None:
    repo, base = based
    commit(repo, {"src/app.py": None, "secret/app.py": "print('hello')\n"}, "rename into secret/")
    write_files(repo, {"README.md": Link("docs/guide.md")})
    commit_all(repo, "README becomes a link")
    write_files(repo, {"data.bin": b"\x00\xff\x00binary"})
    commit_all(repo, "a binary")
    hostile = [b"docs/new\nline.md", b"docs/caf\xe9.md", b"secret/tab\there.txt"]
    write_files(repo, {name: b"text\n" for name in hostile})
    commit_all(repo, "hostile names")
    rename, link, binary, names = check(repo, base)
    assert changed(rename) == {"secret/app.py": ("R", "src/app.py")}
    assert scope(rename) == {("scope.denied", "secret/app.py")}
    [retyped] = link.report.changes
    assert (retyped.status, retyped.old_mode, retyped.mode) == ("T", MODE_FILE, MODE_LINK)
    [blob] = binary.report.changes
    assert blob.binary and blob.added == 0 and list(blob.added_lines()) == []
    assert sorted(os.fsencode(c.path) for c in names.report.changes) == sorted(hostile)
    assert scope(names) == {("scope.denied", os.fsdecode(hostile[2]))}
    assert {(v.rule, v.path) for v in names.report.violations if v.rule.startswith("path.")} >= {
        ("path.control", os.fsdecode(hostile[0])),
        ("path.encoding", os.fsdecode(hostile[1])),
    }


def test_a_merge_is_judged_only_on_what_no_parent_has(based: tuple[Path, str]) -> None:
    repo, base = based
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, {"secret/side.txt": "side\n", "shared.txt": "side\n"}, "side")
    git(repo, "checkout", "-q", "main")
    main = commit(repo, {"src/main.py": "m = 1\n", "shared.txt": "main\n"}, "main")
    assert git_code(repo, "merge", "--no-commit", "--no-ff", "side") != 0  # a conflict
    # the conflict resolved by hand, and an "evil" edit no parent has
    write_files(repo, {"shared.txt": "resolved\n", "secret/evil.txt": "evil\n"})
    merge = commit_all(repo, "merge side")
    reports = {r.commit: r for r in check(repo, base)}
    assert set(reports) == {side, main, merge}
    assert changed(reports[merge]) == {"secret/evil.txt": ("A", None), "shared.txt": ("M", None)}
    assert scope(reports[merge]) == {("scope.denied", "secret/evil.txt")}
    assert scope(reports[side]) == {("scope.denied", "secret/side.txt")}


def test_a_merge_of_the_base_brings_nothing_to_judge(repo: Path) -> None:
    """History that the base already has is not judged again through a merge."""
    fork = commit_all(repo, "fork point")
    commit(repo, {"secret/old.txt": "from before the policy\n"}, "old history")
    base = commit_policy(repo, POLICY)
    git(repo, "checkout", "-q", "-b", "feature", fork)
    work = commit(repo, {"src/work.py": "w = 1\n"}, "work")
    git(repo, "merge", "-q", "--no-edit", "main")
    merge = git(repo, "rev-parse", "HEAD")
    reports = check(repo, base)
    assert [r.commit for r in reports] == [work, merge]
    assert changed(reports[1]) == {}
    assert all(r.report.ok for r in reports)
