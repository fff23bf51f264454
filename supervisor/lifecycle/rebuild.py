"""A shadow or a worktree that went missing (deleted by hand, a disk cleaned), made again:
the shadow from a checkpoint, the worktree at the feature's branch. `revert` does it."""

from __future__ import annotations

import os
from pathlib import Path

from supervisor.gitio.repo import Repo, init_shadow
from supervisor.gitio.run import run_git
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.shadow import ignore_sources
from supervisor.lifecycle.snapshot import Snapshot, never_ignored
from supervisor.lifecycle.worktree import git_dir_of
from supervisor.lifecycle.writer import checkout
from supervisor.store.layout import FEATURE_MARKER, SHADOW_MARKER


def missing(feature: Feature) -> list[str]:
    """Which of an active feature's folders are gone: `shadow`, `worktree`."""
    if feature.row.state != "active":
        return []
    folders = {"shadow": feature.shadow, "worktree": feature.worktree}
    return [name for name, path in folders.items() if not path.is_dir()]


def rebuild_shadow(feature: Feature, commit: str) -> None:
    """The shadow made again, holding `commit`'s tree (a checkpoint): its own repository on
    the feature's base, as start makes it, and the snapshot cache of what was written."""
    repo, layout, row = feature.repo, feature.ws.layout, feature.row
    tree = repo.commit_tree(commit)
    if not layout.view(row.name).is_dir():  # where the shadow's ignore rules are read
        Repo.init_bare(layout.view(row.name))
    own = init_shadow(
        feature.shadow, f"agent/{row.name}", repo.objects_dir, row.base, repo.commit_tree(row.base)
    )
    (own.git_dir / SHADOW_MARKER).write_text(f"{repo.common_dir}\n")
    (own.git_dir / FEATURE_MARKER).write_text(f"{row.name}\n")
    entries = checkout(repo, tree, feature.shadow)
    sources = ignore_sources(layout.view(row.name), os.environ)
    cache = layout.snapshot_cache(row.name)
    snapshot = Snapshot(repo, feature.shadow, cache, never_ignored, sources)
    snapshot.reset(tree, entries)
    snapshot.save()


def rebuild_worktree(feature: Feature) -> None:
    """The worktree made again at the feature's branch, locked and marked as start leaves it."""
    repo, path = feature.repo, str(feature.worktree)
    run_git([*repo.git_args, "worktree", "unlock", path], repo.git_dir, check=False)
    run_git([*repo.git_args, "worktree", "prune"], repo.git_dir, check=False)
    run_git(
        [*repo.git_args, "worktree", "add", "--quiet", path, f"agent/{feature.name}"], repo.git_dir
    )
    reason = f"git-agent feature {feature.name}"
    run_git([*repo.git_args, "worktree", "lock", "--reason", reason, path], repo.git_dir)
    (git_dir_of(Path(path)) / FEATURE_MARKER).write_text(f"{feature.name}\n")
