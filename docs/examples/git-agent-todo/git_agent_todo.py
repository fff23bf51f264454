"""An example git-agent plugin: added lines that say TODO, and a cap on how many a change adds.

Configure it in `.git-agent/policy.toml` (a plan may only lower `max_todos`):

    [plugins.todo]
    word = "TODO"
    max_todos = 3
"""

from __future__ import annotations

from collections.abc import Sequence

from supervisor import plugin
from supervisor.plugin import Change, RuleContext, Violation, hookimpl

NAME = "todo"
KEYS = ("word", "max_todos")


def _word(ctx: RuleContext) -> str:
    word = ctx.config(NAME).get("word", "TODO")
    if not isinstance(word, str) or not word:
        raise plugin.ConfigError(plugin.POLICY_FILE, f"[plugins.{NAME}] word must be a word")
    return word


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
    limit, word = plugin.limit(ctx, NAME, KEYS, "max_todos"), _word(ctx)
    if limit is None:
        return []
    count = sum(word in text for change in changes for _, text in change.added_lines())
    if count <= limit:
        return []
    return [
        Violation(rule="todo.too-many", message=f"{count} added lines say {word}; at most {limit}")
    ]


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    _word(ctx)
    plugin.limit(ctx, NAME, KEYS, "max_todos")
