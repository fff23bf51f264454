"""`install_claude_hook`: Claude Code's hooks written into the shadow's
`.claude/settings.local.json`, a file of git-agent's own that no checkpoint and no promotion
ever holds; and the command line it writes, run as Claude Code runs it (`sh -c`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supervisor.agents.claude import MATCHER, install_claude_hook
from supervisor.errors import OperationalError, UsageError
from tests.kit import Started, checkpoint, cli, commit_all, environ, feature, git, start

PLAN = '[scope]\nallow = ["src/**"]\n'


def install(started: Started) -> Path:
    with feature(started.repo, started.name) as found:
        return install_claude_hook(found)


def settings(started: Started) -> dict[str, Any]:
    data = json.loads((started.shadow / ".claude" / "settings.local.json").read_text())
    assert isinstance(data, dict)
    return data


def command(started: Started, event: str) -> str:
    groups = settings(started)["hooks"][event]
    found = [h["command"] for g in groups for h in g["hooks"] if " claude-hook" in h["command"]]
    assert len(found) == 1, groups
    return str(found[0])


def run_hook(line: str, payload: dict[str, Any]) -> subprocess.CompletedProcess[bytes]:
    """The hook's command line as Claude Code runs it: a shell, the input on stdin."""
    return subprocess.run(
        ["sh", "-c", line],
        input=json.dumps(payload).encode(),
        env=environ(),
        capture_output=True,
        check=False,
        cwd="/",
    )


def write(shadow: Path, rel: str) -> dict[str, Any]:
    return {
        "cwd": str(shadow),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(shadow / rel), "content": "x\n"},
    }


def test_the_hooks_are_written_for_the_write_tools_and_after_every_tool(repo: Path) -> None:
    started = start(repo, plan=PLAN)
    path = install(started)
    assert path == started.shadow / ".claude" / "settings.local.json"
    hooks = settings(started)["hooks"]
    assert [g["matcher"] for g in hooks["PreToolUse"]] == [MATCHER]
    assert MATCHER == "Write|Edit|MultiEdit|NotebookEdit"
    assert [g["matcher"] for g in hooks["PostToolUse"]] == ["*"]
    before = hooks["PreToolUse"][0]["hooks"][0]
    assert before["type"] == "command"
    assert before["command"].endswith(" || exit 2")  # any failure at all refuses the write
    assert before["timeout"] > 90


def test_the_written_command_judges_and_fails_closed(repo: Path) -> None:
    started = start(repo, plan=PLAN)
    install(started)
    line = command(started, "PreToolUse")
    ok = run_hook(line, write(started.shadow, "src/new.py"))
    assert (ok.returncode, ok.stdout) == (0, b"{}\n"), ok
    denied = run_hook(line, write(started.shadow, "docs/new.md"))
    assert denied.returncode == 0
    answer = json.loads(denied.stdout)["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    assert "scope.outside" in answer["permissionDecisionReason"]
    # whatever goes wrong, the write is refused: a bad option, no shadow, no interpreter
    broken = line.replace(" claude-hook", " claude-hook --no-such-option")
    assert run_hook(broken, write(started.shadow, "src/new.py")).returncode == 2
    gone = line.replace(str(started.shadow), str(started.shadow) + "-gone")
    assert run_hook(gone, write(started.shadow, "src/new.py")).returncode == 2
    missing = line.replace(sys.executable, "/no/such/python")
    assert run_hook(missing, write(started.shadow, "src/new.py")).returncode == 2
    post = run_hook(command(started, "PostToolUse"), {"hook_event_name": "PostToolUse"})
    assert (post.returncode, post.stdout) == (0, b"{}\n"), post


def test_what_the_file_holds_stays_and_installing_twice_changes_nothing(repo: Path) -> None:
    started = start(repo)
    own = started.shadow / ".claude" / "settings.local.json"
    own.parent.mkdir()
    mine = {"matcher": "Bash", "hooks": [{"type": "command", "command": "echo mine"}]}
    own.write_text(
        json.dumps({"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"PreToolUse": [mine]}})
    )
    install(started)
    first = settings(started)
    install(started)
    assert settings(started) == first
    assert first["permissions"] == {"allow": ["Bash(ls)"]}
    assert first["hooks"]["PreToolUse"][0] == mine
    assert len(first["hooks"]["PreToolUse"]) == 2


def test_the_settings_are_in_no_checkpoint_and_no_promotion(repo: Path) -> None:
    started = start(repo)
    install(started)
    (started.shadow / ".git-agent-notices").write_text("what the agent is told\n")
    (started.shadow / "src" / "work.py").write_text("x = 1\n")
    made = checkpoint(repo)
    listed = git(repo, "ls-tree", "-r", "--name-only", made["commit"]).splitlines()
    assert "src/work.py" in listed
    assert not any(p.startswith((".claude", ".git-agent-notices")) for p in listed)
    report = cli(repo, "validate", "f", "--json").json()
    assert [c["path"] for c in report["changes"]] == ["src/work.py"]
    assert cli(repo, "promote", "f").code == 0
    promoted = git(repo, "ls-tree", "-r", "--name-only", "agent/f").splitlines()
    assert ".claude/settings.local.json" not in promoted
    assert not (started.worktree / ".claude").exists()
    # the agent's own git leaves them alone too
    assert git(started.shadow, "status", "--porcelain") == "?? src/work.py"


def test_a_tracked_settings_file_is_never_changed(repo: Path) -> None:
    (repo / ".claude").mkdir()
    (repo / ".claude" / "settings.local.json").write_text("{}\n")
    commit_all(repo, "tracked by mistake")
    started = start(repo)
    with pytest.raises(UsageError, match="tracked at the base of f"):
        install(started)
    assert (started.shadow / ".claude" / "settings.local.json").read_text() == "{}\n"


def test_a_link_in_the_way_is_never_written_through(repo: Path, tmp_path: Path) -> None:
    started = start(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (started.shadow / ".claude").symlink_to(outside)
    with pytest.raises(OperationalError, match="cannot write Claude Code's hooks"):
        install(started)
    assert list(outside.iterdir()) == []
    (started.shadow / ".claude").unlink()
    (started.shadow / ".claude").mkdir()
    (started.shadow / ".claude" / "settings.local.json").symlink_to(outside / "x.json")
    install(started)  # the link itself is replaced, its target never written
    assert not (outside / "x.json").exists()
    assert not (started.shadow / ".claude" / "settings.local.json").is_symlink()
