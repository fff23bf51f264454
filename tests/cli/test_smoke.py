from __future__ import annotations

from pathlib import Path

from tests.kit import cli, git, run_cli


def test_feature_life_end_to_end(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert cli(repo, "start", "demo").code == 0
    info = cli(repo, "status", "demo", "--json").json()
    shadow = Path(info["shadow"])
    (shadow / "src" / "app.py").write_text("print('bye')\n")
    made = cli(repo, "checkpoint", "demo", "--json").json()
    assert made["number"] == 1 and made["created"]
    assert cli(repo, "validate", "demo").code == 0
    promoted = cli(repo, "promote", "demo", "--json")
    assert promoted.code == 0, promoted
    assert (Path(info["worktree"]) / "src" / "app.py").read_text() == "print('bye')\n"
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""


def test_git_runs_git_agent(repo: Path) -> None:
    result = run_cli(repo, "list", "--json")
    assert result.code == 0, result
    assert result.json() == []
