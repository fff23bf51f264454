"""The pre-commit gate: the index git is about to commit, against HEAD, under HEAD's policy
(and the feature's plan, in a feature's worktree)."""

from __future__ import annotations

from pathlib import Path

from supervisor.config.load import load_plan
from supervisor.config.rules import Layer, Rules
from supervisor.gates.adoption import FEATURE, PERSON
from supervisor.gates.repository import GateRepo
from supervisor.gitio.diffs import StagedDiff
from supervisor.gitio.objects import EMPTY_TREE_OID
from supervisor.rules.engine import Report
from supervisor.store.layout import FEATURE_MARKER


def judge_staged(repo: GateRepo, index_file: Path | None, diff: StagedDiff | None = None) -> Report:
    """The staged changes under HEAD's policy; `diff`: git already started on them."""
    where = repo.where
    head = where.head
    if diff is None:
        assert where.work_tree is not None
        diff = StagedDiff(where.git_dir, where.work_tree, head or EMPTY_TREE_OID, index_file)
    rules = Rules(repo.policy_at(head), feature_plan(repo), head)
    repo.plugins(rules)
    mode = FEATURE if feature_of(repo) else PERSON
    return repo.judge(rules, diff.changes(), lambda: repo.git.write_tree(index_file), mode)


def feature_of(repo: GateRepo) -> str | None:
    """The feature whose worktree this is, if it is one."""
    where = repo.where
    if where.git_dir == where.common_dir:
        return None
    try:
        return (where.git_dir / FEATURE_MARKER).read_text().strip() or None
    except OSError:
        return None


def feature_plan(repo: GateRepo) -> Layer | None:
    """The plan of the feature whose worktree this is, if it is one."""
    name = feature_of(repo)
    if name is None:
        return None
    import json

    layout = repo.layout
    try:
        plan = layout.plan(name)
        text = plan.read_text(errors="replace") if plan.is_file() else ""
        return Layer.from_dict(json.loads(layout.plan_json(name).read_bytes()), str(plan), text)
    except (OSError, ValueError):
        pass
    plan = layout.plan(name)
    return load_plan(plan.read_bytes(), str(plan)) if plan.is_file() else None
