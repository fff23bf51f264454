"""The pre-push gate: every new commit of every pushed ref, each on its own, under the policy
of what the remote already has."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from supervisor.config.rules import Rules
from supervisor.gates.adoption import FEATURE, PERSON, REVIEW, predating
from supervisor.gates.attestation import applies, branch_name, check_commits
from supervisor.gates.commits import (
    Pushed,
    PushedRef,
    agent_ref,
    parse_push,
    pushed_commits,
    pushed_content,
)
from supervisor.gates.merges import merge_changes
from supervisor.gates.repository import GateRepo
from supervisor.gitio.change import Change
from supervisor.gitio.diffs import commit_changes, tree_changes
from supervisor.gitio.objects import EMPTY_TREE_OID, MODE_FILE, NULL_OID
from supervisor.rules.engine import Report
from supervisor.rules.types import Violation
from supervisor.store.names import AGENT_REFS, ATTESTATIONS


class CommitReport(NamedTuple):
    commit: str
    summary: str
    report: Report


WITHHELD = "(the message is withheld: it holds a secret)"


def summary_of(message: str, report: Report) -> str:
    """A commit's first line, unless a rule found a secret in the message."""
    return WITHHELD if report.in_message else message.split("\n", 1)[0]


def judge_push(
    repo: GateRepo,
    refs: list[PushedRef],
    hide_new: list[str],
    review: bool = False,
    approvals: Sequence[str] = (),
    fetch_from: str | None = None,
) -> list[CommitReport]:
    """Every new commit of every pushed ref, each on its own. `review`: the server's gate
    (policy changes need an approval); else a person's push (a notice), or a feature's (an
    error). Commits that predate the policy (when the other side has none) are not judged.
    Refs under refs/agent/ (checkpoint chains, records, attestations: git-agent's history of
    a feature, judged at promotion) are not judged here. On branches the policy names in
    `[gates] require_attestation`, each new commit needs an attestation (`fetch_from`: the
    remote to fetch missing attestations from)."""
    everything = refs
    refs = [r for r in refs if not r.remote_ref.startswith(AGENT_REFS)]
    pushed = pushed_commits(repo.git, refs, hide_new)
    skip = _predating(repo, pushed)
    pushed = [p for p in pushed if p.commit not in skip]
    commits = [p.commit for p in pushed]
    messages = repo.git.messages(commits)
    by_commit = {p.commit: p for p in pushed}
    plain = [p.commit for p in pushed if len(p.parents) < 2]
    firsts = {p.commit: (p.parents[0] if p.parents else None) for p in pushed}
    listed = commit_changes(repo.where.git_dir, plain, firsts)
    merges = (
        (p.commit, merge_changes(repo, p.commit, list(p.parents)))
        for p in pushed
        if len(p.parents) > 1
    )
    out = []
    for commit, changes in itertools.chain(listed, merges):
        found = by_commit[commit]
        anchor = found.anchor or None
        rules = Rules(repo.policy_at(anchor), None, anchor)
        mode = REVIEW if review else FEATURE if agent_ref(found.ref) else PERSON
        repo.objects.prefetch_headers(c.oid for c in changes if c.oid)
        message = messages.get(commit, "")
        report = repo.judge(rules, changes, lambda c=commit: c, mode, approvals, message)  # type: ignore[misc]
        out.append(CommitReport(commit, summary_of(message, report), report))
    out.extend(_content_reports(repo, refs, hide_new))
    _attested(repo, refs, hide_new, out, everything, fetch_from)
    return out


