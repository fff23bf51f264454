"""The worktree holds promoted work; what someone leaves in it is kept before it is discarded."""

from __future__ import annotations

from pathlib import Path

from tests.kit import cli, git


def paths(repo: Path, name: str) -> tuple[Path, Path]:
    info = cli(repo, "status", name, "--json").json()
    return Path(info["shadow"]), Path(info["worktree"])  # type: ignore[index]


def test_remove_refuses_untracked_worktree_files_then_keeps_them(repo: Path) -> None:
    cli(repo, "start", "f")
    _, worktree = paths(repo, "f")
    (worktree / "notes.txt").write_text("precious\n")
    refused = cli(repo, "remove", "f")
    assert refused.code == 1 and "--force" in refused.err
    assert (worktree / "notes.txt").exists()
    assert cli(repo, "remove", "f", "--force").code == 0
    assert not worktree.exists()
    assert git(repo, "show", "refs/agent/f/worktree:notes.txt") == "precious"


def test_revert_worktree_saves_then_resets_tracked_and_untracked(repo: Path) -> None:
    cli(repo, "start", "f")
    _, worktree = paths(repo, "f")
    (worktree / "README.md").write_text("stray edit\n")
    (worktree / "stray.txt").write_text("stray file\n")
    (worktree / ".gitignore").write_text("*.log\n")
    (worktree / "build.log").write_text("ignored output\n")
    done = cli(repo, "revert", "f", "--worktree", "--json")
    assert done.code == 0, done
    saved = done.json()["worktree_saved"]  # type: ignore[index]
    assert (worktree / "README.md").read_text() == "demo\n"
    assert not (worktree / "stray.txt").exists()
    assert (worktree / "build.log").exists()  # ignored files are neither saved nor removed
    assert git(repo, "show", f"{saved}:stray.txt") == "stray file"
    assert git(repo, "show", f"{saved}:README.md") == "stray edit"


def test_worktree_saves_are_chained_not_overwritten(repo: Path) -> None:
    cli(repo, "start", "f")
    _, worktree = paths(repo, "f")
    (worktree / "one.txt").write_text("1\n")
    first = cli(repo, "revert", "f", "--worktree", "--json").json()["worktree_saved"]  # type: ignore[index]
    (worktree / "two.txt").write_text("2\n")
    second = cli(repo, "revert", "f", "--worktree", "--json").json()["worktree_saved"]  # type: ignore[index]
    assert git(repo, "rev-parse", "refs/agent/f/worktree") == second
    assert git(repo, "rev-parse", f"{second}^2") == first


def test_checks_run_on_exactly_what_is_promoted(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[checks]]\nname = "no stray file"\nrun = ["sh", "-c", "test ! -e stray.txt && touch made-by-check"]\n'
    )
    (repo / ".gitignore").write_text("stray.txt\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-qm", "ignore stray")
    cli(repo, "start", "f", "--plan", str(plan))
    shadow, _ = paths(repo, "f")
    (shadow / "stray.txt").write_text("ignored, so never promoted\n")
    (shadow / "src" / "app.py").write_text("print('promoted')\n")
    result = cli(repo, "promote", "f")
    assert result.code == 0, result
    assert not (shadow / "made-by-check").exists()
    assert cli(repo, "checkpoint", "f", "--json").json()["created"] is False  # type: ignore[index]
    assert cli(repo, "remove", "f").code == 0
