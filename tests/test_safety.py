"""Nothing the user owns is lost or judged by the wrong policy: the cases a second read found."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.kit import cli, commit_all, git, run_cli


def paths(repo: Path, name: str) -> tuple[Path, Path]:
    info = cli(repo, "status", name, "--json").json()
    return Path(info["shadow"]), Path(info["worktree"])  # type: ignore[index]


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }


def push(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", *args],
        cwd=repo,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    return bare


def test_start_never_touches_a_folder_it_did_not_make(repo: Path, tmp_path: Path) -> None:
    shadows, worktrees = tmp_path / "shadows", tmp_path / "worktrees"
    (shadows / "mine").mkdir(parents=True)
    (shadows / "mine" / "thesis.txt").write_text("precious\n")
    result = cli(repo, "start", "mine", env={"GIT_AGENT_SHADOWSDIR": str(shadows)})
    assert result.code == 2 and "already exists" in result.err
    assert (shadows / "mine" / "thesis.txt").read_text() == "precious\n"
    git(repo, "worktree", "add", "-q", str(worktrees / "foo"), "-b", "userfoo")
    (worktrees / "foo" / "wip.txt").write_text("wip\n")
    result = cli(repo, "start", "foo", env={"GIT_AGENT_WORKTREESDIR": str(worktrees)})
    assert result.code == 2
    assert (worktrees / "foo" / "wip.txt").read_text() == "wip\n"
    assert str(worktrees / "foo") in git(repo, "worktree", "list")
    assert not (shadows / ".git").exists()
    assert git(repo, "branch", "--list", "agent/*") == ""


def test_roll_forward_keeps_the_worktree_edits_a_promotion_keeps(repo: Path) -> None:
    cli(repo, "start", "f")
    shadow, worktree = paths(repo, "f")
    (worktree / "README.md").write_text("demo\nuser edit\n")
    (shadow / "src" / "app.py").write_text("print(2)\n")
    died = run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": "promote:journal"})
    assert died.code == 137
    assert cli(repo, "status", "f").code == 0  # rolls forward
    assert (worktree / "README.md").read_text() == "demo\nuser edit\n"
    assert (worktree / "src" / "app.py").read_text() == "print(2)\n"
    assert git(repo, "show", "agent/f:src/app.py") == "print(2)"


def test_a_moved_branch_abandons_the_journal_instead_of_wedging(repo: Path) -> None:
    cli(repo, "start", "f")
    shadow, worktree = paths(repo, "f")
    (shadow / "src" / "app.py").write_text("print(2)\n")
    assert run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": "promote:commit"}).code == 137
    (shadow / "src" / "app.py").write_text("print(3)\n")
    assert run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": "promote:journal"}).code == 137
    git(worktree, "commit", "-q", "--allow-empty", "-m", "someone committed meanwhile")
    journal = repo / ".git" / "agent" / "features" / "f" / "promote.journal"
    assert journal.exists()
    assert cli(repo, "status", "f").code == 0
    assert not journal.exists()
    assert git(worktree, "log", "-1", "--format=%s") == "someone committed meanwhile"
    assert cli(repo, "remove", "f", "--force").code == 0


def test_promotion_refuses_commits_it_did_not_make(repo: Path) -> None:
    cli(repo, "start", "f")
    shadow, worktree = paths(repo, "f")
    (worktree / "docs" / "guide.md").write_text("# a human fix\n")
    git(worktree, "commit", "-qam", "human fix in the worktree")
    head = git(repo, "rev-parse", "agent/f")
    (shadow / "src" / "app.py").write_text("print(2)\n")
    refused = cli(repo, "promote", "f")
    assert refused.code == 1 and "not at its last promotion" in refused.err
    assert git(repo, "rev-parse", "agent/f") == head
    assert git(repo, "show", "agent/f:docs/guide.md") == "# a human fix"


def test_new_branch_is_judged_by_the_policy_before_it(repo: Path, remote: Path) -> None:
    (repo / ".git-agent").mkdir()
    (repo / ".git-agent" / "policy.toml").write_text(
        '[scope]\ndeny = ["forbidden/**"]\n[rules]\ngit = "warning"\n'
    )
    commit_all(repo, "policy")
    git(repo, "push", "-q", "origin", "main")
    cli(repo, "install-hooks")
    git(repo, "checkout", "-qb", "topic")
    (repo / ".git-agent" / "policy.toml").write_text("[scope]\ndeny = []\n")
    git(repo, "commit", "-qam", "loosen the policy")
    (repo / "forbidden").mkdir()
    (repo / "forbidden" / "x").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "use the loosened policy", "--no-verify")
    pushed = push(repo, "origin", "topic")
    assert pushed.returncode != 0
    assert "scope.denied" in pushed.stdout + pushed.stderr


def test_push_to_a_url_judges_only_new_commits(repo: Path, remote: Path) -> None:
    (repo / ".env").write_text("TOKEN=1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "old violation", "--no-verify")
    git(repo, "push", "-q", "origin", "main")
    cli(repo, "install-hooks")
    git(repo, "checkout", "-qb", "topic2")
    (repo / "src" / "t.py").write_text("t = 1\n")
    commit_all(repo, "new work")
    pushed = push(repo, str(remote), "topic2")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr


def test_pushing_a_tag_of_a_tree_is_no_traceback(repo: Path, remote: Path) -> None:
    cli(repo, "install-hooks")
    git(repo, "tag", "treetag", "HEAD^{tree}")
    pushed = push(repo, "origin", "treetag")
    assert "Traceback" not in pushed.stderr
    assert pushed.returncode == 0, pushed.stderr


def test_revert_sets_aside_ignored_files_in_a_directory_it_replaces(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "notes").write_text("a file in the base\n")
    commit_all(repo, "notes")
    cli(repo, "start", "f")
    shadow, _ = paths(repo, "f")
    (shadow / "notes").unlink()
    (shadow / "notes").mkdir()
    (shadow / "notes" / "a.txt").write_text("tracked\n")
    (shadow / "notes" / "run.log").write_text("ignored output\n")
    cli(repo, "checkpoint", "f")
    done = cli(repo, "revert", "f", "--json")
    assert done.code == 0, done
    aside = done.json()["set_aside"]  # type: ignore[index]
    assert (shadow / "notes").read_text() == "a file in the base\n"
    kept = list(Path(aside).rglob("run.log"))
    assert kept and kept[0].read_text() == "ignored output\n"


def test_a_file_where_a_directory_must_go_is_set_aside(repo: Path) -> None:
    """An ignored file no checkpoint has, standing where the target needs a directory."""
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "build.log").mkdir()
    (repo / "build.log" / "readme").write_text("tracked, under a directory the rules ignore\n")
    git(repo, "add", "-f", "build.log/readme", ".gitignore")
    git(repo, "commit", "-qm", "tracked file in an ignored-looking dir")
    cli(repo, "start", "f")
    shadow, _ = paths(repo, "f")
    (shadow / "build.log" / "readme").unlink()
    (shadow / "build.log").rmdir()
    (shadow / "build.log").write_text("ignored output, in no checkpoint\n")
    done = cli(repo, "revert", "f", "--json")
    assert done.code == 0, done
    aside = done.json()["set_aside"]  # type: ignore[index]
    kept = [p for p in Path(aside).rglob("build.log") if p.is_file()]
    assert kept and kept[0].read_text() == "ignored output, in no checkpoint\n"
    assert (shadow / "build.log" / "readme").exists()


def test_remove_refusal_names_the_ref(repo: Path) -> None:
    cli(repo, "start", "f")
    _, worktree = paths(repo, "f")
    (worktree / "notes.txt").write_text("x\n")
    refused = cli(repo, "remove", "f")
    assert refused.code == 1 and "refs/agent/f/worktree" in refused.err
