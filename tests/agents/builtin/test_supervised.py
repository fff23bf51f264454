"""The built-in agent as `git agent start f --agent builtin` runs it: launched by the watching
supervisor's pool, its work checkpointed, its usage in status; each command the model runs is
under the sandbox a command agent gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.agents import sandbox
from tests.agents.builtin.conftest import KEY, MODEL, PRICING, run_agent
from tests.agents.builtin.scripted import ScriptedApi, message, text, tool
from tests.agents.test_runner import agent_of, ended
from tests.kit import Started, commit_policy, run_cli, status
from tests.live.conftest import FAST


def builtin_policy() -> str:
    prices = ", ".join(f"{k} = {v}" for k, v in PRICING[MODEL].items())
    return (
        FAST + f'\n[agents.builtin]\nmodel = "{MODEL}"\npricing = {{ {MODEL} = {{ {prices} }} }}\n'
    )


def test_start_runs_the_builtin_agent_under_the_supervisor(
    repo: Path, supervised: list[Path], api: ScriptedApi
) -> None:
    commit_policy(repo, builtin_policy())
    api.add(
        message(text("Writing."), tool("write_file", path="made.py", content="x = 1\n")),
        message(text("Done.")),
    )
    env = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.url}
    result = run_cli(repo, "start", "f", "--agent", "builtin", "--prompt", "make it", env=env)
    assert result.code == 0, result
    done = ended(repo)
    assert done["state"] == "done" and done["exit_code"] == 0, done
    assert (Path(status(repo)["shadow"]) / "made.py").read_text() == "x = 1\n"
    assert api.requests[0].model == MODEL
    logs = run_cli(repo, "logs", "f")
    assert KEY not in logs.out
    if sandbox.abi():
        assert "each command it runs" in agent_of(repo)["sandbox"]


@pytest.mark.skipif(not sandbox.abi(), reason="the kernel offers no Landlock here")
def test_a_command_the_model_runs_cannot_write_outside_the_shadow(
    scoped: Started, api: ScriptedApi
) -> None:
    outside = scoped.repo / "escape.txt"
    api.add(
        message(tool("run_command", command=f"echo out > {outside}; echo in > inside.txt")),
        message(text("Tried.")),
    )
    outcome = run_agent(scoped, api)
    assert outcome.code == 0, outcome
    ran = api.requests[1].last_results()[0]["content"]
    assert "Permission denied" in ran, ran
    assert not outside.exists()
    assert (scoped.shadow / "inside.txt").read_text() == "in\n"


def test_a_budget_that_runs_out_is_said_in_status(
    repo: Path, supervised: list[Path], api: ScriptedApi
) -> None:
    commit_policy(repo, builtin_policy() + "max_turns = 1\n")
    api.add(
        message(text("One."), tool("write_file", path="a.py", content="a = 1\n")),
        message(text("Two."), tool("write_file", path="b.py", content="b = 1\n")),
    )
    env = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.url}
    result = run_cli(repo, "start", "f", "--agent", "builtin", "--prompt", "go", env=env)
    assert result.code == 0, result
    done = ended(repo)
    assert done["exit_code"] == 4 and done["note"].startswith("budget: turns"), done
    assert "budget: turns" in run_cli(repo, "status", "f").out
