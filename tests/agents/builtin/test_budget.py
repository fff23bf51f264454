"""Budgets that run out mid-run: turns, tokens, dollars and wall time each end the run cleanly
(exit 4, the reason in the final line, the conversation saved whole, every tool call answered),
never with a request past the limit."""

from __future__ import annotations

import time

import pytest

from tests.agents.builtin.conftest import Outcome, run_agent, saved
from tests.agents.builtin.scripted import ScriptedApi, message, text, tool
from tests.kit import Started

USAGE = {"input_tokens": 1000, "output_tokens": 100}  # $0.0045 a turn at $3 / $15


def busy(api: ScriptedApi, turns: int) -> None:
    """A model that keeps working: a tool call every turn."""
    for number in range(turns):
        api.add(message(tool("write_file", path=f"src/f{number}.py", content="x\n"), usage=USAGE))


def assert_ended_cleanly(started: Started, reason: str, outcome: Outcome) -> None:
    code, summary = outcome.code, outcome.summary
    assert code == 4, outcome
    assert summary["status"] == "budget" and summary["reason"] == reason
    data = saved(started)
    assert data["status"] == "budget" and data["reason"] == reason
    last = data["messages"][-1]
    assert last["role"] == "user"  # the last call was answered: a resumable conversation
    assert all(b["type"] == "tool_result" for b in last["content"])


def test_the_turn_budget(started: Started, api: ScriptedApi) -> None:
    busy(api, 5)
    outcome = run_agent(started, api, max_turns=2)

    assert_ended_cleanly(started, "turns", outcome)
    assert len(api.requests) == 2
    assert outcome.summary["usage"]["turns"] == 2
    assert (started.shadow / "src/f1.py").exists()  # the last turn's work was done
    assert "the turn budget ran out (2 turns)" in outcome.log


def test_the_dollar_budget(started: Started, api: ScriptedApi) -> None:
    busy(api, 5)
    outcome = run_agent(started, api, max_usd=0.008)

    assert_ended_cleanly(started, "usd", outcome)
    assert len(api.requests) == 2
    assert outcome.summary["usage"]["usd"] == pytest.approx(0.009)


def test_the_token_budget(started: Started, api: ScriptedApi) -> None:
    busy(api, 5)
    outcome = run_agent(started, api, max_tokens=2000)

    assert_ended_cleanly(started, "tokens", outcome)
    assert len(api.requests) == 2
    assert outcome.summary["usage"]["tokens"]["total"] == 2200
    # a response never asks for more than the budget has left
    assert [r.body["max_tokens"] for r in api.requests] == [1000, 900]


def test_the_wall_time(started: Started, api: ScriptedApi) -> None:
    api.add(
        message(
            tool("run_command", command="sleep 30", timeout=60),
            tool("write_file", path="src/late.py", content="x\n"),
        )
    )
    began = time.monotonic()
    outcome = run_agent(started, api, timeout=3.0)

    assert time.monotonic() - began < 10
    assert_ended_cleanly(started, "wall time", outcome)
    results = saved(started)["messages"][-1]["content"]
    assert results[0]["content"].startswith("timed out after")
    assert results[1]["content"].startswith("not run: the wall-time limit")
    assert not (started.shadow / "src/late.py").exists()


def test_a_finished_run_is_not_a_budget_run(started: Started, api: ScriptedApi) -> None:
    api.add(message(text("Done."), usage=USAGE))
    outcome = run_agent(started, api, max_turns=1)

    assert outcome.code == 0, outcome
    assert outcome.summary["status"] == "done"
