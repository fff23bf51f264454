"""Gates 1-4 of issue 3: real hooks fired by real `git commit` and `git push`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.kit import cli, commit_all, git

ROOT = Path(__file__).resolve().parents[2]


def attempt(cwd: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    return bare


def legacy_hook(hooks: Path, name: str, log: Path) -> None:
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / name).write_text(f"#!/bin/sh\ncat > /dev/null\necho {name} >> {log}\n")
    (hooks / name).chmod(0o755)


def test_install_keeps_existing_hook_as_legacy_which_still_runs(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "legacy.log"
    legacy_hook(repo / ".git" / "hooks", "pre-commit", log)
    assert cli(repo, "install-hooks").code == 0
    assert (repo / ".git" / "hooks" / "pre-commit.legacy").exists()
    (repo / "src" / "more.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    assert attempt(repo, "commit", "-qm", "ok").returncode == 0
    assert log.read_text() == "pre-commit\n"


def test_install_is_idempotent_and_uninstall_restores(repo: Path, tmp_path: Path) -> None:
    hooks = repo / ".git" / "hooks"
    legacy_hook(hooks, "pre-push", tmp_path / "log")
    original = (hooks / "pre-push").read_bytes()
    cli(repo, "install-hooks")
    first = {p.name: p.read_bytes() for p in hooks.iterdir()}
    assert cli(repo, "install-hooks").code == 0
    assert {p.name: p.read_bytes() for p in hooks.iterdir()} == first
    assert cli(repo, "install-hooks", "--uninstall").code == 0
    assert (hooks / "pre-push").read_bytes() == original
    assert not (hooks / "pre-push.legacy").exists()
    assert not (hooks / "pre-commit").exists()


def test_pre_commit_blocks_a_violation_and_passes_once_fixed(repo: Path) -> None:
    cli(repo, "install-hooks")
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    blocked = attempt(repo, "commit", "-qm", "env")
    assert blocked.returncode != 0
    assert "scope.denied" in blocked.stdout + blocked.stderr
    assert git(repo, "log", "--format=%s", "-1") == "initial"
    git(repo, "rm", "-q", "--cached", ".env")
    (repo / ".env").unlink()
    (repo / "src" / "ok.py").write_text("ok = True\n")
    git(repo, "add", "-A")
    assert attempt(repo, "commit", "-qm", "fine").returncode == 0


def test_pre_commit_sees_the_index_git_commits_not_the_worktree(repo: Path) -> None:
    cli(repo, "install-hooks")
    (repo / ".env").write_text("TOKEN=1\n")  # untracked and unstaged: not part of the commit
    (repo / "src" / "app.py").write_text("print('changed')\n")
    assert attempt(repo, "commit", "-qam", "only app.py").returncode == 0
    assert "scope.denied" not in attempt(repo, "commit", "-q", "--allow-empty", "-m", "e").stderr


def test_pre_commit_uses_the_plan_in_a_feature_worktree(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[scope]\nallow = ["src/**"]\n')
    assert cli(repo, "start", "f", "--plan", str(plan)).code == 0
    worktree = Path(cli(repo, "status", "f", "--json").json()["worktree"])  # type: ignore[index]
    cli(repo, "install-hooks")
    (worktree / "docs" / "guide.md").write_text("# Changed outside the plan\n")
    git(worktree, "add", "-A")
    blocked = attempt(worktree, "commit", "-qm", "docs")
    assert blocked.returncode != 0 and "scope.outside" in blocked.stdout + blocked.stderr
    (repo / "docs" / "guide.md").write_text("# The same change, in the main checkout\n")
    git(repo, "add", "-A")
    assert attempt(repo, "commit", "-qm", "docs").returncode == 0


def test_pre_push_checks_every_pushed_ref(repo: Path, remote: Path) -> None:
    cli(repo, "install-hooks")
    git(repo, "checkout", "-qb", "clean")
    (repo / "src" / "a.py").write_text("a = 1\n")
    commit_all(repo, "clean work")
    git(repo, "checkout", "-qb", "dirty", "main")
    (repo / "src" / "b.py").write_text("b = 1\n")
    commit_all(repo, "fine first")
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "sneaks in", "--no-verify")
    (repo / "src" / "c.py").write_text("c = 1\n")
    commit_all(repo, "fine after")
    pushed = attempt(repo, "push", "origin", "clean", "dirty")
    assert pushed.returncode != 0
    assert "sneaks in" in pushed.stdout + pushed.stderr
    assert "scope.denied" in pushed.stdout + pushed.stderr
    assert "fine after" not in pushed.stdout + pushed.stderr
    assert git(remote, "branch", "--list") == "* main"
    assert attempt(repo, "push", "-q", "origin", "clean").returncode == 0


def test_pre_push_deletion_checks_nothing(repo: Path, remote: Path) -> None:
    git(repo, "checkout", "-qb", "old")
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bad but already pushed", "--no-verify")
    git(repo, "push", "-q", "origin", "old")
    cli(repo, "install-hooks")
    assert attempt(repo, "push", "-q", "origin", ":old").returncode == 0


def test_pre_push_only_new_commits_of_a_new_branch(repo: Path, remote: Path) -> None:
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "old violation", "--no-verify")
    git(repo, "push", "-q", "origin", "main")
    cli(repo, "install-hooks")
    git(repo, "checkout", "-qb", "topic")
    (repo / "src" / "t.py").write_text("t = 1\n")
    commit_all(repo, "topic work")
    assert attempt(repo, "push", "-q", "origin", "topic").returncode == 0


def test_hooks_path_and_linked_worktree(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "linked"), "-b", "linked")
    assert cli(tmp_path / "linked", "install-hooks").code == 0
    assert (repo / ".git" / "hooks" / "pre-commit").exists()
    git(repo, "config", "core.hooksPath", "githooks")
    assert cli(repo, "install-hooks").code == 0
    assert (repo / "githooks" / "pre-push").exists()
    (repo / ".env").write_text("x\n")
    git(repo, "add", ".env")
    assert attempt(repo, "commit", "-qm", "env").returncode != 0
    git(tmp_path / "linked", "config", "core.hooksPath", str(repo / "githooks"))
    (tmp_path / "linked" / ".env").write_text("x\n")
    git(tmp_path / "linked", "add", ".env")
    assert attempt(tmp_path / "linked", "commit", "-qm", "env").returncode != 0


def test_hook_with_unreadable_push_input_is_a_usage_error(repo: Path) -> None:
    proc = subprocess.run(
        ["git-agent", "hook", "pre-push", "origin", "url"],
        cwd=repo,
        input="not four fields\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "cannot read the line" in proc.stderr


@pytest.mark.slow
def test_pre_commit_framework_runs_our_hooks(repo: Path, tmp_path: Path) -> None:
    """`pre-commit try-repo` against this checkout: fails with the rule id, passes once fixed."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"))
    env = {k: v for k, v in env.items() if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"}
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    command = ["pre-commit", "try-repo", str(ROOT), "git-agent-policy", "--verbose"]
    failed = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "scope.denied" in failed.stdout
    git(repo, "rm", "-q", "--cached", ".env")
    (repo / ".env").unlink()
    passed = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
