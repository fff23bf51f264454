"""`git agent hook pre-commit|pre-push|pre-receive|update`: the git hook entry points, behind
the shims and the pre-commit framework.

The pre-commit hook starts git on the staged diff before it imports the rules engine, so git
works on one core while Python loads the plugins on the other: the imports below the first
lines of `run` are deliberate."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.errors import UsageError
from supervisor.gitio.diffs import StagedDiff
from supervisor.gitio.locate import Location, locate
from supervisor.gitio.objects import EMPTY_TREE_OID
from supervisor.render.output import Output

if TYPE_CHECKING:
    from supervisor.gates.commits import PushedRef
    from supervisor.gates.push import CommitReport
    from supervisor.gates.repository import GateRepo

SERVER = ("pre-receive", "update")


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    pre_commit = args.name == "pre-commit"
    where = locate(Path(cwd), env, head=args.name in ("pre-commit", "files"))
    if where.bare and args.name not in SERVER:
        raise UsageError(f"a bare repository has no work tree for git-agent: {where.git_dir}")
    index_file = Path(cwd, env["GIT_INDEX_FILE"]) if env.get("GIT_INDEX_FILE") else None
    diff = _staged(where, index_file) if pre_commit else None
    from supervisor.gates.repository import GateRepo  # now, while git works

    with closing(GateRepo(where, env)) as repo:
        if diff is not None:
            return _pre_commit(repo, index_file, diff, out)
        if args.name in SERVER:
            return _server(repo, args, env, out)
        if args.name == "files":
            return _files(repo, args.hook_args, out)
        remote = args.hook_args[0] if args.hook_args else env.get("PRE_COMMIT_REMOTE_NAME")
        return _pre_push(repo, env, remote, out)


def _staged(where: Location, index_file: Path | None) -> StagedDiff:
    assert where.work_tree is not None
    return StagedDiff(where.git_dir, where.work_tree, where.head or EMPTY_TREE_OID, index_file)


def _pre_commit(repo: GateRepo, index_file: Path | None, diff: StagedDiff, out: Output) -> int:
    from supervisor.gates.staged import judge_staged
    from supervisor.render import text
    from supervisor.rules.engine import PluginsFailed

    report = judge_staged(repo, index_file, diff)
    for notice in report.notices:
        out.line(f"git-agent: this commit {notice}")
    if report.violations or report.blocked:
        out.line("git-agent: the staged changes break the policy:")
        text.report(out, report)
    if report.failures:
        raise PluginsFailed(report)
    return 0 if report.ok else 1


def _files(repo: GateRepo, names: list[str], out: Output) -> int:
    from supervisor.gates.files import judge_files
    from supervisor.render import text
    from supervisor.rules.engine import PluginsFailed

    report = judge_files(repo, names)
    if report.violations or report.blocked:
        out.line("git-agent: these files break the policy:")
        text.report(out, report)
    if report.failures:
        raise PluginsFailed(report)
    return 0 if report.ok else 1


def _pre_push(repo: GateRepo, env: Mapping[str, str], remote: str | None, out: Output) -> int:
    from supervisor.gates.commits import remote_tracking
    from supervisor.gates.push import judge_push, refs_from

    known = remote_tracking(repo.git, remote) or remote_tracking(repo.git)
    refs = refs_from(out.stdin, env, repo)
    code = _said(out, judge_push(repo, refs, known, fetch_from=remote))
    if code == 0 and remote:
        _send_attestations(repo, remote, refs, known, out)
    return code


def _send_attestations(
    repo: GateRepo, remote: str, refs: list[PushedRef], known: list[str], out: Output
) -> None:
    """On branches that need attestations, send the remote those it lacks before the commits
    reach it, so its own gate (pre-receive) can read them."""
    from supervisor.config.rules import Rules
    from supervisor.gates.attestation import applies, branch_name, send_along, trees_of
    from supervisor.gitio.objects import NULL_OID

    for ref in refs:
        branch = branch_name(ref.remote_ref)
        local = repo.git.commit_or_none(ref.local) if ref.local != NULL_OID else None
        if branch is None or local is None:
            continue
        old = repo.git.commit_or_none(ref.remote) if ref.remote != NULL_OID else None
        listed = repo.git.new_commits(local, [old] if old else known)
        anchor = old or (listed[0][1][0] if listed and listed[0][1] else None)
        if not listed or not applies(
            Rules(repo.policy_at(anchor), None, anchor).policy.gates, branch
        ):
            continue
        brought = {r.remote_ref for r in refs}  # those this push sends itself
        trees = trees_of(repo, [c for c, _ in listed]).values()
        sent = send_along(repo, remote, trees, brought)
        if sent:
            out.line(f"git-agent: sent {len(sent)} attestation(s) of {branch} to {remote}")


def _server(repo: GateRepo, args: argparse.Namespace, env: Mapping[str, str], out: Output) -> int:
    """On the server: every pushed ref, under the policy of what the server already has;
    a change of the policy only with an approval the server holds (`agent.approvedPolicy`)."""
    from supervisor.gates.adoption import APPROVAL_CONFIG, APPROVAL_ENV, parse_approvals
    from supervisor.gates.commits import PushedRef, parse_receive

    if args.name == "update":
        if len(args.hook_args) != 3:
            raise UsageError("hook update: takes <ref> <old> <new>, as git passes them")
        ref, old, new = args.hook_args
        refs = [PushedRef(ref, new, ref, old)]
    else:
        refs = parse_receive(out.stdin)
    approvals = parse_approvals(env.get(APPROVAL_ENV)) + repo.git.config_all(APPROVAL_CONFIG)
    from supervisor.gates.push import judge_push

    return _said(out, judge_push(repo, refs, repo.git.refs("refs/"), True, approvals))


def _said(out: Output, reports: list[CommitReport]) -> int:
    from supervisor.render import text
    from supervisor.rules.engine import PluginsFailed

    failed = 0
    for found in reports:
        report = found.report
        for notice in report.notices:
            out.line(f"git-agent: commit {found.commit[:12]} {notice}")
        if report.violations or report.blocked:
            out.line(f"git-agent: commit {found.commit[:12]} ({found.summary}) breaks the policy:")
            text.report(out, report)
        if report.failures:
            raise PluginsFailed(report)
        failed += not report.ok
    return 1 if failed else 0
