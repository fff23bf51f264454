"""Judging a feature: its shadow (or any tree) against its base, under its rules."""

from __future__ import annotations

from collections.abc import Iterable

from supervisor.gitio.changes import changes_between
from supervisor.lifecycle.feature import Feature
from supervisor.rules.engine import Report, judge


def evaluate(feature: Feature, tree: bytes | None) -> Report:
    """Every rule over the change from the commit the policy comes from (the base, unless the
    base is itself agent work no person has judged) to `tree`."""
    repo = feature.repo
    changes = changes_between(repo, repo.commit_tree(feature.policy_commit), tree)
    return judge(feature.plugins, feature.context(tree), changes)


def validate(feature: Feature, paths: Iterable[bytes] | None = None) -> Report:
    """The shadow against the base; `paths`: what changed since the last scan, if known."""
    report = evaluate(feature, feature.scanner.scan(paths))
    record(feature, report)
    return report


def record(feature: Feature, report: Report) -> None:
    feature.ws.state.record_verdict(feature.name, report.ok, report.errors, report.warnings)
    feature.emit("validate", ok=report.ok, errors=report.errors)
