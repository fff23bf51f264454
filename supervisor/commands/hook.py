"""`git agent hook pre-commit|pre-push`: the git hook entry points, behind the shims and the
pre-commit framework."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.cli import text
from supervisor.cli.output import Output
from supervisor.gates.push import judge_push, refs_from
from supervisor.gates.repository import GateRepo, gate_repo
from supervisor.gates.staged import judge_staged
from supervisor.rules.engine import PluginsFailed


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with gate_repo(Path(cwd), env) as repo:
        if args.name == "pre-commit":
            return _pre_commit(repo, env, cwd, out)
        remote = args.hook_args[0] if args.hook_args else env.get("PRE_COMMIT_REMOTE_NAME")
        return _pre_push(repo, env, remote, out)


def _pre_commit(repo: GateRepo, env: Mapping[str, str], cwd: str, out: Output) -> int:
    index_file = Path(cwd, env["GIT_INDEX_FILE"]) if env.get("GIT_INDEX_FILE") else None
    report = judge_staged(repo, index_file)
    if report.violations:
        out.line("git-agent: the staged changes break the policy:")
        text.report(out, report)
    if report.failures:
        raise PluginsFailed(report)
    return 0 if report.ok else 1


def _pre_push(repo: GateRepo, env: Mapping[str, str], remote: str | None, out: Output) -> int:
    failed = 0
    for found in judge_push(repo, refs_from(out.stdin, env, repo), remote):
        report = found.report
        if report.violations:
            out.line(f"git-agent: commit {found.commit[:12]} ({found.summary}) breaks the policy:")
            text.report(out, report)
        if report.failures:
            raise PluginsFailed(report)
        failed += not report.ok
    return 1 if failed else 0
