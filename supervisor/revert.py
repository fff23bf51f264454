"""Revert: the shadow (and, if asked, the worktree) back to a checkpoint, all or in part.

The current state is always checkpointed first, so every revert can itself be reverted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from supervisor import trees
from supervisor.gitio import run_git
from supervisor.globs import Globs
from supervisor.lifecycle import save_worktree, worktree_tree
from supervisor.shadow import Writer
from supervisor.workspace import Feature


@dataclass(frozen=True)
class Reverted:
    saved: int  # the checkpoint holding the state before the revert
    target: int
    paths: list[str]
    checkpoint: int  # the checkpoint holding the state after it
    worktree_saved: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "saved": self.saved,
            "target": self.target,
            "paths": self.paths,
            "checkpoint": self.checkpoint,
            "worktree_saved": self.worktree_saved,
        }


def revert(
    feature: Feature,
    to: int = 0,
    paths: Sequence[str] = (),
    violating: bool = False,
    worktree: bool = False,
) -> Reverted:
    repo = feature.repo
    target_commit = feature.resolve(to)
    saved, current, _ = feature.checkpoint(f"before revert to checkpoint {to}")
    current_tree = repo.commit_tree(current)
    changes = list(trees.diff(repo, current_tree, repo.commit_tree(target_commit)))
    if paths:
        changes = [c for c in changes if _selected(os.fsdecode(c[0]), paths)]
    if violating:
        wanted = _violating(feature, current_tree)
        changes = [c for c in changes if _selected(os.fsdecode(c[0]), wanted)]
    Writer(repo, feature.shadow).apply(changes)
    touched = [c[0] for c in changes]
    after, _, _ = feature.checkpoint(f"revert to checkpoint {to}", touched)
    kept = revert_worktree(feature) if worktree else None
    feature.ws.emit("revert", feature.name, target=to, paths=len(touched), checkpoint=after)
    return Reverted(saved, to, [os.fsdecode(p) for p in touched], after, kept)


def _selected(path: str, wanted: Sequence[str]) -> bool:
    cleaned = [w.strip("/") for w in wanted if w.strip("/")]
    if any(path == w or path.startswith(w + "/") for w in cleaned):
        return True
    globs = [w for w in cleaned if any(ch in w for ch in "*?[")]
    return bool(globs) and Globs(globs).match(path)


def _violating(feature: Feature, tree: bytes) -> list[str]:
    report = feature.evaluate(tree)
    bad = {v.path for v in report.violations if v.path}
    out: set[str] = set()
    for change in report.changes:
        sides = {change.path, change.old_path} - {None}
        if sides & bad:
            out |= {p for p in sides if p}
    return sorted(out | bad)


def revert_worktree(feature: Feature) -> str | None:
    """Bring the worktree back to the last promoted commit, keeping its changes in a ref first."""
    kept = save_worktree(feature, worktree_tree(feature))
    run_git(["read-tree", "--reset", "-u", "HEAD"], feature.worktree)
    run_git(["clean", "-fdq"], feature.worktree)
    return kept
