"""What runs as a feature's agent: the `[agents.<name>]` table of the policy (with the plan's
over it), a preset for the well-known agents, or a command given after `--`; resolved once
into an `AgentSpec` that the runner follows and the state records."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from supervisor.config.durations import parse_duration
from supervisor.config.rules import Rules
from supervisor.errors import UsageError

BUILTIN = "builtin"  # the built-in Anthropic agent's preset name
PROMPT = "{prompt}"

PRESETS: dict[str, dict[str, Any]] = {
    "claude": {
        # acceptEdits: `claude -p` cannot edit otherwise; our PreToolUse hook and the watcher
        # are the gate
        "command": ["claude", "-p", PROMPT, "--permission-mode", "acceptEdits"],
        "resume": ["claude", "-p", "--continue", PROMPT, "--permission-mode", "acceptEdits"],
        "keep_env": ["ANTHROPIC_API_KEY", "CLAUDE_CODE_*"],
        "writable": ["~/.claude", "~/.claude.json", "~/.cache/claude"],
        "network": [443],
    },
    "codex": {
        "command": ["codex", "exec", "--full-auto", PROMPT],
        "resume": ["codex", "exec", "resume", "--last", PROMPT],
        "keep_env": ["OPENAI_API_KEY", "CODEX_*"],
        "writable": ["~/.codex"],
        "network": [443],
    },
    "aider": {
        "command": ["aider", "--yes-always", "--no-auto-commits", "--message", PROMPT],
        "keep_env": ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"],
        "writable": ["~/.aider.chat.history.md", "~/.aider"],
        "network": [443],
    },
    BUILTIN: {"provider": "anthropic", "keep_env": ["ANTHROPIC_API_KEY"], "network": [443]},
}


class AgentSpec(NamedTuple):
    name: str
    provider: str  # "command" or "anthropic"
    command: tuple[str, ...]  # `{prompt}` still in it
    resume: tuple[str, ...] | None
    env: Mapping[str, str]
    keep_env: tuple[str, ...]
    timeout: float | None  # seconds
    stall: float | None
    on_stall: str
    writable: tuple[str, ...]
    readable: tuple[str, ...]
    network: tuple[int, ...] | None
    model: str
    fallback_models: tuple[str, ...]
    max_tokens: int | None
    max_usd: float | None
    max_turns: int | None
    response_tokens: int
    context_tokens: int
    pricing: Mapping[str, Mapping[str, float]]

    def argv(self, prompt: str, resuming: bool = False) -> list[str]:
        """The command line, `{prompt}` replaced (as one word wherever it stands)."""
        words = self.resume if resuming and self.resume else self.command
        return [word.replace(PROMPT, prompt) for word in words]

    def as_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self._asdict().items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AgentSpec:
        values = dict(data)
        for key in ("command", "keep_env", "writable", "readable", "fallback_models"):
            values[key] = tuple(values.get(key) or ())
        for key in ("resume", "network"):
            values[key] = None if values.get(key) is None else tuple(values[key])
        return cls(**values)

    def dumps(self) -> str:
        return json.dumps(self.as_json(), sort_keys=True)


DEFAULTS: dict[str, Any] = {
    "provider": "command",
    "command": None,
    "resume": None,
    "env": {},
    "keep_env": [],
    "timeout": None,
    "stall": None,
    "on_stall": "wait",
    "writable": [],
    "readable": [],
    "network": None,
    "model": "claude-sonnet-4-5",
    "fallback_models": [],
    "max_tokens": None,
    "max_usd": None,
    "max_turns": None,
    "response_tokens": 8192,
    "context_tokens": 200_000,
    "pricing": {},
}


def resolve(
    rules: Rules,
    name: str | None,
    command: Sequence[str] = (),
    timeout: str | None = None,
) -> AgentSpec:
    """The agent `start --agent NAME` or `start -- CMD...` asks for under these rules."""
    if command:
        if name is not None:
            raise UsageError("start: give --agent NAME or a command after --, not both")
        table: dict[str, Any] = {"command": list(command)}
        name = command[0]
    else:
        if name is None:
            raise UsageError("start: no agent given (--agent NAME, or -- CMD ARGS...)")
        configured = rules.agent(name)
        if configured is None and name not in PRESETS:
            known = sorted(set(PRESETS) | set(rules.policy.agents))
            raise UsageError(
                f"unknown agent {name!r}: configure [agents.{name}] or use one of {', '.join(known)}"
            )
        table = {
            **PRESETS.get(name, {}),
            **{
                k: v for k, v in (configured or {}).items() if v is not None and v != [] and v != {}
            },
        }
    if timeout is not None:
        table["timeout"] = timeout
    return _spec(name, table)


def _spec(name: str, table: Mapping[str, Any]) -> AgentSpec:
    values = {**DEFAULTS, **{k: v for k, v in table.items() if k in DEFAULTS}}
    if values["provider"] == "command" and not values["command"]:
        raise UsageError(f"agent {name} has no command: set [agents.{name}] command = [...]")
    for key in ("timeout", "stall"):
        if values[key] is not None:
            try:
                values[key] = parse_duration(str(values[key]))
            except ValueError as exc:
                raise UsageError(f"agent {name}: {key}: {exc}") from None
    values["pricing"] = {m: dict(p) for m, p in dict(values["pricing"]).items()}
    return AgentSpec.from_json({"name": name, **values})
