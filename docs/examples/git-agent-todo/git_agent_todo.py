"""An example git-agent plugin: added lines that say TODO, and a cap on how many a change adds.

Configure it in `.git-agent/policy.toml` (a plan may only lower `max_todos`):

    [plugins.todo]
    word = "TODO"
    max_todos = 3
"""

from __future__ import annotations

from collections.abc import Sequence

from supervisor.changes import Change
from supervisor.context import RuleContext
from supervisor.hookspecs import hookimpl
from supervisor.violations import Violation

NAME = "todo"


def _word(ctx: RuleContext) -> str:
    return str(ctx.config(NAME).get("word", "TODO"))


def _limit(ctx: RuleContext) -> int | None:
    values = [c["max_todos"] for c in (ctx.config(NAME), ctx.plan_config(NAME)) if "max_todos" in c]
    return min(values) if values else None


@hookimpl
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation]:
    word = _word(ctx)
    return [
        Violation(
            rule="todo.added",
            severity="warning",
            path=change.path,
            line=number,
            message=f"added line says {word}",
        )
        for number, text in change.added_lines()
        if word in text
    ]


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    limit, word = _limit(ctx), _word(ctx)
    if limit is None:
        return []
    count = sum(word in text for change in changes for _, text in change.added_lines())
    if count <= limit:
        return []
    return [
        Violation(rule="todo.too-many", message=f"{count} added lines say {word}; at most {limit}")
    ]
