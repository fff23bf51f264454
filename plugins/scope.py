"""Scope rules: every changed path, both sides of a rename, must be allowed and not denied."""

from __future__ import annotations

from collections.abc import Sequence

from supervisor.plugin import Change, RuleContext, Violation, hookimpl, tables


@hookimpl
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation]:
    paths = [change.path] if change.old_path is None else [change.old_path, change.path]
    return [v for path in paths if (v := _check(path, ctx)) is not None]


def _check(path: str, ctx: RuleContext) -> Violation | None:
    if ctx.rules.denied(path):
        return Violation(rule="scope.denied", path=path, message="path is denied by the scope")
    if not ctx.rules.allowed(path):
        return Violation(
            rule="scope.outside", path=path, message="path is outside the allowed scope"
        )
    return None


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    tables(ctx, "scope", ())  # scope is configured in [scope]; [plugins.scope] takes no keys
