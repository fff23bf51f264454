"""Invariant 1: nothing the agent does with git in its shadow reaches the user's repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit import (
    checkpoint,
    cli,
    commit_all,
    expected_tree,
    git,
    start,
    status,
    tree_of,
    user_state,
)

HOOK = '#!/bin/sh\necho ran in "$PWD" >> {marker}\n'


def _try_git(cwd: Path, *args: str) -> int:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True).returncode


def _extra_state(repo: Path) -> dict[str, object]:
    gitdir = repo / ".git"
    return {
        "exclude": (gitdir / "info" / "exclude").read_bytes(),
        "hook-bytes": {p.name: p.read_bytes() for p in (gitdir / "hooks").iterdir()},
        "packed-refs": (gitdir / "packed-refs").read_bytes()
        if (gitdir / "packed-refs").exists()
        else None,
        "worktrees": git(repo, "worktree", "list", "--porcelain"),
    }


def test_git_in_the_shadow_changes_nothing_in_the_users_repository(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "wip.txt").write_text("the user's own uncommitted work\n")
    shadow = start(repo).shadow
    before, extra = user_state(repo), _extra_state(repo)
    marker = tmp_path / "hook-ran"
    hook = shadow / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(HOOK.format(marker=marker))
    os.chmod(hook, 0o755)
    (shadow / "src" / "app.py").write_text("print('agent')\n")
    (shadow / "agent.txt").write_text("agent\n")
    git(shadow, "add", "-A")
    git(shadow, "commit", "-qm", "the agent commits")
    assert marker.read_text().strip() == f"ran in {shadow}"  # the agent's hook, in its repo
    marker.unlink()
    head = git(shadow, "rev-parse", "HEAD")
    for args in (
        ("branch", "evil"),
        ("branch", "-f", "main", head),
        ("update-ref", "refs/heads/master", head),
        ("tag", "-a", "-m", "t", "v-evil"),
        ("checkout", "-q", "-b", "side"),
        ("config", "user.name", "Evil Agent"),
        ("config", "core.hooksPath", str(tmp_path)),
        ("config", "include.path", str(tmp_path / "evil.cfg")),
        ("remote", "add", "origin", str(repo)),
        ("notes", "add", "-m", "note", "HEAD"),
        ("symbolic-ref", "HEAD", "refs/heads/evil"),
        ("reflog", "expire", "--expire=now", "--all"),
        ("gc", "-q", "--prune=now"),
    ):
        git(shadow, *args)
    # git-agent's own commands on the feature, and they still work after all that
    made = checkpoint(repo)
    assert made["created"]
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, status(repo)["base"])
    assert cli(repo, "validate", "f").code == 0
    assert cli(repo, "diff", "f", "--stat").code == 0
    assert user_state(repo) == before
    assert _extra_state(repo) == extra
    assert git(repo, "config", "--get", "user.name") == "Test User"
    assert _try_git(repo, "config", "--get", "core.hooksPath") == 1
    fsck = subprocess.run(["git", "fsck", "--connectivity-only"], cwd=repo, capture_output=True)
    assert fsck.returncode == 0, fsck.stderr
    # the agent's hook never runs for the user
    (repo / "wip.txt").write_text("committed by the user\n")
    commit_all(repo, "the user commits")
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["deleted", "broken"])
def test_a_shadow_without_its_git_never_falls_through_to_the_users(repo: Path, damage: str) -> None:
    shadow = start(repo).shadow
    before, extra = user_state(repo), _extra_state(repo)
    if damage == "deleted":
        shutil.rmtree(shadow / ".git")
    else:
        (shadow / ".git" / "HEAD").unlink()
    for args in (
        ("branch", "evil"),
        ("config", "user.name", "Evil Agent"),
        ("tag", "v-evil", "HEAD"),
        ("update-ref", "refs/heads/evil", git(repo, "rev-parse", "HEAD")),
        ("symbolic-ref", "HEAD", "refs/heads/evil"),
    ):
        assert _try_git(shadow, *args) != 0, args
    assert user_state(repo) == before
    assert _extra_state(repo) == extra
    assert git(repo, "config", "--get", "user.name") == "Test User"
    # checkpoints do not depend on the shadow's own repository
    (shadow / "new.txt").write_text("new\n")
    made = checkpoint(repo)
    assert made["created"] and git(repo, "show", f"{made['commit']}:new.txt") == "new"
    # and the agent can make itself a fresh repository there
    if damage == "deleted":
        git(shadow, "init", "-q")
        assert git(shadow, "rev-parse", "--show-toplevel") == str(shadow)
        git(shadow, "branch", "-q", "--list")
    assert user_state(repo) == before


def test_only_promotion_moves_the_feature_branch(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    branch = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print('work')\n")
    checkpoint(repo)
    assert cli(repo, "validate", "f").code == 0
    assert cli(repo, "diff", "f").code == 0
    assert cli(repo, "revert", "f", "--to", "1").code == 0
    assert git(repo, "rev-parse", "agent/f") == branch
    assert git(worktree, "rev-parse", "HEAD") == branch
    assert cli(repo, "promote", "f").code == 0
    assert git(repo, "rev-parse", "agent/f^") == branch
