"""GIT_DIR and GIT_WORK_TREE are honoured as git honours them, by every command: run from a
folder that is no repository at all, everything happens in the repository they name."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.kit import Result, git, git_environ, run_cli, write_files

AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    place = tmp_path / "elsewhere"
    place.mkdir()
    return place


def named(repo: Path, relative_to: Path | None = None) -> dict[str, str]:
    """GIT_DIR and GIT_WORK_TREE naming `repo` (relative to `relative_to` when given)."""
    top = Path("..", repo.name) if relative_to is not None else repo
    return {"GIT_DIR": str(top / ".git"), "GIT_WORK_TREE": str(top)}


def agent(cwd: Path, env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = run_cli(cwd, *args, env=env)
    assert result.code == code, (args, result)
    return result


def git_commit(cwd: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=cwd,
        env=git_environ(env) | {"PATH": git_environ()["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_command_works_on_the_repository_the_variables_name(
    repo: Path, elsewhere: Path
) -> None:
    env = named(repo)
    agent(elsewhere, env, "init")
    assert (repo / ".git-agent" / "policy.toml").is_file()
    assert "pre-commit" in agent(elsewhere, env, "install-hooks").out
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
    git(repo, "add", ".git-agent")
    adopted = git_commit(elsewhere, env, "adopt the policy")  # the shim runs, and passes
    assert adopted.returncode == 0, adopted.stderr

    started = agent(elsewhere, env, "start", "f", "--json").json()
    assert isinstance(started, dict) and started["base"] == git(repo, "rev-parse", "HEAD")
    write_files(Path(started["shadow"]), {"src/new.py": "n = 1\n"})
    assert agent(elsewhere, env, "checkpoint", "f", "--json").json()["number"] == 1  # type: ignore[index]
    assert "f " in agent(elsewhere, env, "list").out
    assert "feature      f (active)" in agent(elsewhere, env, "status").out
    assert agent(elsewhere, env, "status", "f", "--json").json()["checkpoints"] == 2  # type: ignore[index]
    assert len(agent(elsewhere, env, "checkpoints", "f", "--json").json()) == 2  # type: ignore[arg-type]
    assert " src/new.py | 1 +" in agent(elsewhere, env, "diff", "f", "--stat").out
    assert agent(elsewhere, env, "validate", "f", "--json").json()["ok"] is True  # type: ignore[index]
    agent(elsewhere, env, "promote", "f")
    assert git(repo, "show", "agent/f:src/new.py") == "n = 1"
    agent(elsewhere, env, "revert", "f", "--to", "1")
    assert "0 errors" in agent(elsewhere, env, "check", "--base", "HEAD", "--head", "agent/f").out
    agent(elsewhere, env, "gc", "--dry-run")
    agent(elsewhere, env, "remove", "f")
    assert agent(elsewhere, env, "help", "start").out.startswith("usage: git-agent start")
    assert "removed" in agent(elsewhere, env, "install-hooks", "--uninstall").out
    assert list(elsewhere.iterdir()) == []  # nothing was written where the command ran


def test_the_hooks_judge_the_repository_the_variables_name(repo: Path, elsewhere: Path) -> None:
    env = named(repo, relative_to=elsewhere)  # relative, as a user types them
    agent(elsewhere, env, "install-hooks")
    write_files(repo, {".env": f"AWS={AWS_KEY}\n"})
    git(repo, "add", ".env")
    refused = git_commit(elsewhere, env, "leak")
    assert refused.returncode == 1 and "secrets." in refused.stderr + refused.stdout
    staged = agent(elsewhere, env, "hook", "pre-commit", code=1)
    assert "secrets." in staged.out
    assert agent(elsewhere, env, "hook", "files", ".env", code=1).code == 1
    assert list(elsewhere.iterdir()) == []


def test_git_dir_alone_makes_the_current_folder_the_work_tree(repo: Path, tmp_path: Path) -> None:
    """As git does: with GIT_DIR and no GIT_WORK_TREE, the current folder is the top."""
    tree = tmp_path / "tree"
    tree.mkdir()
    env = {"GIT_DIR": str(repo / ".git")}
    agent(tree, env, "init")
    assert (tree / ".git-agent" / "policy.toml").is_file()
    assert not (repo / ".git-agent").exists()
    started = agent(tree, env, "start", "g", "--json").json()
    assert isinstance(started, dict)
    assert Path(started["shadow"]).is_relative_to(repo / ".git")
    assert git(repo, "rev-parse", "agent/g") == git(repo, "rev-parse", "HEAD")


def test_a_feature_command_in_the_worktree_still_finds_the_feature(repo: Path) -> None:
    started = run_cli(repo, "start", "f", "--json").json()
    assert isinstance(started, dict)
    worktree = Path(started["worktree"])
    env = {
        "GIT_DIR": git(worktree, "rev-parse", "--absolute-git-dir"),
        "GIT_WORK_TREE": str(worktree),
    }
    assert agent(repo / "src", env, "status", "f", "--json").json()["feature"] == "f"  # type: ignore[index]
    refused = agent(repo / "src", env, "init", code=1)
    assert "refused in the worktree of feature f" in refused.err
