"""Nothing the user owns may be lost, silently or otherwise (issue 7, cases 4 to 7 and 13)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import cli, commit_all, git
from tests.hostile.kit import agent, no_traceback, start


def test_a_tracked_file_that_is_also_ignored_stays_tracked(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.log\nbuild/\n")
    (repo / "t.log").write_text("kept\n")
    (repo / "build").mkdir()
    (repo / "build" / "keep.txt").write_text("kept\n")
    git(repo, "add", ".gitignore")
    git(repo, "add", "-f", "t.log", "build/keep.txt")
    commit_all(repo, "tracked files that ignore rules match")
    shadow, _ = start(repo)
    (shadow / "t.log").unlink()
    assert cli(repo, "checkpoint", "f").code == 0
    (shadow / "t.log").write_text("kept\n")
    assert cli(repo, "checkpoint", "f").code == 0
    assert cli(repo, "diff", "f", "--name-status").out == ""
    for cache in (b"", b"\x00garbage", b"\xe3\x03\x00\x00\x00"):  # missing, corrupt, foreign
        snapshot = repo / ".git" / "agent" / "features" / "f" / "snapshot.cache"
        snapshot.write_bytes(cache) if cache else snapshot.unlink()
        assert cli(repo, "diff", "f", "--name-status").out == "", cache
    (shadow / "new.log").write_text("ignored, untracked\n")
    assert cli(repo, "diff", "f", "--name-status").out == ""
    assert cli(repo, "promote", "f").code == 0
    assert git(repo, "show", "agent/f:t.log") == "kept"
    assert git(repo, "show", "agent/f:build/keep.txt") == "kept"


def test_gc_of_the_repository_keeps_the_shadows_own_history(repo: Path) -> None:
    shadow, _ = start(repo)
    (shadow / "a.txt").write_text("one\n")
    assert cli(repo, "validate", "f").code == 0  # writes a.txt's blob into your store only
    git(shadow, "add", "a.txt")
    git(shadow, "commit", "-qm", "the agent's own commit")
    (shadow / "a.txt").write_text("two\n")
    assert cli(repo, "checkpoint", "f").code == 0
    git(repo, "gc", "-q", "--prune=now")
    assert "broken" not in git(shadow, "fsck", "--no-dangling")
    git(shadow, "status")  # would say "bad tree object HEAD"
    assert git(shadow, "show", "HEAD:a.txt") == "one"
    git(shadow, "gc", "-q", "--prune=now")  # and a gc in the shadow keeps it too
    assert git(shadow, "show", "HEAD:a.txt") == "one"


@pytest.mark.parametrize(
    "point", ["start:recorded", "start:branch", "start:shadow", "start:worktree", "start:prepared"]
)
def test_a_start_killed_at_any_step_is_recorded_and_taken_back(repo: Path, point: str) -> None:
    killed = agent(repo, "start", "x", env={"GIT_AGENT_FAULT": point})
    assert killed.code == 128 + signal.SIGKILL, killed  # as git reports its child's death
    status = cli(repo, "status", "x")
    assert status.code == 0 and "(starting)" in status.out, status
    again = cli(repo, "start", "x")
    assert again.code == 0, again
    assert cli(repo, "remove", "x").code == 0
    killed = agent(repo, "start", "y", env={"GIT_AGENT_FAULT": point})
    removed = cli(repo, "remove", "y")
    assert removed.code == 0, removed
    assert "agent/y" not in git(repo, "branch", "--list", "agent/y")
    assert cli(repo, "start", "y").code == 0  # the name is free again


def test_a_start_killed_at_random_moments_never_leaves_an_orphan(repo: Path) -> None:
    for i in range(600):
        (repo / "d" / str(i % 60)).mkdir(parents=True, exist_ok=True)
        (repo / "d" / str(i % 60) / f"{i}.txt").write_text(f"{i}\n" * 20)
    commit_all(repo, "files")
    chance = random.Random(7)
    for round_ in range(12):
        name = f"k{round_}"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
        }
        proc = subprocess.Popen(
            ["git", "agent", "start", name],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.05, 0.6))
        proc.kill()
        proc.wait()
        status = cli(repo, "status", name)
        branch = git(repo, "branch", "--list", f"agent/{name}")
        if status.code != 0:  # killed before anything was made: nothing was made
            assert "unknown feature" in status.err and not branch, (status, branch)
            continue
        removed = cli(repo, "remove", name, "--force")
        assert removed.code == 0, removed
        assert not (repo / ".git" / "agent" / "features" / name / "shadow").exists()
        assert f"features/{name}/worktree" not in git(repo, "worktree", "list")


def test_a_stale_index_lock_is_named_and_no_hint_discards_work(repo: Path) -> None:
    shadow, worktree = start(repo)
    (shadow / "a.txt").write_text("x\n")
    lock = Path(git(worktree, "rev-parse", "--absolute-git-dir")) / "index.lock"
    lock.write_text("")
    refused = cli(repo, "promote", "f")
    assert refused.code == 3 and str(lock) in refused.err and "revert" not in refused.err
    no_traceback(refused)
    refused = cli(repo, "revert", "f", "--worktree")
    assert refused.code == 3 and str(lock) in refused.err
    assert (shadow / "a.txt").read_text() == "x\n"  # both or neither: the shadow is untouched
    lock.unlink()
    (shadow / "README.md").write_text("the agent's\n")
    (worktree / "README.md").write_text("edited by hand\n")
    refused = cli(repo, "promote", "f")
    assert refused.code == 3 and "stash" in refused.err and "revert" not in refused.err


def test_set_aside_is_named_by_time_said_only_when_needed_and_collected(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.tmp\n")
    commit_all(repo, "ignore")
    shadow, _ = start(repo)
    (shadow / "dir").write_text("a file first\n")
    assert cli(repo, "checkpoint", "f").code == 0  # 1: dir is a file
    (shadow / "dir").unlink()
    (shadow / "dir").mkdir()
    (shadow / "dir" / "tracked.txt").write_text("x\n")
    assert cli(repo, "checkpoint", "f").code == 0  # 2: dir is a directory, all checkpointed
    plain = cli(repo, "revert", "f", "--to", "1", "--json").json()
    assert isinstance(plain, dict) and plain["set_aside"] is None  # nothing to miss
    assert (shadow / "dir").read_text() == "a file first\n"
    (shadow / "dir").unlink()
    (shadow / "dir").mkdir()
    (shadow / "dir" / "tracked.txt").write_text("x\n")
    (shadow / "dir" / "build.tmp").write_text("ignored: no checkpoint has it\n")
    assert cli(repo, "checkpoint", "f").code == 0
    done = cli(repo, "revert", "f", "--to", "1", "--json").json()
    assert isinstance(done, dict) and done["set_aside"] is not None
    aside = Path(done["set_aside"])
    assert aside.name[:8].isdigit() and "T" in aside.name  # 20261130T..., not a nanosecond count
    assert (aside / "dir" / "build.tmp").read_text().startswith("ignored")
    said = cli(repo, "revert", "f", "--to", "1")
    assert "moved to" not in said.out  # nothing was in the way this time
    kept = cli(repo, "gc", "--older-than", "1d")
    assert kept.code == 0 and aside.exists()
    dry = cli(repo, "gc", "--older-than", "0", "--dry-run")
    assert dry.code == 0 and str(aside) in dry.out and aside.exists()
    gone = cli(repo, "gc", "--older-than", "0")
    assert gone.code == 0 and not aside.exists()
    bad = cli(repo, "gc", "--older-than", "soon")
    assert bad.code == 2 and "not a duration" in bad.err
