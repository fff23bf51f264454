"""Kept for plugins written against git-agent 0.1: the hook markers and specifications now
live in `supervisor.plugin` (import that) and `supervisor.rules.specs`."""

from __future__ import annotations

from supervisor.rules.specs import (
    PROJECT,
    git_agent_before_promote,
    git_agent_check_changes,
    git_agent_check_path,
    git_agent_event,
    hookimpl,
    hookspec,
)

__all__ = [
    "PROJECT",
    "git_agent_before_promote",
    "git_agent_check_changes",
    "git_agent_check_path",
    "git_agent_event",
    "hookimpl",
    "hookspec",
]
