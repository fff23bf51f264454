"""`rules.engine.judge` and `before_promote` with a real plugin manager, no CLI and no git:
every call goes through pluggy (wrappers, tryfirst/trylast), a raising plugin is named while
the others' findings stay, and the policy's levels are applied last."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pluggy
import pytest

from supervisor.config.rules import Layer, Rules
from supervisor.errors import ConfigError, OperationalError
from supervisor.gitio.change import Change
from supervisor.plugin import hookimpl
from supervisor.rules.context import RuleContext
from supervisor.rules.engine import Report, before_promote, judge, leveled
from supervisor.rules.entrypoints import entry_points
from supervisor.rules.manager import Manager, PluginFailure, load
from supervisor.rules.types import Violation

OID = "0123456789abcdef0123456789abcdef01234567"


class NoObjects:
    """An object reader for rules that never read content."""

    def read(self, oid: bytes | str) -> tuple[int, bytes]:
        raise AssertionError("no rule here reads content")

    def header(self, oid: bytes | str) -> tuple[int, int]:
        raise AssertionError("no rule here reads content")

    def head(self, oid: bytes | str, size: int) -> bytes:
        raise AssertionError("no rule here reads content")


def added(path: str) -> Change:
    return Change(path, "A", None, 1, 0, False, 0o100644, None, OID, None)


def context(policy: Layer | None = None, plan: Layer | None = None, **kwargs: Any) -> RuleContext:
    return RuleContext(Rules(policy or Layer(), plan), NoObjects(), **kwargs)


def manager(*plugins: tuple[str, object]) -> Manager:
    """A manager with no installed plugin but `plugins`, each registered as a plugin is."""
    found = load(found=[])
    for name, plugin in plugins:
        found.register_guarded(plugin, name)
    return found


def rules_of(report: Report) -> list[tuple[str, str | None]]:
    return [(v.rule, v.path) for v in report.violations]


class Flags:
    """One violation per changed path, and one for the whole set."""

    def __init__(self, rule: str = "demo.flag", severity: str = "error") -> None:
        self.rule, self.severity = rule, severity

    @hookimpl
    def git_agent_check_path(self, change: Change, ctx: RuleContext) -> Sequence[Violation]:
        return [Violation(self.rule, "flagged", self.severity, change.path)]

    @hookimpl
    def git_agent_check_changes(
        self, changes: Sequence[Change], ctx: RuleContext
    ) -> Sequence[Violation]:
        return [Violation(f"{self.rule}-set", f"{len(changes)} changes", self.severity)]


# --- through pluggy ---------------------------------------------------------------------------


class DropsTests:
    """A new-style wrapper: takes the other plugins' results and drops what is under tests/."""

    @hookimpl(wrapper=True)
    def git_agent_check_path(
        self, change: Change, ctx: RuleContext
    ) -> Generator[None, list[Sequence[Violation]], list[Sequence[Violation]]]:
        results = yield
        return [[v for v in found if not (v.path or "").startswith("tests/")] for found in results]


class AddsOne:
    """A new-style wrapper that adds a finding of its own to the whole-set results."""

    @hookimpl(wrapper=True)
    def git_agent_check_changes(
        self, changes: Sequence[Change], ctx: RuleContext
    ) -> Generator[None, list[Sequence[Violation]], list[Sequence[Violation]]]:
        results = yield
        return [*results, [Violation("wrap.added", "added by a wrapper", "warning")]]


class OldStyle:
    """An old-style hookwrapper that replaces the whole-set result."""

    @hookimpl(hookwrapper=True)
    def git_agent_check_changes(
        self, changes: Sequence[Change], ctx: RuleContext
    ) -> Generator[None, pluggy.Result[list[Sequence[Violation]]], None]:
        outcome = yield
        seen = outcome.get_result()
        outcome.force_result([[Violation("old.wrapper", f"saw {len(seen)} results", "warning")]])


def test_a_new_style_wrapper_drops_a_violation() -> None:
    plugins = manager(("flags", Flags()), ("drops", DropsTests()))
    report = judge(plugins, context(), [added("src/a.py"), added("tests/t.py")])
    assert rules_of(report) == [("demo.flag-set", None), ("demo.flag", "src/a.py")]
    assert not report.failures


def test_a_new_style_wrapper_adds_a_violation() -> None:
    plugins = manager(("flags", Flags()), ("adds", AddsOne()))
    report = judge(plugins, context(), [added("src/a.py")])
    assert sorted(rules_of(report)) == [
        ("demo.flag", "src/a.py"),
        ("demo.flag-set", None),
        ("wrap.added", None),
    ]
    assert (report.errors, report.warnings) == (2, 1)


def test_an_old_style_hookwrapper_can_replace_the_result() -> None:
    plugins = manager(("flags", Flags()), ("old", OldStyle()))
    report = judge(plugins, context(), [added("src/a.py")])
    assert rules_of(report) == [("old.wrapper", None), ("demo.flag", "src/a.py")]
    assert report.violations[0].message == "saw 1 results"


