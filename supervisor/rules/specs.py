"""The hook specifications of git-agent plugins (pluggy project `git_agent`), in one place.

Plugins implement them with `supervisor.plugin.hookimpl`; every call goes through pluggy, so
`tryfirst`, `trylast`, `wrapper` and `hookwrapper` behave as pluggy documents."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pluggy

from supervisor.gitio.change import Change
from supervisor.rules.context import RuleContext
from supervisor.rules.types import Event, Violation

PROJECT = "git_agent"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def git_agent_check_config(ctx: RuleContext) -> None:
    """Check this plugin's `[plugins.<name>]` tables in the policy and the plan, raising
    `ConfigError` for what is wrong. Called whenever rules are read (`start`, every verdict,
    every gate), so a bad table stops at once, not when a change first reaches the rule."""


@hookspec
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation] | None:
    """Check one changed path; return its violations."""


@hookspec
def git_agent_check_changes(
    changes: Sequence[Change], ctx: RuleContext
) -> Sequence[Violation] | None:
    """Check the whole change set (counts, totals, quotas); return its violations."""


@hookspec
def git_agent_check_message(message: str, ctx: RuleContext) -> Sequence[Violation] | None:
    """Check a commit's message (the gates judge commits); return its violations (path None,
    line: the line of the message)."""


@hookspec
def git_agent_before_promote(ctx: RuleContext, root: Path) -> Sequence[Violation] | None:
    """Run before a promotion (e.g. the plan's checks). `root` is a directory holding exactly
    the content to promote; an implementation that does not name `root` gets none made and
    can ask `ctx.checkout()` for it when it needs one."""


@hookspec
def git_agent_event(event: Event) -> None:
    """Observe an event (start, checkpoint, validate, promote, revert, remove)."""
