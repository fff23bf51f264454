"""Revert: the shadow (and, if asked, the worktree) back to a checkpoint, all or in part.

The current state is always checkpointed first, so every revert can itself be reverted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from supervisor.config.globs import Globs
from supervisor.errors import FatalError, UsageError
from supervisor.gitio import trees
from supervisor.gitio.repo import Repo
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.rebuild import missing, rebuild_shadow, rebuild_worktree
from supervisor.lifecycle.verdict import evaluate
from supervisor.lifecycle.worktree import require_unlocked, reset_worktree
from supervisor.lifecycle.writer import EntryChange, Writer


@dataclass(frozen=True)
class Reverted:
    saved: int  # the checkpoint holding the state before the revert
    target: int
    paths: list[str]
    checkpoint: int  # the checkpoint holding the state after it
    worktree_saved: str | None = None
    set_aside: str | None = None  # where directories and things in the way were moved to
    rebuilt: tuple[str, ...] = ()  # the folders that were missing and were made again

    def as_json(self) -> dict[str, object]:
        return {
            "saved": self.saved,
            "target": self.target,
            "paths": self.paths,
            "checkpoint": self.checkpoint,
            "worktree_saved": self.worktree_saved,
            "set_aside": self.set_aside,
            "rebuilt": list(self.rebuilt),
        }


def revert(
    feature: Feature,
    to: int = 0,
    paths: Sequence[str] = (),
    violating: bool = False,
    worktree: bool = False,
    dirty: Iterable[bytes] | None = None,
) -> Reverted:
    """`dirty`: the paths changed since the last checkpoint, when the caller knows them (a
    watcher does); the state before the revert is then checkpointed without a full scan."""
    repo = feature.repo
    target_commit = feature.chain.resolve(to)
    feature.require_active()
    rebuilt = tuple(m for m in missing(feature) if worktree or m == "shadow")
    if "shadow" in rebuilt:
        rebuild_shadow(feature, target_commit)  # then nothing is left to revert in it
    if "worktree" in rebuilt:
        rebuild_worktree(feature)
    if worktree:
        require_unlocked(feature)  # both or neither: know the worktree can be reset first
    before = feature.chain.checkpoint(f"before revert to checkpoint {to}", dirty)
    saved, current = before.number, before.commit
    current_tree = repo.commit_tree(current)
    target_tree = repo.commit_tree(target_commit)
    changes = list(trees.compare(repo, current_tree, target_tree))
    if paths:
        _check_pathspecs(repo, paths, (current_tree, target_tree))
        selected = selector(paths)
        changes = [c for c in changes if selected(os.fsdecode(c[0]))]
    if violating:
        selected = selector(_violating(feature, current_tree))
        changes = [c for c in changes if selected(os.fsdecode(c[0]))]
    trash = set_aside_dir(feature)

    def in_checkpoint(rel: bytes) -> bool:
        return trees.lookup(repo, current_tree, rel) is not None

    writer = Writer(repo, feature.shadow, trash=trash, kept=in_checkpoint)
    writer.apply(changes)
    touched = [c[0] for c in changes]
    after = feature.chain.checkpoint(f"revert to checkpoint {to}", touched).number
    kept = _reset_worktree_or_undo(feature, changes, in_checkpoint) if worktree else None
    feature.emit("revert", target=to, paths=len(touched), checkpoint=after)
    aside = str(trash) if writer.set_aside else None
    return Reverted(saved, to, [os.fsdecode(p) for p in touched], after, kept, aside, rebuilt)


def set_aside_dir(feature: Feature) -> Path:
    """A new folder under the feature's `set-aside/`, named by the time (UTC) it was made."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return (
        feature.ws.layout.feature_dir(feature.name)
        / "set-aside"
        / f"{stamp}-{time.time_ns() % 10**9:09d}"
    )


def _reset_worktree_or_undo(
    feature: Feature, changes: list[EntryChange], in_checkpoint: Callable[[bytes], bool]
) -> str | None:
    """Reset the worktree; when that fails, put the shadow back as it was: both or neither."""
    try:
        return reset_worktree(feature)
    except FatalError:
        undo = [(path, new, old) for path, old, new in reversed(changes)]
        Writer(
            feature.repo, feature.shadow, trash=set_aside_dir(feature), kept=in_checkpoint
        ).apply(undo)
        feature.chain.checkpoint(
            "revert undone: the worktree could not be reset", [c[0] for c in changes]
        )
        raise


def selector(wanted: Iterable[str]) -> Callable[[str], bool]:
    """Paths, directories (everything below them) and globs; the test for one changed path."""
    cleaned = {w.strip("/") for w in wanted if w.strip("/")}
    globs = Globs(sorted(w for w in cleaned if _is_glob(w)))

    def selected(path: str) -> bool:
        head = path
        while head:
            if head in cleaned:
                return True
            head = head.rpartition("/")[0]
        return globs.match(path)

    return selected


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def _check_pathspecs(repo: Repo, wanted: Sequence[str], tree_ids: tuple[bytes, ...]) -> None:
    """A plain path that names nothing on either side is a mistake worth one clear line."""
    for path in wanted:
        name = path.strip("/")
        if not name or _is_glob(name):
            continue
        if all(trees.lookup(repo, tree, os.fsencode(name)) is None for tree in tree_ids):
            raise UsageError(f"--paths {path!r} names nothing in the shadow or the checkpoint")


def _violating(feature: Feature, tree: bytes) -> list[str]:
    report = evaluate(feature, tree)
    bad = {v.path for v in report.violations if v.path}
    out: set[str] = set()
    for change in report.changes:
        sides = {change.path, change.old_path} - {None}
        if sides & bad:
            out |= {p for p in sides if p}
    return sorted(out | bad)
