"""Deletion rules: whether a path may be deleted, and how many may go in one change set.

- `delete.file` (when `allow_delete` is false): one violation per deleted path.
- `delete.too-many`: more deleted paths than `[plugins.delete] max_files` (an int; unset = no
  limit), checked whatever `allow_delete` says: a mass deletion stands out even where deleting
  is allowed.

A rename is not a deletion (its old path is not counted), nor is a type change. Both rules
default to `error`. A legitimate case: `allow_delete = true` in the policy's `[limits]`, a higher
`max_files`, or `[plugins.delete] allow = ["glob", ...]`: matching paths may be deleted and do
not count toward `max_files`. A plan's list can only narrow the policy's; a plan's `max_files`
only lowers it.
"""

from __future__ import annotations

from collections.abc import Sequence

from supervisor.plugin import Change, RuleContext, Violation, allow_list, hookimpl, limit

PLUGIN = "delete"
KEYS = ("allow", "max_files")


@hookimpl
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation]:
    if change.status != "D" or ctx.rules.limits.allow_delete is not False:
        return []
    if allow_list(ctx, PLUGIN, KEYS)(change.path):
        return []
    return [Violation(rule="delete.file", path=change.path, message="file is deleted")]


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    most = limit(ctx, PLUGIN, KEYS, "max_files")
    if most is None:
        return []
    allowed = allow_list(ctx, PLUGIN, KEYS)
    deleted = sum(1 for c in changes if c.status == "D" and not allowed(c.path))
    if deleted <= most:
        return []
    return [
        Violation(
            rule="delete.too-many",
            message=f"too many deletions: {deleted} (more than [plugins.delete] max_files = {most})",
        )
    ]


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    allow_list(ctx, PLUGIN, KEYS)
    limit(ctx, PLUGIN, KEYS, "max_files")
