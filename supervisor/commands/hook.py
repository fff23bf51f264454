"""`git agent hook pre-commit|pre-push`: the git hook entry points, behind the shims and pre-commit."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import pluggy

from supervisor import plugins
from supervisor.commands.validate import print_report
from supervisor.gates import (
    PushedRef,
    head_commit,
    index_tree,
    judge,
    parent_tree,
    parse_push,
    pushed_commits,
    resolve_or_none,
)
from supervisor.gitio import NULL_OID, Repo
from supervisor.layout import Layout
from supervisor.output import Output
from supervisor.policy import Plan, Policy, Rules, load_plan
from supervisor.policy_source import policy_at
from supervisor.settings import Settings
from supervisor.state import open_state


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    repo = Repo.discover(Path(cwd))
    manager = plugins.load(Settings.from_env(env).disabled_plugins)
    if args.name == "pre-commit":
        return _pre_commit(repo, manager, env, cwd, out)
    return _pre_push(repo, manager, env, args.hook_args, out)


def _pre_commit(
    repo: Repo, manager: pluggy.PluginManager, env: Mapping[str, str], cwd: str, out: Output
) -> int:
    index_file = Path(cwd, env["GIT_INDEX_FILE"]) if env.get("GIT_INDEX_FILE") else None
    head = head_commit(repo)
    rules = Rules(policy_at(repo, head), feature_plan(repo), head)
    old = repo.commit_tree(head) if head else None
    report = judge(repo, manager, rules, old, index_tree(repo, index_file))
    if report.violations:
        out.line("git-agent: the staged changes break the policy:")
        print_report(out, report)
    return 0 if report.ok else 1


def feature_plan(repo: Repo) -> Plan | None:
    """The plan of the feature whose worktree this is, if it is one."""
    layout = Layout.of(repo.common_dir)
    if not layout.db.exists():
        return None
    with open_state(layout.db) as state:
        for row in state.all():
            if row.state == "active" and Path(row.worktree).resolve() == repo.workdir:
                plan = layout.plan(row.name)
                return (
                    load_plan(plan.read_bytes(), row.plan_source or str(plan))
                    if plan.exists()
                    else None
                )
    return None


def _pre_push(
    repo: Repo,
    manager: pluggy.PluginManager,
    env: Mapping[str, str],
    hook_args: list[str],
    out: Output,
) -> int:
    refs = _from_pre_commit(repo, env) if env.get("PRE_COMMIT_TO_REF") else parse_push(out.stdin)
    remote = hook_args[0] if hook_args else env.get("PRE_COMMIT_REMOTE_NAME")
    policies: dict[str, Policy] = {}
    failed = 0
    for commit, base in pushed_commits(repo, refs, remote):
        anchor = base
        if anchor not in policies:
            policies[anchor] = policy_at(repo, anchor or None)
        report = judge(
            repo,
            manager,
            Rules(policies[anchor], None, anchor or None),
            parent_tree(repo, commit),
            repo.commit_tree(commit),
        )
        if report.violations:
            summary = repo.commit_info(commit).message.split("\n", 1)[0]
            out.line(f"git-agent: commit {commit[:12]} ({summary}) breaks the policy:")
            print_report(out, report)
        failed += not report.ok
    return 1 if failed else 0


def _from_pre_commit(repo: Repo, env: Mapping[str, str]) -> list[PushedRef]:
    """pre-commit's pre-push stage passes one range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF."""
    head = resolve_or_none(repo, env["PRE_COMMIT_TO_REF"]) or NULL_OID
    base = resolve_or_none(repo, env.get("PRE_COMMIT_FROM_REF", "")) or NULL_OID
    return [PushedRef("", head, "", base)]