def test_a_wrapper_wraps_the_installed_scope_plugin() -> None:
    """The built-in plugins are registered as any other: a wrapper sees their results."""
    scope = [ep for ep in entry_points() if ep.name == "scope"]
    assert scope, "the scope plugin is installed by entry point"
    plugins = load(found=scope)
    policy = Layer(allow=("src/**",))
    unwrapped = judge(plugins, context(policy), [added("README.md"), added("tests/t.py")])
    assert rules_of(unwrapped) == [("scope.outside", "README.md"), ("scope.outside", "tests/t.py")]
    plugins.register_guarded(DropsTests(), "drops")
    wrapped = judge(plugins, context(policy), [added("README.md"), added("tests/t.py")])
    assert rules_of(wrapped) == [("scope.outside", "README.md")]


def test_tryfirst_and_trylast_order_the_calls() -> None:
    calls: list[str] = []

    def recorder(name: str, **marks: bool) -> object:
        class Recorder:
            @hookimpl(**marks)
            def git_agent_check_path(self, change: Change, ctx: RuleContext) -> None:
                calls.append(name)

        return Recorder()

    # registered in the order that would be called last-registered-first without the marks
    plugins = manager(
        ("first", recorder("first", tryfirst=True)),
        ("plain-a", recorder("plain-a")),
        ("last", recorder("last", trylast=True)),
        ("plain-b", recorder("plain-b")),
    )
    judge(plugins, context(), [added("a")])
    assert calls[0] == "first" and calls[-1] == "last"
    assert calls[1:3] == ["plain-b", "plain-a"]  # pluggy: the later registered runs first


def test_no_plugin_no_violation() -> None:
    report = judge(manager(), context(), [added("a")])
    assert report.ok and report.violations == [] and [c.path for c in report.changes] == ["a"]


# --- a plugin that fails ----------------------------------------------------------------------


class Raises:
    @hookimpl
    def git_agent_check_path(self, change: Change, ctx: RuleContext) -> Sequence[Violation]:
        raise RuntimeError(f"kaboom on {change.path}")


class RaisesConfig:
    @hookimpl
    def git_agent_check_changes(self, changes: Sequence[Change], ctx: RuleContext) -> None:
        raise ConfigError(".git-agent/policy.toml", "[plugins.demo] is wrong")


class RaisingWrapper:
    @hookimpl(wrapper=True)
    def git_agent_check_changes(
        self, changes: Sequence[Change], ctx: RuleContext
    ) -> Generator[None, list[Sequence[Violation]], list[Sequence[Violation]]]:
        yield
        raise ValueError("the wrapper broke")


def test_a_raising_plugin_is_named_and_the_others_findings_are_kept() -> None:
    plugins = manager(("flags", Flags("demo.flag", "warning")), ("boom", Raises()))
    report = judge(plugins, context(), [added("a.py"), added("b.py")])
    assert rules_of(report) == [
        ("demo.flag-set", None),
        ("demo.flag", "a.py"),
        ("demo.flag", "b.py"),
    ]
    assert report.errors == 0  # only warnings were found ...
    assert not report.ok  # ... but a rule did not run to the end
    assert report.failures == [
        PluginFailure("boom", "git_agent_check_path", "RuntimeError('kaboom on a.py')"),
        PluginFailure("boom", "git_agent_check_path", "RuntimeError('kaboom on b.py')"),
    ]
    assert report.failures[0].message == (
        "plugin boom failed in git_agent_check_path: RuntimeError('kaboom on a.py')"
    )


def test_failures_belong_to_the_judgement_they_happened_in() -> None:
    plugins = manager(("boom", Raises()))
    assert len(judge(plugins, context(), [added("a")]).failures) == 1
    assert judge(plugins, context(), []).failures == []  # no path, no call, no old failure


def test_an_expected_error_of_a_plugin_passes_through() -> None:
    plugins = manager(("flags", Flags()), ("config", RaisesConfig()))
    with pytest.raises(ConfigError, match=r"\[plugins.demo\] is wrong"):
        judge(plugins, context(), [added("a")])


def test_a_raising_wrapper_is_named() -> None:
    plugins = manager(("flags", Flags()), ("wrapper", RaisingWrapper()))
    with pytest.raises(OperationalError, match="plugin wrapper failed in git_agent_check_changes"):
        judge(plugins, context(), [added("a")])


def test_a_judgement_that_raised_leaves_no_failure_behind() -> None:
    plugins = manager(("boom", Raises()), ("config", RaisesConfig()))
    with pytest.raises(ConfigError):
        judge(plugins, context(), [added("a")])
    plugins.unregister(name="config")
    later = judge(plugins, context(), [])
    assert later.failures == [] and later.ok


# --- the policy's levels ----------------------------------------------------------------------


def found_levels(report: Report) -> set[tuple[str, str]]:
    return {(v.rule, v.severity) for v in report.violations}


