"""A shadow or worktree deleted by hand: status says so and names the command that makes it
again; that revert makes it again, and the feature goes on (checkpoint, promote)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.kit import Started, checkpoint, cli, git, run_cli, write_files


def status_text(repo: Path, *args: str) -> list[str]:
    result = run_cli(repo, "status", *args)
    assert result.code == 0, result
    return result.out.splitlines()


def test_status_names_what_is_missing_and_how_to_recover(started: Started) -> None:
    repo = started.repo
    write_files(started.shadow, {"src/new.py": "n = 1\n"})
    checkpoint(repo)
    shutil.rmtree(started.shadow)
    lines = status_text(repo, "f")
    assert f"shadow       {started.shadow} (missing)" in lines
    assert f"worktree     {started.worktree}" in lines
    assert lines[-1] == (
        "recover      `git agent revert f --to 1` makes the shadow from checkpoint 1 again"
    )
    shutil.rmtree(started.worktree)
    lines = status_text(repo)  # every feature's status says it too
    assert f"worktree     {started.worktree} (missing)" in lines
    assert lines[-1] == (
        "recover      `git agent revert f --to 1 --worktree` makes the shadow from checkpoint 1 "
        "and the worktree at agent/f again"
    )
    assert cli(repo, "status", "f", "--json").json()["shadow"] == str(started.shadow)  # type: ignore[index]


def test_the_named_revert_makes_the_shadow_again(started: Started) -> None:
    repo = started.repo
    write_files(started.shadow, {"src/new.py": "n = 1\n", "README.md": None})
    made = checkpoint(repo)
    shutil.rmtree(started.shadow)
    assert cli(repo, "checkpoint", "f").code == 3  # nothing to work on meanwhile
    reverted = run_cli(repo, "revert", "f", "--to", "1")
    assert reverted.code == 0, reverted
    assert reverted.out.splitlines()[0] == "the shadow was missing: made it again from checkpoint 1"
    assert (started.shadow / "src" / "new.py").read_text() == "n = 1\n"
    assert not (started.shadow / "README.md").exists()
    assert cli(repo, "checkpoint", "f", "--json").json()["commit"] == made["commit"]  # type: ignore[index]
    assert git(started.shadow, "status", "--porcelain", "src") == "?? src/new.py"
    assert status_text(repo, "f")[-1].startswith("verdict")


def test_the_named_revert_makes_the_worktree_again_and_promotion_works(started: Started) -> None:
    repo = started.repo
    shutil.rmtree(started.worktree)
    reverted = run_cli(repo, "revert", "f", "--to", "0", "--worktree")
    assert reverted.code == 0, reverted
    assert "the worktree was missing: made it again at agent/f" in reverted.out
    listed = git(repo, "worktree", "list", "--porcelain")
    assert f"worktree {started.worktree}\n" in listed + "\n" and "locked" in listed
    write_files(started.shadow, {"src/app.py": "print('again')\n"})
    assert cli(repo, "promote", "f").code == 0
    assert (started.worktree / "src" / "app.py").read_text() == "print('again')\n"
    refused = run_cli(started.worktree, "init")  # marked as the feature's worktree again
    assert refused.code == 1 and "worktree of feature f" in refused.err


def test_remove_of_a_feature_whose_worktree_is_gone_leaves_no_worktree_entry(
    started: Started,
) -> None:
    shutil.rmtree(started.worktree)
    assert cli(started.repo, "remove", "f").code == 0
    assert str(started.worktree) not in git(started.repo, "worktree", "list")