def _attested(
    repo: GateRepo,
    refs: list[PushedRef],
    hide_new: list[str],
    reports: list[CommitReport],
    everything: list[PushedRef],
    fetch_from: str | None,
) -> None:
    """Add to the reports what `[gates] require_attestation` finds, ref by ref."""
    brought = [
        (r.remote_ref, r.local)
        for r in everything
        if r.remote_ref.startswith(ATTESTATIONS) and r.local != NULL_OID
    ]
    by_commit = {r.commit: r.report for r in reports}
    for ref in refs:
        branch = branch_name(ref.remote_ref)
        local = repo.git.commit_or_none(ref.local) if ref.local != NULL_OID else None
        if branch is None or local is None:
            continue
        old = repo.git.commit_or_none(ref.remote) if ref.remote != NULL_OID else None
        commits = repo.git.new_commits(local, [old] if old else hide_new)
        anchor = old or (commits[0][1][0] if commits and commits[0][1] else None)
        rules = Rules(repo.policy_at(anchor), None, anchor)
        if not applies(rules.policy.gates, branch):
            continue
        listed = [c for c, _ in commits if c in by_commit]
        checked = check_commits(repo, rules, branch, listed, brought, fetch_from)
        for commit, found in checked.violations.items():
            add_violations(by_commit[commit], rules, found)
        for commit, said in checked.notices.items():
            by_commit[commit].notices.extend(said)


def add_violations(report: Report, rules: Rules, found: list[Violation]) -> None:
    """Add `found` to `report` at the level the policy gives their rules."""
    for violation in found:
        level = rules.severity(violation.rule, violation.severity)
        if level != "off":
            report.violations.append(violation.at(level))
    report.violations.sort(key=lambda v: (v.path or "", v.line or 0, v.rule))


def _predating(repo: GateRepo, pushed: list[Pushed]) -> set[str]:
    """The pushed commits that predate the policy, for refs whose other side has none."""
    skip: set[str] = set()
    looked: set[tuple[str, tuple[str, ...]]] = set()
    for p in pushed:
        key = (p.ref.local, p.hide)
        if key in looked or repo.has_policy(p.anchor or None):
            continue
        looked.add(key)
        skip |= predating(repo.git, p.ref.local, list(p.hide))
    return skip


def _content_reports(repo: GateRepo, refs: list[PushedRef], known: list[str]) -> list[CommitReport]:
    """A tag of a tree or a blob carries content with no commit: each is judged as if added,
    under the policy of what the other side is known to have."""
    anchor = known[0] if known else None
    rules = Rules(repo.policy_at(anchor), None, anchor)
    out = []
    for ref, kind, oid in pushed_content(repo.git, refs):
        name = ref.local_ref.removeprefix("refs/tags/") or oid
        if kind == "tree":
            changes = tree_changes(repo.where.git_dir, EMPTY_TREE_OID, oid)
            tree = oid
        else:
            changes = [_blob_change(repo, name, oid)]
            tree = EMPTY_TREE_OID
        repo.objects.prefetch_headers(c.oid for c in changes if c.oid)
        report = repo.judge(rules, changes, lambda t=tree: t)  # type: ignore[misc]
        out.append(CommitReport(oid, f"{ref.local_ref}: a {kind} with no commit", report))
    return out


def _blob_change(repo: GateRepo, name: str, oid: str) -> Change:
    """A pushed blob, as a file called by its tag's name (its content is what matters)."""
    data = repo.objects.read(oid)[1]
    binary = b"\0" in data[:8000]
    text = "" if binary else data.decode("utf-8", "replace")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)]
    return Change(name, "A", None, len(lines), 0, binary, MODE_FILE, None, oid, None, lambda: lines)


def refs_from(lines: Iterable[str], env: Mapping[str, str], repo: GateRepo) -> list[PushedRef]:
    """The refs of this push: git's stdin, or the one range pre-commit's pre-push stage passes
    in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF."""
    if not env.get("PRE_COMMIT_TO_REF"):
        return parse_push(lines)
    head = repo.git.commit_or_none(env["PRE_COMMIT_TO_REF"]) or NULL_OID
    base = repo.git.commit_or_none(env.get("PRE_COMMIT_FROM_REF", "")) or NULL_OID
    return [PushedRef("", head, "", base)]
