"""Shared steps of the git/symlink/path rule tests: a policy, a feature, a validation."""

from __future__ import annotations

import os
from pathlib import Path

from supervisor.gitio import trees
from supervisor.gitio.objects import BLOB, MODE_FILE
from supervisor.lifecycle.verdict import evaluate
from supervisor.lifecycle.workspace import open_feature as feature
from supervisor.rules.engine import Report
from tests.conftest import cli, commit_all

# The other plugin families are someone else's tests; keep them out of these verdicts.
ENV = {"GIT_AGENT_DISABLE_PLUGINS": "size,binary,delete,secrets"}


def set_policy(repo: Path, text: str) -> None:
    policy = repo / ".git-agent" / "policy.toml"
    policy.parent.mkdir(exist_ok=True)
    policy.write_text("version = 1\n" + text)
    commit_all(repo, "policy")


def start(repo: Path, name: str = "f", plan: str | None = None) -> Path:
    args = ["start", name]
    if plan is not None:
        plan_file = repo.parent / f"{name}-plan.toml"
        plan_file.write_text(plan)
        args += ["--plan", str(plan_file)]
    result = cli(repo, *args, env=ENV)
    assert result.code == 0, result
    info = cli(repo, "status", name, "--json", env=ENV).json()
    assert isinstance(info, dict)
    return Path(info["shadow"])


def validate(repo: Path, name: str = "f") -> tuple[int, list[dict[str, object]]]:
    result = cli(repo, "validate", name, "--json", env=ENV)
    assert result.code in (0, 1), result
    report = result.json()
    assert isinstance(report, dict)
    return result.code, report["violations"]


def found(violations: list[dict[str, object]], family: str) -> set[tuple[object, object]]:
    """(rule, path) of every violation of `family` (e.g. "git.")."""
    return {(v["rule"], v["path"]) for v in violations if str(v["rule"]).startswith(family)}


def severities(violations: list[dict[str, object]], family: str) -> set[tuple[object, object]]:
    return {(v["rule"], v["severity"]) for v in violations if str(v["rule"]).startswith(family)}


def evaluate_tree(
    repo: Path, changes: dict[bytes, tuple[int, bytes] | None], name: str = "f"
) -> Report:
    """The feature's base with `changes` applied (entries the shadow could never hold), judged."""
    with feature({**os.environ, **ENV}, str(repo), name) as found_feature:
        store = found_feature.repo
        tree = trees.update(store, store.commit_tree(found_feature.row.base), changes)
        return evaluate(found_feature, tree)


def blob(repo: Path, data: bytes, name: str = "f") -> tuple[int, bytes]:
    with feature({**os.environ, **ENV}, str(repo), name) as found_feature:
        return MODE_FILE, found_feature.repo.write(BLOB, data)
