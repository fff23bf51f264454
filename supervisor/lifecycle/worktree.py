"""A feature's worktree: its exact state as a tree, and saving it before it is reset."""

from __future__ import annotations

import tempfile
from pathlib import Path

from supervisor.errors import OperationalError
from supervisor.gitio.objects import TREE
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git
from supervisor.gitio.trees import serialize
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.snapshot import Snapshot, unless_tracked


def worktree_tree(feature: Feature) -> bytes:
    """The worktree's exact state as a tree: untracked files in, ignored files out."""
    ignored = unless_tracked(
        Repo.open(feature.worktree).ignored(), feature.repo, head_tree(feature)
    )
    with tempfile.TemporaryDirectory() as scratch:
        snap = Snapshot(feature.repo, feature.worktree, Path(scratch) / "cache", ignored)
        tree = snap.scan()
    return tree or feature.repo.write(TREE, serialize({}))


def head_tree(feature: Feature) -> bytes | None:
    head = feature.repo.ref(feature.branch)
    return feature.repo.commit_tree(head) if head else None


def save_worktree(feature: Feature, tree: bytes) -> str | None:
    """Keep a worktree state that differs from the branch on refs/agent/<feature>/worktree.

    Each save's parents are the branch head and the previous save, so none is ever lost."""
    repo, head = feature.repo, feature.repo.ref(feature.branch)
    if head is None or tree == repo.commit_tree(head):
        return None
    ref = f"refs/agent/{feature.name}/worktree"
    previous = repo.ref(ref)
    message = f"git-agent: worktree of {feature.name} before it was reset\n"
    commit = repo.create_commit(tree, [head, *([previous] if previous else [])], message)
    repo.set_ref(ref, commit, "git-agent: saved worktree")
    return commit


def git_dir_of(worktree: Path) -> Path:
    """A linked worktree's own git dir (named by its `.git` file)."""
    pointer = (worktree / ".git").read_text().strip()
    return Path(pointer.removeprefix("gitdir:").strip())


def index_lock(feature: Feature) -> Path | None:
    """The worktree's `index.lock` when one is there: a git command runs in it, or one died."""
    try:
        lock = git_dir_of(feature.worktree) / "index.lock"
    except OSError:
        return None
    return lock if lock.exists() else None


def require_unlocked(feature: Feature) -> None:
    lock = index_lock(feature)
    if lock is not None:
        raise OperationalError(
            f"worktree {feature.worktree} is locked by {lock}: a git command is running there, "
            "or one was killed (then remove the file and try again)"
        )


def reset_worktree(feature: Feature) -> str | None:
    """Bring the worktree back to the last promoted commit, keeping its changes in a ref first."""
    kept = save_worktree(feature, worktree_tree(feature))
    run_git(["read-tree", "--reset", "-u", "HEAD"], feature.worktree)
    run_git(["clean", "-fdq"], feature.worktree)
    return kept
