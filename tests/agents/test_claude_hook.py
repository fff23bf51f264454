"""`git agent claude-hook`: Claude Code's PreToolUse protocol fed real hook input. Writes in
scope go ahead, writes out of scope or out of the shadow are denied with the rule, every
failure exits 2 (Claude Code lets a call through on anything else), with and without a
supervisor; PostToolUse hands over the agent's notices once."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supervisor.cli import main
from supervisor.commands import claude_hook
from supervisor.render.output import Output
from supervisor.store.locks import feature_lock
from tests.kit import Result, Started, environ, run_cli, start
from tests.live.conftest import stop_supervisor, watch

PLAN = '[scope]\nallow = ["src/**"]\n'
TOKEN = "ghp" + "_" + "4fRq8ZkL2mN7pX1vB9cW3sD6yH0tJ5aE8uQi"  # built, so no scanner finds it here
NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "id": "a1", "source": "x = 1\n", "metadata": {}, "outputs": []},
        {"cell_type": "markdown", "id": "b2", "source": "# notes\n", "metadata": {}},
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture
def scoped(repo: Path) -> Started:
    """Feature f whose plan allows src/** only, with a notebook in src/."""
    started = start(repo, plan=PLAN)
    (started.shadow / "src" / "nb.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    return started


def pre(shadow: Path, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    """The input Claude Code gives a PreToolUse hook."""
    return {
        "session_id": "s-1",
        "transcript_path": "/tmp/transcript.jsonl",
        "cwd": str(shadow),
        "permission_mode": "acceptEdits",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_01",
    }


def hook(cwd: Path, payload: object, *extra: str, env: dict[str, str] | None = None) -> Result:
    """The hook as Claude Code runs it: a process, the input on stdin."""
    data = payload if isinstance(payload, str) else json.dumps(payload)
    proc = subprocess.run(
        [sys.executable, "-P", "-m", "supervisor", "claude-hook", *extra],
        cwd=cwd,
        input=data.encode(),
        env=environ(env),
        capture_output=True,
        check=False,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def hook_here(cwd: Path, payload: object, *extra: str) -> Result:
    """The hook in this process (where a test can tell who judged)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    code = main(["claude-hook", *extra], Output(out, err, stdin), environ(), str(cwd))
    return Result(code, out.getvalue(), err.getvalue())


def decision(result: Result) -> dict[str, Any]:
    assert result.code == 0, result
    answer = result.json()
    assert isinstance(answer, dict)
    return answer


def refused(result: Result) -> str:
    """The reason of a deny (which must be one)."""
    out = decision(result)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    assert out["permissionDecision"] == "deny"
    reason = out["permissionDecisionReason"]
    assert isinstance(reason, str)
    return reason


def write(shadow: Path, rel: str, text: str = "x = 1\n") -> dict[str, Any]:
    return pre(shadow, "Write", {"file_path": str(shadow / rel), "content": text})


# --- the four tools ---------------------------------------------------------------------------


def test_a_write_in_scope_is_allowed(scoped: Started) -> None:
    assert decision(hook(scoped.shadow, write(scoped.shadow, "src/new.py"))) == {}
    assert not (scoped.shadow / "src" / "new.py").exists()  # judged, not written


def test_a_write_out_of_scope_is_denied_with_its_rule(scoped: Started) -> None:
    reason = refused(hook(scoped.shadow, write(scoped.shadow, "docs/new.md")))
    assert "scope.outside docs/new.md" in reason
    assert "feature f" in reason


def test_an_edit_is_judged_on_the_file_it_would_make(scoped: Started) -> None:
    app = str(scoped.shadow / "src" / "app.py")
    fine = {"file_path": app, "old_string": "hello", "new_string": "world"}
    assert decision(hook(scoped.shadow, pre(scoped.shadow, "Edit", fine))) == {}
    leak = {"file_path": app, "old_string": "'hello'", "new_string": f"'{TOKEN}'"}
    reason = refused(hook(scoped.shadow, pre(scoped.shadow, "Edit", leak)))
    assert "secrets.github-token src/app.py:1" in reason
    assert TOKEN not in reason


def test_an_edit_out_of_scope_is_denied(scoped: Started) -> None:
    guide = str(scoped.shadow / "docs" / "guide.md")
    edit = {"file_path": guide, "old_string": "Guide", "new_string": "Handbook"}
    assert "scope.outside docs/guide.md" in refused(
        hook(scoped.shadow, pre(scoped.shadow, "Edit", edit))
    )


def test_a_multiedit_applies_every_edit_before_judging(scoped: Started) -> None:
    app = str(scoped.shadow / "src" / "app.py")
    edits = [
        {"old_string": "print", "new_string": "T = 'ghp_"},
        {"old_string": "('hello')", "new_string": TOKEN[4:] + "'"},
    ]
    reason = refused(
        hook(scoped.shadow, pre(scoped.shadow, "MultiEdit", {"file_path": app, "edits": edits}))
    )
    assert "secrets.github-token" in reason  # only the two edits together make the token
    alone = {"file_path": app, "edits": edits[:1]}
    assert decision(hook(scoped.shadow, pre(scoped.shadow, "MultiEdit", alone))) == {}


def test_a_notebook_edit_is_judged_as_the_new_notebook(scoped: Started) -> None:
    path = str(scoped.shadow / "src" / "nb.ipynb")
    fine = {"notebook_path": path, "cell_id": "a1", "new_source": "x = 2\n"}
    assert decision(hook(scoped.shadow, pre(scoped.shadow, "NotebookEdit", fine))) == {}
    leak = {
        "notebook_path": path,
        "cell_id": "b2",
        "new_source": f"token = '{TOKEN}'\n",
        "cell_type": "code",
        "edit_mode": "insert",
    }
    assert "secrets.github-token" in refused(
        hook(scoped.shadow, pre(scoped.shadow, "NotebookEdit", leak))
    )
    elsewhere = {"notebook_path": str(scoped.shadow / "docs" / "nb.ipynb"), "new_source": "1\n"}
    elsewhere["edit_mode"] = "insert"
    assert "scope.outside" in refused(
        hook(scoped.shadow, pre(scoped.shadow, "NotebookEdit", elsewhere))
    )


def test_a_tool_that_writes_nothing_is_not_judged(scoped: Started) -> None:
    read = pre(scoped.shadow, "Read", {"file_path": "/etc/passwd"})
    assert decision(hook(scoped.shadow, read)) == {}


def test_warnings_let_the_write_through_said(repo: Path) -> None:
    policy = '[scope]\nallow = ["src/**"]\n[rules]\n"scope.outside" = "warning"\n'
    started = start(repo, policy=policy)
    answer = decision(hook(started.shadow, write(started.shadow, "docs/new.md")))
    said = answer["hookSpecificOutput"]["additionalContext"]
    assert "permissionDecision" not in answer["hookSpecificOutput"]
    assert "warning scope.outside docs/new.md" in said
    assert answer["systemMessage"] == said


# --- where a write may not go -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("/tmp/elsewhere.txt", "path.outside-shadow"),
        ("../../outside.txt", "path.outside-shadow"),
        ("src/../../x.txt", "path.outside-shadow"),
        ("out/escape.txt", "path.outside-shadow"),  # through a link the agent made
        (".git/config", "git.internal"),
        ("src/.GIT/hooks/pre-commit", "git.internal"),
        (".claude/settings.local.json", "agent.own-file"),
        (".git-agent-notices", "agent.own-file"),
    ],
)
def test_paths_leading_where_no_write_may_go_are_denied(
    scoped: Started, tmp_path: Path, path: str, rule: str
) -> None:
    (tmp_path / "out").mkdir()
    (scoped.shadow / "out").symlink_to(tmp_path / "out")
    payload = pre(scoped.shadow, "Write", {"file_path": path, "content": "x\n"})
    reason = refused(hook(scoped.shadow, payload))
    assert f"git-agent refused this write: {rule}:" in reason


def test_a_relative_path_is_taken_from_the_session_directory(scoped: Started) -> None:
    payload = pre(scoped.shadow, "Write", {"file_path": "new.py", "content": "1\n"})
    payload["cwd"] = str(scoped.shadow / "src")
    assert decision(hook(scoped.shadow, payload)) == {}
    payload["cwd"] = str(scoped.shadow / "docs")
    assert "scope.outside docs/new.py" in refused(hook(scoped.shadow, payload))


# --- every failure exits 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[1, 2]",
        "",
        {"hook_event_name": "PreToolUse", "tool_name": "Write"},
        {"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"content": "x"}},
        {"tool_name": "Write", "tool_input": {"file_path": 7, "content": "x"}},
        {"tool_name": "Edit", "tool_input": {"file_path": "src/app.py", "old_string": "a"}},
        {"tool_name": "MultiEdit", "tool_input": {"file_path": "src/app.py", "edits": []}},
        {"tool_name": "NotebookEdit", "tool_input": {"notebook_path": "src/nb.ipynb"}},
        {"hook_event_name": "Stop"},
    ],
)
def test_bad_input_exits_2(scoped: Started, payload: object) -> None:
    result = hook(scoped.shadow, payload)
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.startswith("git-agent claude-hook: ")
    assert "fails closed" in result.err


def test_outside_any_shadow_it_exits_2(scoped: Started, tmp_path: Path) -> None:
    payload = write(scoped.shadow, "src/x.py")
    payload["cwd"] = str(tmp_path)
    result = hook(tmp_path, payload)
    assert result.code == 2
    assert "not in a feature's shadow" in result.err


def test_an_unknown_feature_exits_2(scoped: Started) -> None:
    result = hook(scoped.repo, write(scoped.shadow, "src/x.py"), env={"GIT_AGENT_FEATURE": "nope"})
    assert result.code == 2
    assert "unknown feature: nope" in result.err
    other = hook(scoped.shadow, write(scoped.shadow, "src/x.py"), env={"GIT_AGENT_FEATURE": "g"})
    assert other.code == 2
    assert "this is the shadow of f" in other.err


def test_the_feature_can_come_from_the_environment(scoped: Started) -> None:
    env = {"GIT_AGENT_FEATURE": "f"}
    assert decision(hook(scoped.repo, write(scoped.shadow, "src/x.py"), env=env)) == {}
    assert "scope.outside" in refused(hook(scoped.repo, write(scoped.shadow, "x.md"), env=env))


def test_a_lock_held_too_long_exits_2(scoped: Started) -> None:
    lock = scoped.repo / ".git" / "agent" / "locks" / "f.lock"
    with feature_lock(lock, "f"):
        result = hook(
            scoped.shadow, write(scoped.shadow, "src/x.py"), env={"GIT_AGENT_LOCK_TIMEOUT": "0.2"}
        )
    assert result.code == 2
    assert "is busy" in result.err


def test_a_crash_exits_2(scoped: Started, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(claude_hook, "_judge_here", crash)
    result = hook_here(scoped.shadow, write(scoped.shadow, "src/x.py"))
    assert result.code == 2
    assert "RuntimeError: boom" in result.err


def test_a_judgement_that_cannot_write_the_store_exits_2(
    scoped: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a sandbox the object store is read-only: the judgement made here fails, and so
    does the write."""
    from supervisor.gitio.packs import PackWriter
    from supervisor.gitio.repo import Repo

    def read_only(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(PackWriter, "write", read_only)
    monkeypatch.setattr(Repo, "write", read_only)
    result = hook_here(scoped.shadow, write(scoped.shadow, "src/x.py"))
    assert result.code == 2, result
    assert "Permission denied" in result.err


def test_no_verdict_in_time_exits_2(scoped: Started, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claude_hook, "PRE_BUDGET", 1)
    monkeypatch.setattr(claude_hook, "_judge_here", lambda *_: time.sleep(5))
    began = time.monotonic()
    result = hook_here(scoped.shadow, write(scoped.shadow, "src/x.py"))
    assert result.code == 2
    assert "no verdict within 1s" in result.err
    assert time.monotonic() - began < 4


# --- with a supervisor ------------------------------------------------------------------------


@pytest.fixture
def watched_scoped(scoped: Started) -> Iterator[Started]:
    watch(scoped.repo, "f")
    try:
        yield scoped
    finally:
        stop_supervisor(scoped.repo)


def test_the_watching_supervisor_judges(
    watched_scoped: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    shadow = watched_scoped.shadow

    def not_here(*_: object) -> None:
        raise AssertionError("judged in the hook, not by the supervisor")

    monkeypatch.setattr(claude_hook, "_judge_here", not_here)
    assert decision(hook_here(shadow, write(shadow, "src/new.py"))) == {}
    assert "scope.outside docs/x.md" in refused(hook_here(shadow, write(shadow, "docs/x.md")))
    app = str(shadow / "src" / "app.py")
    leak = {"file_path": app, "old_string": "'hello'", "new_string": f"'{TOKEN}'"}
    assert "secrets.github-token" in refused(hook_here(shadow, pre(shadow, "Edit", leak)))
    assert "path.outside-shadow" in refused(hook_here(shadow, write(shadow, "../x")))
    run_cli(watched_scoped.repo, "stop", "f")  # no longer watched: the hook judges itself
    assert hook_here(shadow, write(shadow, "src/new.py")).code == 2


def test_the_same_answers_with_and_without_a_supervisor(watched_scoped: Started) -> None:
    shadow = watched_scoped.shadow
    cases = [
        write(shadow, "src/new.py"),
        write(shadow, "docs/new.md"),
        pre(
            shadow,
            "Edit",
            {"file_path": str(shadow / "README.md"), "old_string": "demo", "new_string": "x"},
        ),
    ]
    watched = [hook(shadow, c).out for c in cases]
    run_cli(watched_scoped.repo, "stop", "f")
    assert [hook(shadow, c).out for c in cases] == watched


# --- after a tool: the notices ----------------------------------------------------------------


def notify(started: Started, *texts: str, sender: str = "person") -> None:
    agent_dir = started.repo / ".git" / "agent" / "features" / started.name / "agent"
    agent_dir.mkdir(parents=True, exist_ok=True)
    with (agent_dir / "notices.jsonl").open("a") as stream:
        for text in texts:
            stream.write(json.dumps({"time": time.time(), "from": sender, "text": text}) + "\n")


def post(shadow: Path) -> dict[str, Any]:
    return {
        "session_id": "s-1",
        "cwd": str(shadow),
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "make"},
        "tool_response": {"stdout": ""},
    }


def test_post_tool_use_hands_each_notice_over_once(scoped: Started) -> None:
    assert decision(hook(scoped.shadow, post(scoped.shadow), "--post")) == {}
    notify(scoped, "scope.outside docs/x.md: reverted", sender="watcher")
    notify(scoped, "please add tests")
    answer = decision(hook(scoped.shadow, post(scoped.shadow), "--post"))
    context = answer["hookSpecificOutput"]
    assert context["hookEventName"] == "PostToolUse"
    assert context["additionalContext"].splitlines() == [
        "git-agent, supervising feature f, tells you:",
        "- [watcher] scope.outside docs/x.md: reverted",
        "- [person] please add tests",
    ]
    assert decision(hook(scoped.shadow, post(scoped.shadow))) == {}  # once, by the event too
    notify(scoped, "one more")
    again = decision(hook(scoped.shadow, post(scoped.shadow)))
    assert again["hookSpecificOutput"]["additionalContext"].endswith("\n- [person] one more")


def test_a_notice_half_written_waits_for_its_end(scoped: Started) -> None:
    notify(scoped, "first")
    agent_dir = scoped.repo / ".git" / "agent" / "features" / "f" / "agent"
    with (agent_dir / "notices.jsonl").open("a") as stream:
        stream.write('{"from": "person", "text": "sec')
    said = decision(hook(scoped.shadow, post(scoped.shadow)))
    assert said["hookSpecificOutput"]["additionalContext"].endswith("- [person] first")
    with (agent_dir / "notices.jsonl").open("a") as stream:
        stream.write('ond"}\n')
    said = decision(hook(scoped.shadow, post(scoped.shadow)))
    assert said["hookSpecificOutput"]["additionalContext"].endswith("- [person] second")


def test_the_offset_goes_to_the_shadow_where_the_agent_folder_is_shut(
    scoped: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supervisor.agents import claude

    notify(scoped, "hello")
    real_open = os.open

    def shut(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("/" + claude.OFFSET):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", shut)
    first = decision(hook_here(scoped.shadow, post(scoped.shadow)))
    assert "hello" in first["hookSpecificOutput"]["additionalContext"]
    assert decision(hook_here(scoped.shadow, post(scoped.shadow))) == {}
    assert (scoped.shadow / ".git" / claude.SPARE_OFFSET).is_file()
