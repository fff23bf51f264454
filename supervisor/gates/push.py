"""The pre-push gate: every new commit of every pushed ref, each on its own, under the policy
of what the remote already has."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from supervisor.config.rules import Rules
from supervisor.gates.commits import PushedRef, parse_push, pushed_commits
from supervisor.gates.repository import GateRepo
from supervisor.gitio.diffs import commit_changes
from supervisor.gitio.objects import NULL_OID
from supervisor.rules.engine import Report


class CommitReport(NamedTuple):
    commit: str
    summary: str
    report: Report


def judge_push(repo: GateRepo, refs: list[PushedRef], remote: str | None) -> list[CommitReport]:
    pushed = pushed_commits(repo.git, refs, remote)
    commits = [commit for commit, _, _ in pushed]
    summaries = repo.git.summaries(commits)
    anchors = {commit: anchor for commit, anchor, _ in pushed}
    firsts = {commit: parent for commit, _, parent in pushed}
    out = []
    for commit, changes in commit_changes(repo.where.git_dir, commits, firsts):
        anchor = anchors[commit]
        rules = Rules(repo.policy_at(anchor or None), None, anchor or None)
        repo.objects.prefetch_headers(c.oid for c in changes if c.oid)
        report = repo.judge(rules, changes, lambda c=commit: c)  # type: ignore[misc]
        out.append(CommitReport(commit, summaries.get(commit, ""), report))
    return out


def refs_from(lines: Iterable[str], env: Mapping[str, str], repo: GateRepo) -> list[PushedRef]:
    """The refs of this push: git's stdin, or the one range pre-commit's pre-push stage passes
    in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF."""
    if not env.get("PRE_COMMIT_TO_REF"):
        return parse_push(lines)
    head = repo.git.commit_or_none(env["PRE_COMMIT_TO_REF"]) or NULL_OID
    base = repo.git.commit_or_none(env.get("PRE_COMMIT_FROM_REF", "")) or NULL_OID
    return [PushedRef("", head, "", base)]
