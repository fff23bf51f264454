"""Which commits a push brings, and which commit's policy judges each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from supervisor.errors import UsageError
from supervisor.gitio.objects import NULL_OID
from supervisor.gitio.plumbing import Plumbing


class PushedRef(NamedTuple):
    local_ref: str
    local: str
    remote_ref: str
    remote: str


def parse_push(lines: Iterable[str]) -> list[PushedRef]:
    """git's pre-push input: `<local ref> <local sha> <remote ref> <remote sha>` per line."""
    refs = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise UsageError(f"pre-push: cannot read the line {line.strip()!r}")
        refs.append(PushedRef(*parts))
    return refs


def pushed_content(git: Plumbing, refs: Iterable[PushedRef]) -> list[tuple[PushedRef, str, str]]:
    """(ref, kind, id) for every pushed ref whose object is not a commit but a tree or a blob
    (a tag of one): content that reaches the remote with no commit around it."""
    out = []
    for ref in refs:
        if ref.local == NULL_OID or git.commit_or_none(ref.local) is not None:
            continue
        found = git.kind_of(ref.local)
        if found is not None and found[0] in ("tree", "blob"):
            out.append((ref, found[0], found[1]))
    return out


def remote_tracking(git: Plumbing, remote: str | None = None) -> list[str]:
    """The commits of the remote-tracking branches (of `remote` only, when named)."""
    return git.refs(f"refs/remotes/{remote}/" if remote else "refs/remotes/")


def pushed_commits(
    git: Plumbing, refs: Iterable[PushedRef], remote: str | None
) -> list[tuple[str, str, str | None]]:
    """(commit, the commit its policy comes from, its first parent) for the new commits of
    every pushed ref, parents before children.

    A deletion, or a ref that is not a commit (a tag of a tree), pushes none. The policy of a
    ref's commits is that of the remote commit it updates, or, for a new branch, that of the
    parent of its oldest new commit: never one the push itself brings."""
    refs = list(refs)
    known_remote = [r.remote for r in refs if r.remote != NULL_OID and git.commit_or_none(r.remote)]
    tracking = remote_tracking(git, remote) or remote_tracking(git)
    seen: set[str] = set()
    out = []
    for ref in refs:
        local = git.commit_or_none(ref.local) if ref.local != NULL_OID else None
        if local is None:
            continue
        remote_commit = git.commit_or_none(ref.remote) if ref.remote != NULL_OID else None
        hide = [remote_commit] if remote_commit else [*tracking, *known_remote]
        commits = git.new_commits(local, hide)
        anchor = remote_commit or (commits[0][1][0] if commits and commits[0][1] else "")
        for commit, parents in commits:
            if commit not in seen:
                seen.add(commit)
                out.append((commit, anchor, parents[0] if parents else None))
    return out
