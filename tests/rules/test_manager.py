"""The plugin manager: entry points, GIT_AGENT_DISABLE_PLUGINS, third-party plugins, failures."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

from supervisor import plugin
from supervisor.config.settings import blocked_from
from supervisor.errors import OperationalError, UsageError
from supervisor.rules.manager import emit, load
from supervisor.rules.types import Event
from tests.kit import cli, commit_all, distribution, on_path, run_cli

DEMO = """
from __future__ import annotations

from supervisor.plugin import Violation, hookimpl


@hookimpl
def git_agent_check_path(change, ctx):
    if change.oid is None or change.binary:
        return []
    found = []
    for number, text in enumerate(ctx.blob(change.oid).decode(errors="replace").splitlines(), 1):
        if "TODO" in text:
            found.append(
                Violation(
                    rule="demo.no-todo",
                    severity="warning",
                    path=change.path,
                    line=number,
                    message="a TODO was left",
                )
            )
    return found
"""

RAISES = """
from supervisor.plugin import hookimpl


@hookimpl
def git_agent_check_changes(changes, ctx):
    raise RuntimeError("kaboom in the demo plugin")
"""

BROKEN = """
import git_agent_module_that_does_not_exist  # noqa: F401
"""


@pytest.fixture
def feature(repo: Path) -> Path:
    """Feature f whose plan allows only src/**; its shadow."""
    (repo.parent / "plan.toml").write_text('[scope]\nallow = ["src/**"]\n')
    result = cli(repo, "start", "f", "--plan", "../plan.toml", "--json")
    assert result.code == 0, result
    return Path(result.json()["shadow"])  # type: ignore[index]


def rules_of(result: object) -> set[tuple[str, str | None]]:
    assert isinstance(result, dict)
    return {(v["rule"], v["path"]) for v in result["violations"]}


# --- the built-in scope plugin ----------------------------------------------


def test_scope_is_registered_by_entry_point() -> None:
    found = {ep.name: ep for ep in entry_points(group="git_agent")}
    assert found["scope"].value == "git_agent_plugins.scope"
    manager = load()
    plugin = manager.get_plugin("scope")
    assert plugin is not None
    assert plugin.__name__ == "git_agent_plugins.scope"
    # registered only through the entry point: the name is the entry point's
    assert manager.get_name(plugin) == "scope"
    assert manager.hook.git_agent_check_path.get_hookimpls()
    assert any(i.plugin_name == "scope" for i in manager.hook.git_agent_check_path.get_hookimpls())


def test_disabling_blocks_a_plugin() -> None:
    manager = load(frozenset({"scope"}))
    assert manager.get_plugin("scope") is None
    assert manager.is_blocked("scope")
    names = {i.plugin_name for i in manager.hook.git_agent_check_path.get_hookimpls()}
    assert "scope" not in names


def test_the_disable_list_is_comma_separated() -> None:
    env = {"GIT_AGENT_DISABLE_PLUGINS": " scope, secrets ,,"}
    assert blocked_from(env) == {"scope", "secrets"}
    assert blocked_from({}) == frozenset()


def test_disabled_scope_drops_its_violation_from_validate(repo: Path, feature: Path) -> None:
    (feature / "README.md").write_text("changed\n")
    found = cli(repo, "validate", "f", "--json")
    assert found.code == 1, found
    assert ("scope.outside", "README.md") in rules_of(found.json())
    without = run_cli(repo, "validate", "f", "--json", env={"GIT_AGENT_DISABLE_PLUGINS": "scope"})
    assert without.code in (0, 1), without
    assert not any(rule.startswith("scope.") for rule, _ in rules_of(without.json()))


# --- a third-party plugin ------------------------------------------------------


def test_a_third_party_plugin_installed_by_entry_point_reports(
    repo: Path, feature: Path, tmp_path: Path
) -> None:
    site = distribution(tmp_path / "site", "git_agent_demo", "demo", "git_agent_demo", DEMO)
    (feature / "src" / "app.py").write_text("print('hello')\n# TODO: finish\n")
    result = run_cli(repo, "validate", "f", "--json", env=on_path(site))
    assert result.code == 0, result  # a warning only
    report = result.json()
    assert isinstance(report, dict)
    demo = [v for v in report["violations"] if v["rule"] == "demo.no-todo"]
    assert demo == [
        {
            "rule": "demo.no-todo",
            "severity": "warning",
            "path": "src/app.py",
            "line": 2,
            "message": "a TODO was left",
        }
    ]
    # without the distribution on the path, the rule is not there
    plain = run_cli(repo, "validate", "f", "--json")
    assert "demo.no-todo" not in {v["rule"] for v in plain.json()["violations"]}  # type: ignore[index]
    # and it can be blocked by name like any other
    blocked = run_cli(
        repo,
        "validate",
        "f",
        "--json",
        env={**on_path(site), "GIT_AGENT_DISABLE_PLUGINS": "demo"},
    )
    assert "demo.no-todo" not in {v["rule"] for v in blocked.json()["violations"]}  # type: ignore[index]


def test_the_policy_levels_a_third_party_rule(repo: Path, tmp_path: Path) -> None:
    policy = repo / ".git-agent" / "policy.toml"
    policy.parent.mkdir()
    policy.write_text('version = 1\n[rules]\n"demo.no-todo" = "error"\n')
    commit_all(repo, "policy")
    result = cli(repo, "start", "f", "--json")
    assert result.code == 0, result
    shadow = Path(result.json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "app.py").write_text("# TODO\n")
    site = distribution(tmp_path / "site", "git_agent_demo", "demo", "git_agent_demo", DEMO)
    found = run_cli(repo, "validate", "f", "--json", env=on_path(site))
    assert found.code == 1, found
    report = found.json()
    assert isinstance(report, dict)
    demo = [v for v in report["violations"] if v["rule"] == "demo.no-todo"]
    assert [v["severity"] for v in demo] == ["error"]  # the plugin said warning


def test_a_plugin_that_raises_exits_3_naming_it(repo: Path, feature: Path, tmp_path: Path) -> None:
    site = distribution(tmp_path / "site", "git_agent_boom", "boom", "git_agent_boom", RAISES)
    (feature / "src" / "app.py").write_text("print('changed')\n")
    result = run_cli(repo, "validate", "f", "--json", env=on_path(site))
    assert result.code == 3, result
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    assert "plugin boom failed in git_agent_check_changes" in result.err
    assert "kaboom" in result.err


def test_a_plugin_that_fails_to_import_exits_2_naming_it(
    repo: Path, feature: Path, tmp_path: Path
) -> None:
    site = distribution(tmp_path / "site", "git_agent_broken", "broken", "git_agent_broken", BROKEN)
    result = run_cli(repo, "validate", "f", "--json", env=on_path(site))
    assert result.code == 2, result
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    assert "plugin broken (git_agent_broken) failed to load" in result.err
    # a broken plugin blocked locally (to debug it) stops nothing, but the verdict says it is
    # incomplete: it would never promote nor pass a gate
    result = run_cli(
        repo,
        "validate",
        "f",
        "--json",
        env={**on_path(site), "GIT_AGENT_DISABLE_PLUGINS": "broken"},
    )
    assert result.code == 1, result
    report = result.json()
    assert isinstance(report, dict)
    assert report["incomplete"] is True and report["blocked"] == ["broken"]
    assert report["violations"] == []


def test_a_missing_entry_point_target_exits_2(repo: Path, feature: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    distribution(site, "git_agent_ghost", "ghost", "git_agent_ghost", "")
    (site / "git_agent_ghost.py").unlink()
    result = run_cli(repo, "validate", "f", env=on_path(site))
    assert result.code == 2, result
    assert "plugin ghost" in result.err and "Traceback" not in result.err


# --- the manager, in-process ---------------------------------------------------


class Raiser:
    @plugin.hookimpl
    def git_agent_event(self, event: object) -> None:
        raise ValueError("nope")


class Fatal:
    @plugin.hookimpl
    def git_agent_event(self, event: object) -> None:
        raise UsageError("a plugin's own usage error")


def test_a_failing_observer_is_named_and_the_operation_stands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = load(frozenset(p.name for p in entry_points(group="git_agent")))
    manager.register_guarded(Raiser(), "raiser")
    emit(manager, Event("checkpoint", "f"))
    assert "plugin raiser failed in git_agent_event" in caplog.text


def test_expected_errors_of_a_plugin_pass_through() -> None:
    manager = load(frozenset(p.name for p in entry_points(group="git_agent")))
    manager.register_guarded(Fatal(), "fatal")
    with pytest.raises(UsageError, match="a plugin's own usage error"):
        manager.hook.git_agent_event(event=None)


def test_a_raising_implementation_is_recorded_and_the_others_still_run() -> None:
    manager = load(frozenset(p.name for p in entry_points(group="git_agent")))
    manager.register_guarded(Raiser(), "raiser")
    seen: list[object] = []

    class Counter:
        @plugin.hookimpl
        def git_agent_event(self, event: object) -> None:
            seen.append(event)

    manager.register_guarded(Counter(), "counter")
    manager.hook.git_agent_event(event="e")
    assert seen == ["e"]
    assert [f.plugin for f in manager.take_failures()] == ["raiser"]
    assert isinstance(OperationalError("x"), Exception)
