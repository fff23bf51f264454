"""`git agent remove`: worktree and shadow go, the branch and every checkpoint stay; no work is lost."""

from __future__ import annotations

from pathlib import Path

from tests.kit import checkpoint, checkpoints, cli, content_at, git, start, status


def _gone(repo: Path, shadow: Path, worktree: Path) -> None:
    assert not shadow.exists() and not worktree.exists()
    listed = git(repo, "worktree", "list", "--porcelain")
    assert str(worktree) not in listed and "agent/f" not in listed
    assert status(repo)["state"] == "removed"


def test_remove_refuses_while_work_is_unsaved(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    (shadow / "src" / "app.py").write_text("unsaved work\n")
    result = cli(repo, "remove", "f")
    assert result.code == 1, result
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert "--force" in result.err
    assert shadow.is_dir() and worktree.is_dir()
    assert (shadow / "src" / "app.py").read_text() == "unsaved work\n"
    assert status(repo)["state"] == "active" and status(repo)["last_checkpoint"] == 0
    assert str(worktree) in git(repo, "worktree", "list", "--porcelain")


def test_remove_after_a_checkpoint_keeps_branch_and_chain(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    (shadow / "src" / "app.py").write_text("saved work\n")
    made = checkpoint(repo)
    branch = git(repo, "rev-parse", "agent/f")
    result = cli(repo, "remove", "f", "--json")
    assert result.code == 0, result
    assert result.json() == {"feature": "f", "removed": True, "checkpointed": False}
    _gone(repo, shadow, worktree)
    assert git(repo, "rev-parse", "agent/f") == branch
    assert git(repo, "rev-parse", "refs/agent/f/checkpoints") == made["commit"]
    assert [c["number"] for c in checkpoints(repo)] == [0, 1]
    assert content_at(repo, made["commit"], b"src/app.py")[1] == b"saved work\n"


def test_remove_after_a_promotion_needs_no_force(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    (shadow / "src" / "app.py").write_text("promoted work\n")
    assert cli(repo, "promote", "f").code == 0
    head = git(repo, "rev-parse", "agent/f")
    assert cli(repo, "remove", "f").code == 0
    _gone(repo, shadow, worktree)
    assert git(repo, "show", "agent/f:src/app.py") == "promoted work"
    assert git(repo, "rev-parse", "agent/f") == head


def test_remove_force_checkpoints_the_work_first(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    (shadow / "src" / "app.py").write_text("unsaved work\n")
    (shadow / "new.txt").write_text("new\n")
    result = cli(repo, "remove", "f", "--force", "--json")
    assert result.code == 0, result
    assert result.json() == {"feature": "f", "removed": True, "checkpointed": True}
    _gone(repo, shadow, worktree)
    tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
    assert content_at(repo, tip, b"src/app.py")[1] == b"unsaved work\n"
    assert content_at(repo, tip, b"new.txt")[1] == b"new\n"
    assert [c["number"] for c in checkpoints(repo)] == [0, 1]


def test_remove_keeps_stray_worktree_edits(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    (worktree / "README.md").write_text("edited in the worktree\n")
    refused = cli(repo, "remove", "f")
    assert refused.code == 1 and worktree.is_dir() and shadow.is_dir()
    assert cli(repo, "remove", "f", "--force").code == 0
    _gone(repo, shadow, worktree)
    assert git(repo, "show", "refs/agent/f/worktree:README.md") == "edited in the worktree"


def test_second_remove_is_one_line_and_non_zero(repo: Path) -> None:
    start(repo)
    assert cli(repo, "remove", "f").code == 0
    again = cli(repo, "remove", "f")
    assert again.code != 0
    assert len(again.err.strip().splitlines()) == 1 and "Traceback" not in again.err
    assert again.out == ""
    other = cli(repo, "checkpoint", "f")
    assert other.code != 0 and len(other.err.strip().splitlines()) == 1
