"""Judging a change set: every plugin through pluggy, then the policy's severities.

`judge` is the one way every caller (a feature's validation, the hooks, `check`) turns a
change set into a `Report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import pluggy

from supervisor.errors import OperationalError
from supervisor.gitio.change import Change
from supervisor.rules.context import RuleContext
from supervisor.rules.manager import Manager, PluginFailure
from supervisor.rules.types import Violation


class Report:
    """The verdict on a change set. `failures`: plugins that raised (their rules did not run
    to the end, so the verdict cannot be ok)."""

    __slots__ = (
        "approved",
        "blocked",
        "changes",
        "failures",
        "in_message",
        "notices",
        "violations",
    )

    def __init__(
        self,
        violations: list[Violation],
        changes: list[Change],
        failures: list[PluginFailure] | None = None,
        notices: list[str] | None = None,
        approved: list[str] | None = None,
    ) -> None:
        self.violations = violations
        self.changes = changes
        self.failures = failures or []
        self.notices = notices or []  # what a person should know but need not act on
        self.approved = approved or []  # policy contents an approval accepted
        self.in_message = False  # a rule found something in the commit's message
        self.blocked: list[str] = []  # plugins blocked locally: the verdict is incomplete

    @property
    def errors(self) -> int:
        return errors(self.violations)

    @property
    def warnings(self) -> int:
        return len(self.violations) - self.errors

    @property
    def incomplete(self) -> bool:
        """Reached with plugins blocked locally: it never promotes, never passes a gate."""
        return bool(self.blocked)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not self.failures and not self.blocked

    def with_violations(
        self, extra: Sequence[Violation], failures: Sequence[PluginFailure]
    ) -> Report:
        return Report([*self.violations, *extra], self.changes, [*self.failures, *failures])

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "violations": [v.as_json() for v in self.violations],
            "changes": [c.as_json() for c in self.changes],
            "incomplete": self.incomplete,
            "blocked": self.blocked,
        }


class PluginsFailed(OperationalError):
    """A plugin raised while judging: the verdict is incomplete (exit 3, naming the plugin);
    `report` holds what the other plugins found."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.failures[0].message)
        self.report = report


def check_config(manager: pluggy.PluginManager, ctx: RuleContext) -> None:
    """Every installed plugin's tables in the policy and the plan, checked now (exit 2 on the
    first that is wrong). A table of a plugin not installed here is left alone: a policy may
    serve machines with different plugins."""
    manager.hook.git_agent_check_config(ctx=ctx)
    for failure in _failures(manager):
        raise OperationalError(failure.message)


def judge(
    manager: pluggy.PluginManager,
    ctx: RuleContext,
    changes: Sequence[Change],
    message: str | None = None,
) -> Report:
    """Every rule over `changes`: each path, then the whole set (the plugin tables first),
    then the commit's `message` when there is one."""
    _failures(manager)  # what an earlier judgement that raised left behind is not ours
    check_config(manager, ctx)
    found: list[Violation] = []
    for change in changes:
        found.extend(_flat(manager.hook.git_agent_check_path(change=change, ctx=ctx)))
    found.extend(_flat(manager.hook.git_agent_check_changes(changes=changes, ctx=ctx)))
    in_message = []
    if message is not None:
        in_message = _flat(manager.hook.git_agent_check_message(message=message, ctx=ctx))
    found.extend(in_message)
    report = Report(leveled(found, ctx), list(changes), _failures(manager))
    report.in_message = bool(leveled(in_message, ctx))
    report.blocked = list(manager.blocked_locally) if isinstance(manager, Manager) else []
    return report


class PathVerdict(NamedTuple):
    """What the per-path rules found in one change, and the plugins that failed on it."""

    violations: list[Violation]
    failures: list[PluginFailure]


def judge_paths(
    manager: pluggy.PluginManager, ctx: RuleContext, changes: Iterable[Change]
) -> dict[bytes, PathVerdict]:
    """The per-path rules over each of `changes`, by path: a watcher judges only what a batch
    changed and keeps the rest of the verdict from earlier batches."""
    _failures(manager)
    out = {}
    for change in changes:
        found = _flat(manager.hook.git_agent_check_path(change=change, ctx=ctx))
        out[change.raw_path] = PathVerdict(leveled(found, ctx), _failures(manager))
    return out


def judge_whole(
    manager: pluggy.PluginManager,
    ctx: RuleContext,
    changes: Sequence[Change],
    per_path: Iterable[PathVerdict],
) -> Report:
    """The report on `changes` from their per-path verdicts (`judge_paths`, kept from earlier
    batches) and the whole-set rules, run again over all of them."""
    _failures(manager)
    whole = leveled(_flat(manager.hook.git_agent_check_changes(changes=changes, ctx=ctx)), ctx)
    found, failures = list(whole), _failures(manager)
    for verdict in per_path:
        found.extend(verdict.violations)
        failures.extend(verdict.failures)
    report = Report(sorted(found, key=_order), list(changes), failures)
    report.blocked = list(manager.blocked_locally) if isinstance(manager, Manager) else []
    return report


def before_promote(
    manager: pluggy.PluginManager, ctx: RuleContext
) -> tuple[list[Violation], list[PluginFailure]]:
    """The before-promotion hooks; a `root` checkout is made only for implementations that
    name it."""
    caller = manager.hook.git_agent_before_promote
    wants_root = any("root" in impl.argnames for impl in caller.get_hookimpls())
    root = ctx.checkout() if wants_root else None
    found = _flat(caller(ctx=ctx, root=root))
    return leveled(found, ctx), _failures(manager)


def _flat(results: Iterable[Any]) -> list[Violation]:
    out: list[Violation] = []
    for result in results:
        if result is not None:
            out.extend(result)
    return out


def _failures(manager: pluggy.PluginManager) -> list[PluginFailure]:
    return manager.take_failures() if isinstance(manager, Manager) else []


def leveled(found: Iterable[Violation], ctx: RuleContext) -> list[Violation]:
    """Each violation at the level the policy (and plan) give its rule; `off` drops it."""
    out = []
    for violation in found:
        level = ctx.rules.severity(violation.rule, violation.severity)
        if level != "off":
            out.append(violation.at(level))
    return sorted(out, key=_order)


def _order(violation: Violation) -> tuple[str, int, str]:
    return violation.path or "", violation.line or 0, violation.rule


def errors(violations: Iterable[Violation]) -> int:
    return sum(v.severity == "error" for v in violations)
