"""Fixtures of the built-in agent's tests: a scripted Messages API (stopped after each test), a
started feature whose plan allows src/ and tests/ only, and the agent run in-process as the
runner would run it (spec file, prompt, the shadow as working directory)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from supervisor.agents.builtin.__main__ import main
from supervisor.agents.spec import DEFAULTS, AgentSpec
from tests.agents.builtin.scripted import ScriptedApi
from tests.kit import Started, environ, start

KEY = "sk-ant-test-0123456789-SECRET-KEY"
MODEL = "claude-test"
PRICING = {MODEL: {"input": 3.0, "output": 15.0, "cache_write": 3.75, "cache_read": 0.3}}
PLAN = '[scope]\nallow = ["src/**", "tests/**"]\n'


class Outcome(NamedTuple):
    code: int
    summary: dict[str, Any]
    log: str


@pytest.fixture
def api() -> Iterator[ScriptedApi]:
    server = ScriptedApi()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scoped(repo: Path) -> Started:
    """Feature f on `repo`, its plan allowing src/** and tests/** only."""
    return start(repo, plan=PLAN)


def spec(**overrides: Any) -> AgentSpec:
    values = {
        **DEFAULTS,
        "provider": "anthropic",
        "model": MODEL,
        "pricing": PRICING,
        "response_tokens": 1000,
        **overrides,
    }
    return AgentSpec.from_json({"name": "builtin", **values})


def agent_env(api: ScriptedApi, **extra: str) -> dict[str, str]:
    return environ(
        {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.url, "GIT_AGENT_FEATURE": "f", **extra}
    )


def run_agent(
    started: Started,
    api: ScriptedApi,
    *args: str,
    prompt: str | None = "Do the task.",
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Outcome:
    """The agent, in-process, as `python -m supervisor.agents.builtin --feature f --spec-file
    ... [--prompt ...] ARGS` in the shadow; its exit code, final JSON line and log."""
    spec_file = started.repo.parent / "spec.json"
    spec_file.write_text(spec(**overrides).dumps())
    argv = ["--feature", started.name, "--spec-file", str(spec_file), *args]
    if prompt is not None:
        argv += ["--prompt", prompt]
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env or agent_env(api), str(started.shadow), out, err)
    lines = out.getvalue().splitlines()
    assert lines, err.getvalue()
    return Outcome(code, json.loads(lines[-1]), err.getvalue())


def agent_dir(started: Started) -> Path:
    return started.repo / ".git" / "agent" / "features" / started.name / "agent"


def saved(started: Started) -> dict[str, Any]:
    data = json.loads((agent_dir(started) / "conversation.json").read_text())
    assert isinstance(data, dict)
    return data
