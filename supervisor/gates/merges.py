"""What a merge commit brings itself: the changes against its first parent that no other
parent has either (a conflict resolution, an "evil" edit). What a parent brought was judged
in its own commits, or is already the other side's."""

from __future__ import annotations

from supervisor.gates.repository import GateRepo
from supervisor.gitio.change import Change
from supervisor.gitio.diffs import tree_changes


def merge_changes(repo: GateRepo, commit: str, parents: list[str]) -> list[Change]:
    """A merge's changes against its first parent, limited to the paths that differ from
    every other parent too."""
    git_dir = repo.where.git_dir
    others = [_touched(tree_changes(git_dir, p, commit)) for p in parents[1:]]
    return [
        c
        for c in tree_changes(git_dir, parents[0], commit)
        if all(c.path in paths for paths in others)
    ]


def _touched(changes: list[Change]) -> set[str]:
    return {c.path for c in changes} | {c.old_path for c in changes if c.old_path}
