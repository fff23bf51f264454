"""Which commits a push brings, and which commit's policy judges each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def parse_receive(lines: Iterable[str]) -> list[PushedRef]:
    """git's pre-receive input: `<old> <new> <ref>` per line (as a push of `ref`)."""
    refs = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise UsageError(f"pre-receive: cannot read the line {line.strip()!r}")
        old, new, name = parts
        refs.append(PushedRef(name, new, name, old))
    return refs


def remote_tracking(git: Plumbing, remote: str | None = None) -> list[str]:
    """The commits of the remote-tracking branches (of `remote` only, when named)."""
    return git.refs(f"refs/remotes/{remote}/" if remote else "refs/remotes/")


class Pushed(NamedTuple):
    """One commit a push brings: the commit its policy comes from (never one the push brings;
    "" when there is none), its first parent, the ref that brings it, and what its range hides
    (what the other side already has)."""

    commit: str
    anchor: str
    parents: tuple[str, ...]
    ref: PushedRef
    hide: tuple[str, ...]


def pushed_commits(
    git: Plumbing, refs: Iterable[PushedRef], hide_new: Sequence[str]
) -> list[Pushed]:
    """The new commits of every pushed ref, parents before children, each once.

    A deletion, or a ref that is not a commit (a tag of a tree), pushes none. The policy of a
    ref's commits is that of the commit it updates on the other side, or, for a new ref, that
    of the parent of its oldest new commit. `hide_new`: what the other side is known to have
    (its tracking branches, or a server's refs), for new refs."""
    refs = list(refs)
    known = [r.remote for r in refs if r.remote != NULL_OID and git.commit_or_none(r.remote)]
    seen: set[str] = set()
    out = []
    for ref in refs:
        local = git.commit_or_none(ref.local) if ref.local != NULL_OID else None
        if local is None:
            continue
        old = git.commit_or_none(ref.remote) if ref.remote != NULL_OID else None
        hide = (old,) if old else (*hide_new, *known)
        commits = git.new_commits(local, list(hide))
        anchor = old or (commits[0][1][0] if commits and commits[0][1] else "")
        for commit, parents in commits:
            if commit not in seen:
                seen.add(commit)
                out.append(Pushed(commit, anchor, tuple(parents), ref, hide))
    return out


def agent_ref(ref: PushedRef) -> bool:
    """A push to or from an agent/* branch: a feature's work."""
    return any(name.startswith("refs/heads/agent/") for name in (ref.local_ref, ref.remote_ref))
