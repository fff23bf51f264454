"""Running the rules over a change set and applying the policy's severities."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pluggy

from supervisor.changes import Change
from supervisor.context import RuleContext
from supervisor.plugins import call_each
from supervisor.violations import Violation


def evaluate(
    manager: pluggy.PluginManager, ctx: RuleContext, changes: Sequence[Change]
) -> list[Violation]:
    found: list[Violation] = []
    for change in changes:
        for result in call_each(manager, "git_agent_check_path", change=change, ctx=ctx):
            found.extend(result)
    for result in call_each(manager, "git_agent_check_changes", changes=changes, ctx=ctx):
        found.extend(result)
    return leveled(found, ctx)


def before_promote(manager: pluggy.PluginManager, ctx: RuleContext, root: Path) -> list[Violation]:
    found: list[Violation] = []
    for result in call_each(manager, "git_agent_before_promote", ctx=ctx, root=root):
        found.extend(result)
    return leveled(found, ctx)


def leveled(found: Iterable[Violation], ctx: RuleContext) -> list[Violation]:
    """Each violation at the level the policy (and plan) give its rule; `off` drops it."""
    out = []
    for violation in found:
        level = ctx.rules.severity(violation.rule, violation.severity)
        if level != "off":
            out.append(
                violation
                if level == violation.severity
                else violation.model_copy(update={"severity": level})
            )
    return sorted(out, key=lambda v: (v.path or "", v.line or 0, v.rule))


def errors(violations: Iterable[Violation]) -> int:
    return sum(v.severity == "error" for v in violations)


@dataclass(frozen=True)
class Report:
    violations: list[Violation]
    changes: list[Change]

    @property
    def ok(self) -> bool:
        return errors(self.violations) == 0

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "violations": [v.model_dump() for v in self.violations],
            "changes": [c.as_json() for c in self.changes],
        }
