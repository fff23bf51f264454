"""The environment an agent runs with: the supervisor's own, minus every variable the policy's
blocklist names (cloud and token names by default) unless the agent's table keeps it (its own
provider key); plus what tells the agent where it is; plus git configured through the
environment so the agent's git runs no hooks of ours and cannot push."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

from supervisor.agents.spec import AgentSpec
from supervisor.config.models import DEFAULT_ENV_BLOCK

# rewritten for push only: a push to any of these goes to a remote that does not exist
PUSH_PREFIXES = (
    "https://",
    "http://",
    "ssh://",
    "git://",
    "file://",
    "git@",
    "/",
    "./",
    "../",
    "~",
)
NO_PUSH = "git-agent-refuses-push::"
# what git reads from the environment that would point the agent's git elsewhere
GIT_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_CONFIG")


def blocked(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def curated(
    base: Mapping[str, str],
    spec: AgentSpec,
    block: Iterable[str] | None,
    extra: Mapping[str, str],
) -> dict[str, str]:
    """`base` without what is blocked (unless `spec.keep_env` keeps it), with `spec.env`, the
    git settings and `extra` (GIT_AGENT_FEATURE, GIT_AGENT_PLAN, ...) over it."""
    patterns = list(DEFAULT_ENV_BLOCK if block is None else block)
    env = {
        name: value
        for name, value in base.items()
        if not name.startswith(("GIT_", "GIT_AGENT_")) or name in ("GIT_EDITOR",)
        if not blocked(name, patterns) or blocked(name, spec.keep_env)
    }
    env.update(spec.env)
    env.update(git_settings())
    env.update(extra)
    return env


def git_settings() -> dict[str, str]:
    """git configuration for the agent's git, through GIT_CONFIG_COUNT: no hooks at all (ours
    included: the agent is judged by the watcher, never by a hook it could skip), and every
    usual remote address rewritten for push to one that does not exist."""
    pairs = [("core.hooksPath", "/dev/null")]
    pairs += [(f"url.{NO_PUSH}.pushInsteadOf", prefix) for prefix in PUSH_PREFIXES]
    out = {"GIT_CONFIG_COUNT": str(len(pairs)), "GIT_TERMINAL_PROMPT": "0"}
    for number, (key, value) in enumerate(pairs):
        out[f"GIT_CONFIG_KEY_{number}"] = key
        out[f"GIT_CONFIG_VALUE_{number}"] = value
    return out
