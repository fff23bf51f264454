"""`git agent promote`: only clean work reaches agent/<f>, with trailers; crash-safe at every step."""

from __future__ import annotations

import hashlib
import signal
from pathlib import Path

import pytest

from tests.kit import checkpoint, cli, git, run_cli, start, status, tree_of, user_state

SCOPED_PLAN = '[scope]\nallow = ["src/**"]\n'


def _plan(tmp_path: Path, text: str) -> Path:
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    return plan


def _trailers(repo: Path, commit: str) -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", commit)
    return dict(line.split(": ", 1) for line in out.splitlines() if line)


def _without_branch(state: dict[str, object]) -> dict[str, object]:
    refs = state["refs"]
    assert isinstance(refs, list)
    return {**state, "refs": [r for r in refs if not r.startswith("refs/heads/agent/f ")]}


def _worktree_at(worktree: Path, commit: str) -> None:
    """HEAD, index and files of the worktree all hold `commit`."""
    assert git(worktree, "rev-parse", "HEAD") == commit
    git(worktree, "diff", "--cached", "--quiet")
    git(worktree, "diff", "--quiet")
    assert git(worktree, "status", "--porcelain") == ""


def test_promotion_refused_while_an_error_stands(repo: Path, tmp_path: Path) -> None:
    shadow, worktree = start(repo, plan=_plan(tmp_path, SCOPED_PLAN)).dirs
    head = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print('in scope')\n")
    (shadow / "README.md").write_text("out of scope\n")
    before = user_state(repo)
    result = cli(repo, "promote", "f", "--json")
    assert result.code == 1, result
    report = result.json()
    assert isinstance(report, dict)
    assert report["promoted"] is False and report["ok"] is False
    assert [(v["rule"], v["path"]) for v in report["violations"]] == [
        ("scope.outside", "README.md")
    ]
    assert git(repo, "rev-parse", "agent/f") == head
    _worktree_at(worktree, head)
    assert (worktree / "src" / "app.py").read_text() == "print('hello')\n"
    assert user_state(repo) == before
    text = cli(repo, "promote", "f")
    assert text.code == 1 and "scope.outside" in text.out and "Traceback" not in text.err
    info = status(repo)
    assert info["verdict"]["ok"] is False and info["promoted"] is None


def test_promotion_commits_with_trailers_and_updates_the_worktree(
    repo: Path, tmp_path: Path
) -> None:
    plan = _plan(tmp_path, SCOPED_PLAN)
    shadow, worktree = start(repo, plan=plan).dirs
    old_head = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print('promoted')\n")
    (shadow / "src" / "new.py").write_text("NEW = 1\n")
    user_head = git(repo, "rev-parse", "HEAD")
    result = cli(repo, "promote", "f", "--json", "-m", "Add new.py")
    assert result.code == 0, result
    done = result.json()
    assert isinstance(done, dict) and done["promoted"] is True and done["checkpoint"] == 1
    commit = git(repo, "rev-parse", "agent/f")
    assert done["commit"] == commit
    assert git(repo, "rev-parse", f"{commit}^") == old_head
    assert git(repo, "log", "-1", "--format=%s", commit) == "Add new.py"
    assert _trailers(repo, commit) == {
        "Feature": "f",
        "Checkpoint": "1",
        "Plan-Hash": "sha256:" + hashlib.sha256(plan.read_bytes()).hexdigest(),
    }
    assert tree_of(repo, commit) == tree_of(repo, "refs/agent/f/checkpoints")
    _worktree_at(worktree, commit)
    assert (worktree / "src" / "new.py").read_text() == "NEW = 1\n"
    assert (worktree / "src" / "app.py").read_text() == "print('promoted')\n"
    assert git(repo, "rev-parse", "HEAD") == user_head
    info = status(repo)
    assert info["head"] == commit and info["promoted"] == {"commit": commit, "checkpoint": 1}


