"""`gates.staged.judge_staged` called directly on real repositories (no CLI, no hook): the
index git is about to commit, against HEAD, under HEAD's policy."""

from __future__ import annotations

import os
from pathlib import Path

from supervisor.gates.staged import judge_staged
from supervisor.gitio.objects import MODE_EXEC, MODE_FILE, MODE_LINK
from supervisor.rules.engine import Report
from tests.kit import Exec, Link, commit_policy, gate, git, git_bytes, make_repo, write_files

POLICY = '[scope]\ndeny = ["secret/**"]\n'


def staged(repo: Path, index_file: Path | None = None) -> Report:
    with gate(repo) as found:
        return judge_staged(found, index_file)


def changes(report: Report) -> dict[str, tuple[str, str | None]]:
    return {c.path: (c.status, c.old_path) for c in report.changes}


def rules(report: Report, family: str) -> set[tuple[str, str | None]]:
    return {(v.rule, v.path) for v in report.violations if v.rule.startswith(family)}


def test_only_the_staged_changes_are_judged_under_heads_policy(repo: Path) -> None:
    commit_policy(repo, POLICY)
    write_files(repo, {"secret/key.txt": "k\n", "src/app.py": "print(1)\n"})
    git(repo, "add", "secret/key.txt", "src/app.py")
    write_files(repo, {"README.md": "edited, not staged\n", "secret/other.txt": "untracked\n"})
    report = staged(repo)
    assert changes(report) == {"secret/key.txt": ("A", None), "src/app.py": ("M", None)}
    assert rules(report, "scope.") == {("scope.denied", "secret/key.txt")}
    assert not report.ok


def test_a_staged_policy_edit_does_not_judge_its_own_commit(repo: Path) -> None:
    commit_policy(repo, POLICY)
    write_files(repo, {".git-agent/policy.toml": "version = 1\n", "secret/key.txt": "k\n"})
    git(repo, "add", "-A")
    report = staged(repo)
    assert ("scope.denied", "secret/key.txt") in rules(report, "scope.")
    # a person may change the policy: not an error, but never silent
    assert rules(report, "git.policy") == set()
    assert [n for n in report.notices if "changes the policy" in n]


def test_nothing_staged_is_ok(repo: Path) -> None:
    write_files(repo, {"README.md": "edited, not staged\n"})
    report = staged(repo)
    assert report.ok and report.changes == [] and report.violations == []


def test_a_rename_is_one_change_with_both_paths(repo: Path) -> None:
    commit_policy(repo, '[scope]\ndeny = ["src/app.py"]\n')
    git(repo, "mv", "src/app.py", "src/main.py")
    report = staged(repo)
    [change] = report.changes
    assert (change.path, change.status, change.old_path) == ("src/main.py", "R", "src/app.py")
    assert (change.added, change.deleted) == (0, 0)
    # the scope plugin sees both sides of the rename
    assert rules(report, "scope.") == {("scope.denied", "src/app.py")}


def test_a_type_change_and_a_mode_change(repo: Path) -> None:
    write_files(repo, {"README.md": Link("docs/guide.md"), "src/app.py": Exec("print('hello')\n")})
    git(repo, "add", "-A")
    report = staged(repo)
    found = {c.path: c for c in report.changes}
    assert set(found) == {"README.md", "src/app.py"}
    readme, app = found["README.md"], found["src/app.py"]
    assert (readme.status, readme.old_mode, readme.mode) == ("T", MODE_FILE, MODE_LINK)
    assert list(readme.added_lines()) == [(1, "docs/guide.md")]
    assert (app.status, app.old_mode, app.mode) == ("M", MODE_FILE, MODE_EXEC)
    assert list(app.added_lines()) == []


def test_a_binary_file_has_no_lines(repo: Path) -> None:
    write_files(repo, {"data.bin": b"\x00\x01\x02binary\x00", "notes.txt": "one\ntwo\n"})
    git(repo, "add", "-A")
    found = {c.path: c for c in staged(repo).changes}
    assert found["data.bin"].binary and found["data.bin"].added == 0
    assert list(found["data.bin"].added_lines()) == []
    assert not found["notes.txt"].binary
    assert list(found["notes.txt"].added_lines()) == [(1, "one"), (2, "two")]


def test_names_with_a_newline_or_a_non_utf8_byte(repo: Path) -> None:
    names = [b"docs/new\nline.md", b"docs/caf\xe9.md", b'docs/"quoted" \\ name.md']
    write_files(repo, {name: b"text\n" for name in names})
    git(repo, "add", "-A")
    report = staged(repo)
    assert sorted(os.fsencode(c.path) for c in report.changes) == sorted(names)
    assert all(c.status == "A" and c.added == 1 for c in report.changes)
    assert rules(report, "path.") == {
        ("path.control", os.fsdecode(names[0])),
        ("path.encoding", os.fsdecode(names[1])),
        ("path.windows", os.fsdecode(names[2])),  # `"` and `\\` cannot be in a Windows name
    }


def test_the_first_commit_is_judged_against_the_empty_tree(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q")
    write_files(repo, {"a.txt": "a\n", ".env": "TOKEN=x\n"})
    git(repo, "add", "-A")
    report = staged(repo)
    assert changes(report) == {".env": ("A", None), "a.txt": ("A", None)}
    # no commit, so no policy: the default preset, which denies .env
    assert rules(report, "scope.") == {("scope.denied", ".env")}


def test_another_index_is_judged_when_git_names_one(repo: Path, tmp_path: Path) -> None:
    commit_policy(repo, POLICY)
    index = tmp_path / "other.index"
    env = {"GIT_INDEX_FILE": str(index)}
    git_bytes(repo, "read-tree", "HEAD", env=env)
    write_files(repo, {"secret/key.txt": "k\n"})
    git_bytes(repo, "add", "secret/key.txt", env=env)
    assert staged(repo).changes == []  # the repository's own index has nothing staged
    report = staged(repo, index)
    assert changes(report) == {"secret/key.txt": ("A", None)}
    assert rules(report, "scope.") == {("scope.denied", "secret/key.txt")}


def test_a_large_staged_set_is_read_whole(tmp_path: Path) -> None:
    files = {f"pkg/m{i:04}.py": f"x = {i}\n" for i in range(1500)}
    repo = make_repo(tmp_path / "big", {"README.md": "big\n"})
    write_files(repo, files)
    git(repo, "add", "-A")
    report = staged(repo)
    assert len(report.changes) == 1500
    assert all(list(c.added_lines()) == [(1, files[c.path].strip())] for c in report.changes)
