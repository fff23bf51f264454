"""The gates and the policy itself: adopting it, changing it, and the history before it.

- Adopting a policy where none existed passes every gate, with a notice.
- A later change of the policy (its files changed, deleted or moved) by a person outside any
  feature passes the local hooks with a notice; from a feature's worktree, or on an agent/*
  branch, it is a `git.policy` error; in CI and on the server it is an error unless an
  approval names exactly the new content (the blob id of each changed file, `deleted:PATH`
  for a deletion) and comes from something the branch under review cannot change.
- History that predates the policy (the ancestors of the commit that adopted it, when the
  commit a change is judged against has no policy yet) is not new work: it is not judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from supervisor.config.load import POLICY_PATH
from supervisor.gitio.change import Change
from supervisor.gitio.plumbing import Plumbing
from supervisor.rules.types import Violation

POLICY_FILES = (".gitleaks.toml", ".gitleaksignore", ".secrets.baseline")
POLICY_DIR = ".git-agent/"
APPROVAL_ENV = "GIT_AGENT_APPROVED_POLICY"
APPROVAL_CONFIG = "agent.approvedPolicy"

PERSON = "person"  # a local hook outside any feature: notices
FEATURE = "feature"  # a feature's worktree, an agent/* branch: errors
REVIEW = "review"  # CI and the server: errors unless approved


def is_policy_path(path: str | None) -> bool:
    return path is not None and (path.startswith(POLICY_DIR) or path in POLICY_FILES)


def touches_policy(change: Change) -> bool:
    return is_policy_path(change.path) or is_policy_path(change.old_path)


class Judged(NamedTuple):
    """What the adoption rules say of one change set's policy files."""

    violations: list[Violation]
    notices: list[str]
    approved: list[str]


def split(changes: Sequence[Change]) -> tuple[list[Change], list[Change]]:
    """(the changes of policy files, the others)."""
    policy = [c for c in changes if touches_policy(c)]
    return policy, [c for c in changes if not touches_policy(c)]


def judge_policy_changes(
    changes: Sequence[Change], had_policy: bool, mode: str, approvals: Iterable[str]
) -> Judged:
    """The verdict on the policy files a change set touches. `had_policy`: the commit the
    change is judged against has a committed policy."""
    if not changes:
        return Judged([], [], [])
    if not had_policy and all(c.status == "A" for c in changes):
        return Judged([], [f"adopts the policy ({_named(changes)})"], [])
    if mode == PERSON:
        return Judged(
            [], [f"changes the policy ({_named(changes)}): a person's decision, now on record"], []
        )
    if mode == FEATURE:
        return Judged([_refusal(c, "a feature may not change the policy") for c in changes], [], [])
    wanted = [approval_key(c) for c in changes]
    granted = set(approvals)
    if all(key in granted for key in wanted):
        return Judged([], [f"changes the policy, approved: {', '.join(wanted)}"], wanted)
    missing = [key for key in wanted if key not in granted]
    how = (
        f"approve exactly this policy by setting {APPROVAL_ENV}={','.join(wanted)} in a "
        "repository or organisation variable or a protected environment (not in the workflow "
        f"file, which the branch can change), or {APPROVAL_CONFIG} on the server"
    )
    return Judged([_refusal(c, how) for c in changes if approval_key(c) in missing], [], [])


def approval_key(change: Change) -> str:
    """What an approval must name: the new content's blob id, or `deleted:PATH`."""
    if change.status == "D" or change.oid is None:
        return f"deleted:{change.path}"
    return change.oid


def _named(changes: Sequence[Change]) -> str:
    return ", ".join(sorted({c.path for c in changes}))


def _refusal(change: Change, why: str) -> Violation:
    return Violation(rule="git.policy", path=change.path, message=f"changes the policy: {why}")


def parse_approvals(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").replace("\n", ",").split(",") if item.strip()]


def predating(git: Plumbing, head: str, hide: Sequence[str]) -> set[str]:
    """The commits of head's history (not reachable from `hide`) that predate the policy: the
    ancestors of every commit in that range which adds `.git-agent/policy.toml`."""
    args = ["log", "--full-history", "--format=%H", "--diff-filter=A", head, "--not", *hide]
    adopted = git.git([*args, "--", POLICY_PATH], check=False).split()
    if not adopted:
        return set()
    parents = [f"{c.decode()}^@" for c in adopted]
    listed = git.git(["rev-list", *parents, "--not", *hide], check=False)
    return {line.decode() for line in listed.split()}
