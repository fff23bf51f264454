"""The hook specifications of git-agent plugins (pluggy project `git_agent`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pluggy

from supervisor.changes import Change
from supervisor.context import RuleContext
from supervisor.events import Event
from supervisor.violations import Violation

PROJECT = "git_agent"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation] | None:
    """Check one changed path; return its violations."""


@hookspec
def git_agent_check_changes(
    changes: Sequence[Change], ctx: RuleContext
) -> Sequence[Violation] | None:
    """Check the whole change set (counts, totals, quotas); return its violations."""


@hookspec
def git_agent_before_promote(ctx: RuleContext, root: Path) -> Sequence[Violation] | None:
    """Run before a promotion, with `root` holding the content to promote (e.g. run checks)."""


@hookspec
def git_agent_event(event: Event) -> None:
    """Observe an event (start, checkpoint, validate, promote, revert, remove)."""
