"""`gates.push.judge_push` called directly on real repositories (no CLI, no hook): the new
commits of every pushed ref, each on its own, under the policy of what the remote already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.gates.commits import PushedRef, parse_push, remote_tracking
from supervisor.gates.push import CommitReport, judge_push
from supervisor.gitio.objects import NULL_OID
from tests.kit import commit_all, commit_policy, gate, git, write_files

POLICY = '[scope]\ndeny = ["secret/**"]\n'


def push(repo: Path, *refs: PushedRef) -> list[CommitReport]:
    """A person's push to origin: what its tracking branches hold is what the remote has."""
    with gate(repo) as found:
        return judge_push(found, list(refs), remote_tracking(found.git, "origin"))


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    write_files(repo, files)
    return commit_all(repo, message)


def scope(found: CommitReport) -> set[tuple[str, str | None]]:
    return {(v.rule, v.path) for v in found.report.violations if v.rule.startswith("scope.")}


@pytest.fixture
def pushed(repo: Path) -> tuple[Path, str]:
    """`repo` with a policy denying secret/**, that commit already on the remote."""
    base = commit_policy(repo, POLICY)
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    return repo, base


def test_an_update_is_judged_commit_by_commit_under_the_remotes_policy(
    pushed: tuple[Path, str],
) -> None:
    repo, base = pushed
    loosen = commit_policy(repo, "version = 1\n", "loosen the policy")
    add = commit(repo, {"secret/key.txt": "k\n"}, "add a secret")
    reports = push(repo, PushedRef("refs/heads/main", add, "refs/heads/main", base))
    assert [(r.commit, r.summary) for r in reports] == [
        (loosen, "loosen the policy"),
        (add, "add a secret"),
    ]
    assert reports[0].report.ok and reports[0].report.notices  # a person's change, on record
    assert scope(reports[1]) == {("scope.denied", "secret/key.txt")}
    assert not reports[1].report.ok


def test_a_new_branch_brings_only_what_the_remote_lacks(pushed: tuple[Path, str]) -> None:
    repo, _ = pushed
    git(repo, "checkout", "-q", "-b", "topic")
    one = commit(repo, {"src/one.py": "one = 1\n"}, "one")
    two = commit(repo, {"secret/two.txt": "two\n"}, "two")
    reports = push(repo, PushedRef("refs/heads/topic", two, "refs/heads/topic", NULL_OID))
    assert [r.commit for r in reports] == [one, two]
    assert [scope(r) for r in reports] == [set(), {("scope.denied", "secret/two.txt")}]


def test_a_new_branch_is_judged_by_the_policy_before_it(pushed: tuple[Path, str]) -> None:
    repo, _ = pushed
    git(repo, "checkout", "-q", "-b", "topic")
    commit_policy(repo, "version = 1\n", "drop the deny")
    add = commit(repo, {"secret/key.txt": "k\n"}, "add a secret")
    reports = push(repo, PushedRef("refs/heads/topic", add, "refs/heads/topic", NULL_OID))
    assert scope(reports[-1]) == {("scope.denied", "secret/key.txt")}


def test_a_deletion_pushes_nothing(pushed: tuple[Path, str]) -> None:
    repo, base = pushed
    assert push(repo, PushedRef("(delete)", NULL_OID, "refs/heads/gone", base)) == []


def test_a_tree_pushed_without_a_commit_is_judged_as_added(pushed: tuple[Path, str]) -> None:
    repo, _ = pushed
    write_files(repo, {"secret/key.txt": "k\n"})
    git(repo, "add", "-A")
    tree = git(repo, "write-tree")
    [found] = push(repo, PushedRef("refs/tags/t", tree, "refs/tags/t", NULL_OID))
    assert (found.commit, found.summary) == (tree, "refs/tags/t: a tree with no commit")
    assert all(c.status == "A" for c in found.report.changes)
    assert scope(found) == {("scope.denied", "secret/key.txt")}  # the remote's policy


def test_a_commit_two_refs_push_is_judged_once(pushed: tuple[Path, str]) -> None:
    repo, base = pushed
    one = commit(repo, {"secret/a.txt": "a\n"}, "one")
    git(repo, "branch", "copy")
    reports = push(
        repo,
        PushedRef("refs/heads/main", one, "refs/heads/main", base),
        PushedRef("refs/heads/copy", one, "refs/heads/copy", NULL_OID),
    )
    assert [r.commit for r in reports] == [one]


def test_the_push_lines_git_writes_are_parsed() -> None:
    line = f"refs/heads/main {'a' * 40} refs/heads/main {NULL_OID}\n"
    assert parse_push([line, "\n"]) == [
        PushedRef("refs/heads/main", "a" * 40, "refs/heads/main", NULL_OID)
    ]


def test_a_merge_in_a_push_does_not_judge_what_a_parent_brought(repo: Path) -> None:
    """Invariant 8: history that predates the policy is not judged, whichever gate runs."""
    fork = commit_all(repo, "fork point")
    commit(repo, {"secret/old.txt": "from before the policy\n"}, "old history")
    base = commit_policy(repo, POLICY)
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "-q", "-b", "topic", fork)
    work = commit(repo, {"src/work.py": "w = 1\n"}, "work")
    git(repo, "merge", "-q", "--no-edit", "main")
    head = git(repo, "rev-parse", "HEAD")
    reports = push(repo, PushedRef("refs/heads/topic", head, "refs/heads/topic", NULL_OID))
    assert [r.commit for r in reports] == [work, head]
    assert all(r.report.ok for r in reports)


def test_what_a_merge_adds_itself_is_judged_in_a_push(pushed: tuple[Path, str]) -> None:
    repo, base = pushed
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, {"src/side.py": "s = 1\n"}, "side")
    git(repo, "checkout", "-q", "main")
    main = commit(repo, {"src/main.py": "m = 1\n"}, "main")
    git(repo, "merge", "-q", "--no-commit", "--no-ff", "side")
    write_files(repo, {"secret/evil.txt": "slipped in by the merge\n"})
    merge = commit_all(repo, "merge side")
    reports = push(repo, PushedRef("refs/heads/main", merge, "refs/heads/main", base))
    assert {r.commit for r in reports} == {side, main, merge}
    judged = {r.commit: r for r in reports}[merge]
    assert [c.path for c in judged.report.changes] == ["secret/evil.txt"]
    assert scope(judged) == {("scope.denied", "secret/evil.txt")}
