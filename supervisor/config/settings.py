"""What the environment says about this run, read once at the edge and passed inward."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from supervisor.errors import UsageError

BLOCK_ENV = "GIT_AGENT_DISABLE_PLUGINS"


def blocked_from(env: Mapping[str, str]) -> frozenset[str]:
    """The plugins the environment keeps from loading (for debugging a broken plugin)."""
    return frozenset(n.strip() for n in env.get(BLOCK_ENV, "").split(",") if n.strip())


class Settings(NamedTuple):
    lock_timeout: float = 60.0
    blocked_plugins: frozenset[str] = frozenset()
    faults: frozenset[str] = frozenset()
    env: Mapping[str, str] = {}
    max_watches: int | None = None  # the most directories the supervisor watches by inotify

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        timeout = env.get("GIT_AGENT_LOCK_TIMEOUT", "60")
        try:
            lock_timeout = float(timeout)
        except ValueError:
            raise UsageError(
                f"GIT_AGENT_LOCK_TIMEOUT must be a number of seconds, not {timeout!r}"
            ) from None
        faults = frozenset(filter(None, env.get("GIT_AGENT_FAULT", "").split(",")))
        return cls(lock_timeout, blocked_from(env), faults, dict(env), _max_watches(env))


def _max_watches(env: Mapping[str, str]) -> int | None:
    value = env.get("GIT_AGENT_MAX_WATCHES", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"GIT_AGENT_MAX_WATCHES must be a number of directories, not {value!r}")
    return int(value)


def fault(settings: Settings, point: str) -> None:
    """Die as a kill -9 would, at a named point, when GIT_AGENT_FAULT asks for it (tests)."""
    if point in settings.faults:
        os.kill(os.getpid(), 9)