def test_the_policy_turns_a_rule_off_or_changes_its_level() -> None:
    plugins = manager(("a", Flags("demo.a")), ("b", Flags("demo.b", "warning")))
    policy = Layer(rules={"demo.a": "off", "demo.a-set": "warning", "demo.b": "error"})
    report = judge(plugins, context(policy), [added("x")])
    assert found_levels(report) == {
        ("demo.a-set", "warning"),
        ("demo.b", "error"),
        ("demo.b-set", "warning"),
    }


def test_a_dotted_prefix_sets_the_level_of_a_family() -> None:
    plugins = manager(("a", Flags("demo.a")))
    report = judge(plugins, context(Layer(rules={"demo": "warning"})), [added("x")])
    assert found_levels(report) == {("demo.a", "warning"), ("demo.a-set", "warning")}
    assert report.ok


def test_a_plan_raises_a_level_and_never_lowers_one() -> None:
    plugins = manager(("a", Flags("demo.a", "warning")), ("b", Flags("demo.b")))
    policy = Layer(rules={"demo.b-set": "warning"})
    plan = Layer(rules={"demo.a": "error", "demo.b": "off", "demo.b-set": "off"})
    report = judge(plugins, context(policy, plan), [added("x")])
    assert found_levels(report) == {
        ("demo.a", "error"),  # raised by the plan
        ("demo.a-set", "warning"),
        ("demo.b", "error"),  # the plan cannot turn it off
        ("demo.b-set", "warning"),  # nor lower what the policy set
    }


def test_leveled_sorts_by_path_line_and_rule() -> None:
    found = [
        Violation("z.rule", "m", path="b", line=1),
        Violation("a.rule", "m", path="b", line=1),
        Violation("a.rule", "m", path="a", line=9),
        Violation("a.rule", "m", path="b"),
        Violation("a.rule", "m"),
    ]
    out = leveled(found, context())
    assert [(v.path, v.line, v.rule) for v in out] == [
        (None, None, "a.rule"),
        ("a", 9, "a.rule"),
        ("b", None, "a.rule"),
        ("b", 1, "a.rule"),
        ("b", 1, "z.rule"),
    ]


# --- before a promotion -----------------------------------------------------------------------


class WithoutRoot:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def git_agent_before_promote(self, ctx: RuleContext) -> Sequence[Violation]:
        self.calls += 1
        return [Violation("check.plain", "ran without a checkout", "warning")]


class WithRoot:
    def __init__(self) -> None:
        self.roots: list[Path] = []

    @hookimpl
    def git_agent_before_promote(self, ctx: RuleContext, root: Path) -> Sequence[Violation]:
        self.roots.append(root)
        return [Violation("check.root", f"ran in {root.name}")]


def counting_checkout(where: Path) -> tuple[list[Path], Any]:
    made: list[Path] = []

    def checkout() -> Path:
        made.append(where)
        return where

    return made, checkout


def test_before_promote_makes_no_checkout_when_no_implementation_names_root(
    tmp_path: Path,
) -> None:
    plain = WithoutRoot()
    made, checkout = counting_checkout(tmp_path / "checkout")
    violations, failures = before_promote(manager(("plain", plain)), context(checkout=checkout))
    assert made == [] and plain.calls == 1 and failures == []
    assert [(v.rule, v.severity) for v in violations] == [("check.plain", "warning")]


def test_before_promote_makes_one_checkout_for_an_implementation_that_names_root(
    tmp_path: Path,
) -> None:
    plain, rooted = WithoutRoot(), WithRoot()
    made, checkout = counting_checkout(tmp_path / "checkout")
    policy = Layer(rules={"check.plain": "error"})
    violations, failures = before_promote(
        manager(("plain", plain), ("rooted", rooted)), context(policy, checkout=checkout)
    )
    assert made == [tmp_path / "checkout"]
    assert rooted.roots == [tmp_path / "checkout"]
    assert failures == []
    assert [(v.rule, v.severity) for v in violations] == [
        ("check.plain", "error"),  # leveled by the policy
        ("check.root", "error"),
    ]


def test_before_promote_names_a_raising_plugin() -> None:
    class Broken:
        @hookimpl
        def git_agent_before_promote(self, ctx: RuleContext) -> None:
            raise OSError("no such check")

    violations, failures = before_promote(
        manager(("plain", WithoutRoot()), ("broken", Broken())), context()
    )
    assert [v.rule for v in violations] == ["check.plain"]
    assert [(f.plugin, f.hook) for f in failures] == [("broken", "git_agent_before_promote")]


def test_a_plain_pluggy_manager_is_judged_too() -> None:
    """`judge` takes any pluggy manager of the project (no failures to collect then)."""
    plain = pluggy.PluginManager("git_agent")
    from supervisor.rules import specs

    plain.add_hookspecs(specs)
    plain.register(Flags(), name="flags")
    report = judge(plain, context(), [added("a")])
    assert rules_of(report) == [("demo.flag-set", None), ("demo.flag", "a")]
    assert report.failures == []
