"""How an agent's settings are resolved: preset, then the policy's table, then the plan's, each
changing only the keys it names; an unknown agent refused before a feature is made."""

from __future__ import annotations

from pathlib import Path

from supervisor.agents.spec import resolve
from supervisor.config.load import load_plan, load_policy
from supervisor.config.rules import Rules
from tests.kit import run_cli

POLICY = b"""
[agents.cheap]
provider = "anthropic"
model = "claude-x"
max_usd = 5.0
on_stall = "stop"

[agents.offline]
command = ["tool"]
network = []
"""


def rules(plan: bytes | None = None) -> Rules:
    return Rules(load_policy(POLICY, "policy.toml"), load_plan(plan, "plan.toml") if plan else None)


def test_a_plan_changes_only_what_it_names() -> None:
    spec = resolve(rules(b"[agents.cheap]\nmax_usd = 1.0\n"), "cheap")
    assert (spec.model, spec.max_usd, spec.on_stall) == ("claude-x", 1.0, "stop")


def test_a_plan_cannot_raise_a_limit() -> None:
    assert resolve(rules(b"[agents.cheap]\nmax_usd = 50.0\n"), "cheap").max_usd == 5.0


def test_an_empty_list_is_a_setting() -> None:
    assert resolve(rules(), "offline").network == ()


def test_a_preset_keeps_what_the_table_does_not_name() -> None:
    spec = resolve(Rules(load_policy(b'[agents.claude]\ntimeout = "10m"\n', "p.toml")), "claude")
    assert spec.command[0] == "claude" and spec.timeout == 600 and spec.network == (443,)


def test_any_anthropic_agent_keeps_its_key() -> None:
    assert "ANTHROPIC_API_KEY" in resolve(rules(), "cheap").keep_env


def test_a_bad_agent_makes_no_feature(repo: Path) -> None:
    for words in (["--agent", "nope"], ["--timeout", "soon", "--", "true"]):
        result = run_cli(repo, "start", "f", *words)
        assert result.code == 2, result
        assert run_cli(repo, "status", "f").code == 2  # nothing was made
