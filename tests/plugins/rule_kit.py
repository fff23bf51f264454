"""Shared steps of the plugin tests: a committed policy, a started feature, its verdict."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import cli, commit_all

Found = list[tuple[str, str, str | None]]


def start(repo: Path, policy: str, plan: str | None = None, name: str = "f") -> Path:
    """Commit `policy` as .git-agent/policy.toml, start feature `name` (with `plan`), return its shadow."""
    (repo / ".git-agent").mkdir(exist_ok=True)
    (repo / ".git-agent" / "policy.toml").write_text("version = 1\n" + policy)
    commit_all(repo, "policy")
    args = ["start", name]
    if plan is not None:
        plan_file = repo.parent / f"{name}-plan.toml"
        plan_file.write_text(plan)
        args += ["--plan", str(plan_file)]
    started = cli(repo, *args)
    assert started.code == 0, started
    return Path(cli(repo, "status", name, "--json").json()["shadow"])  # type: ignore[index]


def verdict(repo: Path, name: str = "f") -> tuple[int, dict[str, object]]:
    """`validate --json`: the exit code and the report."""
    result = cli(repo, "validate", name, "--json")
    assert result.code in (0, 1), result
    data = result.json()
    assert isinstance(data, dict)
    return result.code, data


def found(data: dict[str, object], prefixes: tuple[str, ...]) -> Found:
    """(rule, severity, path) of the violations whose rule starts with one of `prefixes`."""
    violations = data["violations"]
    assert isinstance(violations, list)
    return [
        (v["rule"], v["severity"], v["path"]) for v in violations if v["rule"].startswith(prefixes)
    ]
