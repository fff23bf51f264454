"""size.*: bytes of one file, files changed, lines added/deleted, the shadow's disk quota."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_agent_plugins import size

from supervisor.config.load import load_policy
from supervisor.config.rules import Rules
from supervisor.gitio.repo import Repo
from supervisor.rules.context import RuleContext
from tests.kit import Found, found, start, verdict


def validate(repo: Path, name: str = "f") -> tuple[int, Found]:
    code, data = verdict(repo, name)
    assert data["ok"] == (code == 0)
    return code, found(data, ("size.",))


def test_huge_file_is_reported_by_its_header(repo: Path) -> None:
    shadow = start(repo, policy="[limits]\nmax_file_bytes = 1_000_000\n").shadow
    with (shadow / "huge.dat").open("wb") as f:
        f.truncate(20 << 20)  # 20 MB, sparse: must be neither loaded whole nor slow
    (shadow / "small.txt").write_text("x" * 1_000_000)  # exactly the limit: fine
    code, found = validate(repo)
    assert code == 1
    assert found == [("size.file", "error", "huge.dat")]


def test_file_size_legitimate_cases(repo: Path) -> None:
    base = repo / "vendor"
    base.mkdir()
    (base / "old.bin").write_bytes(b"\1" * 2_000_000)  # already over the limit in the base
    shadow = start(
        repo, policy='[limits]\nmax_file_bytes = 1_000_000\n[plugins.size]\nallow = ["*.lock"]\n'
    ).shadow
    (shadow / "vendor" / "old.bin").rename(shadow / "vendor" / "renamed.bin")  # same bytes
    (shadow / "package.lock").write_text("y" * 2_000_000)  # allowed by path
    code, found = validate(repo)
    assert (code, found) == (0, [])


def test_plan_narrows_the_size_allow_list(repo: Path) -> None:
    policy = '[limits]\nmax_file_bytes = 100\n[plugins.size]\nallow = ["*.lock", "data/**"]\n'
    plan = '[plugins.size]\nallow = ["data/**", "*.csv"]\n'
    shadow = start(repo, policy=policy, plan=plan).shadow
    (shadow / "data").mkdir()
    (shadow / "data" / "a.lock").write_text("z" * 200)  # allowed by both
    (shadow / "b.lock").write_text("z" * 200)  # the plan does not allow it
    (shadow / "c.csv").write_text("z" * 200)  # the policy does not allow it
    code, found = validate(repo)
    assert code == 1
    assert found == [("size.file", "error", "b.lock"), ("size.file", "error", "c.csv")]


def test_files_changed(repo: Path) -> None:
    shadow = start(repo, policy="[limits]\nmax_files_changed = 2\n").shadow
    (shadow / "src" / "app.py").write_text("print(1)\n")
    (shadow / "new.txt").write_text("new\n")
    assert validate(repo) == (0, [])
    (shadow / "third.txt").write_text("third\n")
    code, found = validate(repo)
    assert code == 1
    assert found == [("size.files-changed", "error", None)]


def test_plan_only_tightens_files_changed(repo: Path) -> None:
    shadow = start(
        repo, policy="[limits]\nmax_files_changed = 1\n", plan="[limits]\nmax_files_changed = 10\n"
    ).shadow
    (shadow / "a.txt").write_text("a\n")
    (shadow / "b.txt").write_text("b\n")
    assert validate(repo)[1] == [("size.files-changed", "error", None)]


def test_lines_added_and_deleted(repo: Path) -> None:
    (repo / "notes.txt").write_text("".join(f"line {i}\n" for i in range(10)))
    shadow = start(repo, policy="[limits]\nmax_lines_added = 5\nmax_lines_deleted = 3\n").shadow
    (shadow / "notes.txt").write_text("".join(f"line {i}\n" for i in range(7)))  # 3 deleted
    (shadow / "more.txt").write_text("1\n2\n3\n4\n5\n")  # 5 added
    assert validate(repo) == (0, [])
    (shadow / "notes.txt").write_text("line 0\n")  # 9 deleted
    (shadow / "more.txt").write_text("1\n2\n3\n4\n5\n6\n")  # 6 added
    code, found = validate(repo)
    assert code == 1
    assert found == [("size.lines-added", "error", None), ("size.lines-deleted", "error", None)]


def test_allowed_paths_stay_out_of_line_totals(repo: Path) -> None:
    policy = '[limits]\nmax_lines_added = 5\n[plugins.size]\nallow = ["*.lock"]\n'
    shadow = start(repo, policy=policy).shadow
    (shadow / "deps.lock").write_text("dep\n" * 1000)
    assert validate(repo) == (0, [])


def test_severity_can_be_lowered_by_the_policy(repo: Path) -> None:
    policy = '[limits]\nmax_lines_added = 0\n[rules]\n"size.lines-added" = "warning"\n'
    shadow = start(repo, policy=policy).shadow
    (shadow / "more.txt").write_text("1\n")
    assert validate(repo) == (0, [("size.lines-added", "warning", None)])


def test_disk_quota_counts_ignored_files(repo: Path) -> None:
    (repo / ".gitignore").write_text("out/\n")
    shadow = start(repo, policy="[limits]\ndisk_quota_bytes = 1_000_000\n").shadow
    (shadow / "out").mkdir()
    (shadow / "out" / "run.log").write_bytes(b"log\n" * 100_000)  # 400 kB: under the quota
    assert validate(repo) == (0, [])
    (shadow / "out" / "more.log").write_bytes(b"log\n" * 200_000)  # ignored, yet counted
    code, found = validate(repo)
    assert code == 1
    assert found == [("size.disk-quota", "error", None)]


def test_disk_quota_skips_the_shadow_git_and_symlink_targets(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big").write_bytes(b"\0" * 3_000_000)
    shadow = start(repo, policy="[limits]\ndisk_quota_bytes = 1_000_000\n").shadow
    (shadow / ".git" / "junk").write_bytes(b"\0" * 3_000_000)  # the shadow's own .git
    (shadow / "link").symlink_to(outside, target_is_directory=True)  # never followed
    (shadow / "file-link").symlink_to(outside / "big")
    assert validate(repo)[1] == []


def test_disk_usage_walk(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "objects").write_bytes(b"x" * 1000)
    (root / "sub" / ".git").mkdir(parents=True)  # a nested .git is the agent's content
    (root / "sub" / ".git" / "x").write_bytes(b"x" * 10)
    (root / "a").write_bytes(b"x" * 5)
    weird = os.fsencode(root) + b"/\xff\xfe-not-utf8"
    with open(weird, "wb") as f:
        f.write(b"x" * 7)
    (root / "loop").symlink_to(root, target_is_directory=True)
    link_size = len(os.fsencode(root))
    assert size.disk_usage(root) == 10 + 5 + 7 + link_size
    assert size.disk_usage(root, stop_after=0) > 0


def test_no_quota_without_a_shadow(repo: Path) -> None:
    (repo / "big").write_bytes(b"\0" * 2000)
    rules = Rules(load_policy(b"version = 1\n[limits]\ndisk_quota_bytes = 10\n"))
    ctx = RuleContext(rules, Repo.open(repo), None)
    assert size.git_agent_check_changes([], ctx) == []
    with_root = RuleContext(rules, Repo.open(repo), repo)
    assert [v.rule for v in size.git_agent_check_changes([], with_root)] == ["size.disk-quota"]


def test_slow_quota_walks_are_reused_briefly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from git_agent_plugins import size

    root = tmp_path / "shadow"
    root.mkdir()
    (root / "a").write_bytes(b"x" * 100)
    monkeypatch.setattr(size, "_walks", {})
    monkeypatch.setattr(size, "SLOW_WALK", -1.0)  # every walk counts as slow
    assert size._recent_usage(root, 10_000) == 100
    (root / "b").write_bytes(b"y" * 50)
    assert size._recent_usage(root, 10_000) == 100  # reused
    monkeypatch.setattr(size, "REUSE_WALK", 0.0)
    assert size._recent_usage(root, 10_000) == 150  # walked again
