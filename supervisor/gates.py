"""The gates outside the supervisor: commits and ranges judged by the same plugins.

The policy always comes from the commit the change is judged against (its base), never from
the change under review: a commit that loosens `.git-agent/policy.toml` is judged by the old one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pygit2

from supervisor.changes import changes_between
from supervisor.context import RuleContext
from supervisor.engine import Report, evaluate
from supervisor.errors import UsageError
from supervisor.gitio import NULL_OID, Repo
from supervisor.policy import Rules
from supervisor.violations import Violation


@dataclass(frozen=True)
class CommitReport:
    commit: str
    summary: str
    report: Report


def judge(
    repo: Repo,
    manager: pluggy.PluginManager,
    rules: Rules,
    old_tree: bytes | None,
    new_tree: bytes | None,
) -> Report:
    """Every rule over the change from `old_tree` to `new_tree`."""
    changes = changes_between(repo, old_tree, new_tree)
    ctx = RuleContext(rules, repo, None, None, new_tree)
    return Report(evaluate(manager, ctx, changes), changes)


def parent_tree(repo: Repo, commit: str) -> bytes | None:
    parents = repo.commit_info(commit).parent_ids
    return repo.commit_tree(str(parents[0])) if parents else None


def new_commits(repo: Repo, head: str, hide: Iterable[str]) -> list[str]:
    """Commits reachable from `head` and from none of `hide`, oldest first."""
    walker = repo.raw.walk(
        pygit2.Oid(hex=head), pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.REVERSE
    )
    for commit in hide:
        walker.hide(pygit2.Oid(hex=commit))
    return [str(c.id) for c in walker]


def judge_commits(
    repo: Repo,
    manager: pluggy.PluginManager,
    rules: Rules,
    commits: Iterable[str],
) -> Iterator[CommitReport]:
    """Each commit on its own, against its first parent."""
    for commit in commits:
        info = repo.commit_info(commit)
        report = judge(repo, manager, rules, parent_tree(repo, commit), repo.commit_tree(commit))
        yield CommitReport(commit, info.message.split("\n", 1)[0], report)


def remote_tracking(repo: Repo, remote: str | None = None) -> list[str]:
    """The commits of the remote-tracking branches (of `remote` only, when named)."""
    prefix = f"refs/remotes/{remote}/" if remote else "refs/remotes/"
    return [target for ref in repo.refs_under(prefix) if (target := repo.ref(ref))]


def resolve_or_none(repo: Repo, rev: str) -> str | None:
    try:
        return repo.resolve_commit(rev)
    except UsageError:
        return None


def all_violations(reports: Iterable[CommitReport]) -> list[tuple[str, Violation]]:
    return [(r.commit, v) for r in reports for v in r.report.violations]


def index_tree(repo: Repo, index_file: Path | None) -> bytes:
    """The tree of the index git is about to commit (GIT_INDEX_FILE when git set one).

    The repository's own index is read as `repo.raw.index`, the object libgit2 also reads for
    attribute lookups when it diffs blobs: a large index is then parsed once, not twice."""
    own = index_file is None or index_file.resolve() == Path(repo.raw.path, "index").resolve()
    index = repo.raw.index if own else pygit2.Index(str(index_file))
    return bytes(index.write_tree(repo.raw).raw)


def head_commit(repo: Repo) -> str | None:
    return None if repo.raw.head_is_unborn else str(repo.raw.head.target)


@dataclass(frozen=True)
class PushedRef:
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


def pushed_commits(
    repo: Repo, refs: Iterable[PushedRef], remote: str | None
) -> list[tuple[str, str]]:
    """(commit, the commit its policy comes from) for the new commits of every pushed ref.

    A deletion, or a ref that is not a commit (a tag of a tree), pushes none. The policy of a
    ref's commits is that of the remote commit it updates, or, for a new branch, that of the
    parent of its oldest new commit: never one the push itself brings."""
    known_remote = [
        r.remote for r in refs if r.remote != NULL_OID and commit_or_none(repo, r.remote)
    ]
    tracking = remote_tracking(repo, remote) or remote_tracking(repo)
    seen: set[str] = set()
    out = []
    for ref in refs:
        local = commit_or_none(repo, ref.local) if ref.local != NULL_OID else None
        if local is None:
            continue
        remote_commit = commit_or_none(repo, ref.remote) if ref.remote != NULL_OID else None
        hide = [remote_commit] if remote_commit else [*tracking, *known_remote]
        commits = new_commits(repo, local, hide)
        anchor = remote_commit or (_first_parent(repo, commits[0]) if commits else "")
        for commit in commits:
            if commit not in seen:
                seen.add(commit)
                out.append((commit, anchor))
    return out


def commit_or_none(repo: Repo, rev: str) -> str | None:
    """`rev` peeled to a commit, or None when it is not one (or is unknown here)."""
    try:
        return str(repo.raw.revparse_single(rev).peel(pygit2.Commit).id)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        return None


def _first_parent(repo: Repo, commit: str) -> str:
    parents = repo.commit_info(commit).parent_ids
    return str(parents[0]) if parents else ""