def test_nothing_new_to_promote_makes_no_commit(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    base = git(repo, "rev-parse", "agent/f")
    first = cli(repo, "promote", "f", "--json")
    assert first.code == 0 and first.json()["promoted"] is False  # type: ignore[index]
    assert git(repo, "rev-parse", "agent/f") == base
    (shadow / "src" / "app.py").write_text("changed\n")
    assert cli(repo, "promote", "f").code == 0
    head = git(repo, "rev-parse", "agent/f")
    again = cli(repo, "promote", "f")
    assert again.code == 0 and "nothing new to promote" in again.out
    assert git(repo, "rev-parse", "agent/f") == head
    assert git(repo, "rev-list", "--count", f"{base}..agent/f") == "1"
    _worktree_at(worktree, head)


CHECK_PLAN = """
[[checks]]
name = "greeting"
run = ["sh", "-c", "grep -q ok src/app.py"]

[[checks]]
name = "string form"
run = "test -f README.md"
"""


def test_a_failing_check_refuses_and_a_passing_one_lets_it_through(
    repo: Path, tmp_path: Path
) -> None:
    shadow, worktree = start(repo, plan=_plan(tmp_path, CHECK_PLAN)).dirs
    head = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print('not yet')\n")
    refused = cli(repo, "promote", "f", "--json")
    assert refused.code == 1, refused
    report = refused.json()
    assert isinstance(report, dict)
    assert [v["rule"] for v in report["violations"]] == ["check.failed"]
    assert "greeting" in report["violations"][0]["message"]
    assert git(repo, "rev-parse", "agent/f") == head
    _worktree_at(worktree, head)
    (shadow / "src" / "app.py").write_text("print('ok')\n")
    passed = cli(repo, "promote", "f")
    assert passed.code == 0, passed
    assert git(repo, "rev-parse", "agent/f") != head
    assert (worktree / "src" / "app.py").read_text() == "print('ok')\n"


def test_promote_refuses_to_overwrite_local_worktree_edits(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    head = git(repo, "rev-parse", "agent/f")
    (worktree / "src" / "app.py").write_text("edited by hand in the worktree\n")
    (shadow / "src" / "app.py").write_text("agent\n")
    result = cli(repo, "promote", "f")
    assert result.code == 3 and "stash" in result.err and "revert" not in result.err
    assert git(repo, "rev-parse", "agent/f") == head
    assert (worktree / "src" / "app.py").read_text() == "edited by hand in the worktree\n"


@pytest.mark.parametrize(
    "point", ["promote:commit", "promote:journal", "promote:worktree", "promote:branch"]
)
def test_kill_at_each_step_leaves_branch_and_worktree_together(
    repo: Path, tmp_path: Path, point: str
) -> None:
    shadow, worktree = start(repo).dirs
    before = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print('promoted')\n")
    (shadow / "src" / "added.py").write_text("ADDED = 1\n")
    (shadow / "docs" / "guide.md").unlink()
    user = user_state(repo)
    died = run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": point})
    # git runs git-agent as a child and reports its death by SIGKILL as 128 + 9
    assert died.code == 128 + signal.SIGKILL, died
    assert "died of signal 9" in died.err
    info = run_cli(repo, "status", "f", "--json")
    assert info.code == 0, info
    data = info.json()
    assert isinstance(data, dict)
    head = git(repo, "rev-parse", "agent/f")
    assert data["head"] == head
    if point == "promote:commit":
        assert head == before
        _worktree_at(worktree, before)
        assert (worktree / "src" / "app.py").read_text() == "print('hello')\n"
        assert (worktree / "docs" / "guide.md").exists()
        assert not (worktree / "src" / "added.py").exists()
        assert data["promoted"] is None
        redo = run_cli(repo, "promote", "f")
        assert redo.code == 0, redo
        head = git(repo, "rev-parse", "agent/f")
    else:
        assert data["promoted"]["commit"] == head
    assert git(repo, "rev-parse", f"{head}^") == before
    _worktree_at(worktree, head)
    assert (worktree / "src" / "app.py").read_text() == "print('promoted')\n"
    assert (worktree / "src" / "added.py").read_text() == "ADDED = 1\n"
    assert not (worktree / "docs" / "guide.md").exists()
    assert tree_of(repo, head) == tree_of(repo, "refs/agent/f/checkpoints")
    assert not (repo / ".git" / "agent" / "features" / "f" / "promote.journal").exists()
    assert _without_branch(user_state(repo)) == _without_branch(user)
    # the next promotion finds nothing new, and the chain is intact
    assert run_cli(repo, "promote", "f").code == 0
    assert git(repo, "rev-parse", "agent/f") == head
    assert checkpoint(repo)["created"] is False
