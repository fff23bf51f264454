"""The CI gate: every commit in base..head (reachable from head, not from base), oldest first,
each judged on its own against its first parent, under the policy of the base commit.

A merge commit is judged only on what it brings that none of its parents has (conflict
resolutions, "evil" edits): what a parent brought was either judged in its own commit in the
range or is already part of the base's history."""

from __future__ import annotations

from collections.abc import Sequence

from supervisor.config.rules import Rules
from supervisor.errors import OperationalError, UsageError
from supervisor.gates.adoption import REVIEW, predating
from supervisor.gates.merges import merge_changes
from supervisor.gates.push import CommitReport, summary_of
from supervisor.gates.repository import GateRepo
from supervisor.gitio.change import Change
from supervisor.gitio.diffs import commit_changes
from supervisor.rules.engine import Report


def resolve_base(repo: GateRepo, base: str | None) -> str:
    if base is not None:
        return repo.git.resolve_commit(base)
    found = repo.git.commit_or_none("@{upstream}")
    if found is None:
        raise UsageError(
            "no --base given and HEAD has no upstream branch: "
            "pass --base REF (in CI, the merge base of the target branch and HEAD)"
        )
    return found


def base_rules(repo: GateRepo, base: str) -> Rules:
    """The rules as of `base`: its committed policy, or the default preset when it has none."""
    try:
        return Rules(repo.policy_at(base), None, base)
    except UsageError as exc:
        raise UsageError(f"policy of base {base[:12]}: {exc}") from exc


def check_range(
    repo: GateRepo, rules: Rules, base: str, head: str, approvals: Sequence[str] = ()
) -> tuple[list[CommitReport], int]:
    """The reports of every commit of base..head, and how many commits were left out because
    they predate the policy (the base has none; they lead to the commit that adopts it)."""
    commits = repo.git.new_commits(head, [base])
    skip = set() if repo.has_policy(base) else predating(repo.git, head, [base])
    commits = [(c, parents) for c, parents in commits if c not in skip]
    if repo.git.is_shallow():
        _refuse_shallow_cut(repo, commits)
    messages = repo.git.messages([c for c, _ in commits])
    merges = {commit: parents for commit, parents in commits if len(parents) > 1}
    plain = [c for c, _ in commits if c not in merges]
    firsts = {c: (parents[0] if parents else None) for c, parents in commits}
    judged: dict[str, Report] = {}
    for commit, changes in commit_changes(repo.where.git_dir, plain, firsts):
        judged[commit] = _judge(repo, rules, commit, changes, approvals, messages[commit])
    for commit, parents in merges.items():
        changes = merge_changes(repo, commit, parents)
        judged[commit] = _judge(repo, rules, commit, changes, approvals, messages[commit])
    reports = [CommitReport(c, summary_of(messages[c], judged[c]), judged[c]) for c, _ in commits]
    return reports, len(skip)


def _refuse_shallow_cut(repo: GateRepo, commits: list[tuple[str, list[str]]]) -> None:
    """A shallow clone whose history is cut inside the range cannot be judged: the cut commit
    would look as if it added every file of the repository."""
    cut = repo.git.shallow_boundary() & {c for c, _ in commits}
    if cut:
        raise OperationalError(
            f"the clone is shallow and its history is cut inside the range (at "
            f"{sorted(cut)[0][:12]}): fetch the whole range first (git fetch --deepen, or "
            "fetch-depth: 0 in actions/checkout)"
        )


def _judge(
    repo: GateRepo,
    rules: Rules,
    commit: str,
    changes: list[Change],
    approvals: Sequence[str],
    message: str,
) -> Report:
    repo.objects.prefetch_headers(c.oid for c in changes if c.oid)
    return repo.judge(rules, changes, lambda: commit, REVIEW, approvals, message)
