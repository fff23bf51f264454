"""Predicted merge conflicts: every pair of active features, and each feature against the
branch it started from (that branch's current tip), merged three-way in memory.

A side's state is its last checkpoint (or, where the live supervisor knows it, the shadow's
tree it passes in `live`). Each pair is merged against its merge base, but only where it must
be: the changed paths of each side are found by walking the trees (equal subtrees skipped, so
the cost follows what changed), and only the paths both sides changed are merged, one file at
a time by libgit2. A pair that shares no changed path needs no merge at all. No worktree, no
index, no checkout: nothing is written.

For the live supervisor (`supervisor.live.supervisor`, after each checkpoint it makes):
`predict` takes the live trees, `transitions` says which pairs started or stopped conflicting
between two predictions and `announce` records them as `conflict` entries.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from supervisor.errors import UsageError
from supervisor.gitio import merges, trees
from supervisor.gitio.changes import find_renames
from supervisor.gitio.repo import Repo
from supervisor.gitio.trees import Entry
from supervisor.lifecycle.merging import CLEAN, Outcome, Region, three_way
from supervisor.lifecycle.workspace import Workspace
from supervisor.store.names import chain_of
from supervisor.store.state import FeatureRow


class Side(NamedTuple):
    """One side of a pair: a feature (at its last checkpoint) or a base branch (at its tip)."""

    label: str
    commit: str  # what stands for it in history: the chain's tip, the branch's tip
    tree: bytes  # its state
    feature: bool


@dataclass(frozen=True)
class PathConflict:
    path: str
    reason: str  # content, modify/delete, add/add, binary, symlink, type, mode, ...
    regions: tuple[Region, ...]
    renamed_to: str | None = None  # one side moved the path there (and the other changed it)

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "reason": self.reason,
            "renamed_to": self.renamed_to,
            "lines": [r.as_json() for r in self.regions],
        }


@dataclass(frozen=True)
class Pair:
    """Two sides that changed some path both: what would conflict, what merges cleanly."""

    a: str
    b: str
    base_branch: bool  # b is a's base branch, not a feature
    merge_base: str
    conflicts: tuple[PathConflict, ...]
    overlap: tuple[str, ...]  # both changed, and git would merge them

    def as_json(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "kind": "base" if self.base_branch else "features",
            "merge_base": self.merge_base,
            "conflicts": [c.as_json() for c in self.conflicts],
            "overlap": list(self.overlap),
        }


@dataclass(frozen=True)
class Prediction:
    features: tuple[str, ...]
    checked: int  # pairs looked at (those sharing no changed path are not listed)
    pairs: tuple[Pair, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def conflicted(self) -> bool:
        return any(p.conflicts for p in self.pairs)

    def involving(self, name: str) -> list[Pair]:
        return [p for p in self.pairs if p.a == name or (p.b == name and not p.base_branch)]

    def summary_of(self, name: str) -> list[dict[str, object]]:
        """What `status` shows of a feature: each side it would conflict with, and where."""
        out: list[dict[str, object]] = []
        for pair in self.involving(name):
            if pair.conflicts:
                other = pair.b if pair.a == name else pair.a
                paths = [c.path for c in pair.conflicts]
                out.append({"with": other, "base_branch": pair.base_branch, "paths": paths})
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "ok": not self.conflicted,
            "features": list(self.features),
            "pairs_checked": self.checked,
            "pairs": [p.as_json() for p in self.pairs],
            "notes": list(self.notes),
        }


def predict(
    ws: Workspace, names: Sequence[str] = (), live: Mapping[str, bytes] | None = None
) -> Prediction:
    """Every pair of active features (those with one of `names` in it, when given) and each
    feature (each of `names`) against its base branch."""
    rows = [row for row in ws.state.all() if row.state == "active"]
    wanted = _wanted(ws, names)
    repo = ws.repo
    sides = {row.name: _feature_side(repo, row, (live or {}).get(row.name)) for row in rows}
    notes = []
    jobs: list[tuple[Side, Side]] = []
    for a, b in itertools.combinations(sorted(sides), 2):
        if not wanted or a in wanted or b in wanted:
            jobs.append((sides[a], sides[b]))
    for row in rows:
        if wanted and row.name not in wanted:
            continue
        base = _base_side(repo, row)
        if base is None:
            notes.append(_no_base_note(row))
        else:
            jobs.append((sides[row.name], base))
    merger = Merger(repo)
    found = [pair for a, b in jobs if (pair := merger.pair(a, b)) is not None]
    return Prediction(tuple(sorted(wanted or sides)), len(jobs), tuple(found), tuple(notes))


def _wanted(ws: Workspace, names: Sequence[str]) -> set[str]:
    for name in names:
        row = ws.state.require(name)
        if row.state != "active":
            raise UsageError(f"feature {name} is {row.state}")
    return set(names)


def _no_base_note(row: FeatureRow) -> str:
    if row.base_ref is None:
        return f"{row.name}: started from a commit, not a branch: no base branch to merge into"
    return f"{row.name}: its base branch {short_ref(row.base_ref)} is gone"


def _feature_side(repo: Repo, row: FeatureRow, live: bytes | None) -> Side:
    tip = repo.ref(chain_of(row.name)) or row.base
    return Side(row.name, tip, live if live is not None else repo.commit_tree(tip), True)


def _base_side(repo: Repo, row: FeatureRow) -> Side | None:
    if row.base_ref is None:
        return None
    tip = repo.commit_or_none(row.base_ref)
    if tip is None:
        return None
    return Side(short_ref(row.base_ref), tip, repo.commit_tree(tip), False)


def short_ref(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


class Changed(NamedTuple):
    """What one side changed since a merge base: path -> (base entry, its entry), and the
    folders its files are in (for a file on one side where the other has a folder)."""

    entries: dict[bytes, tuple[Entry | None, Entry | None]]
    folders: frozenset[bytes]


class Merger:
    """The pairs' merges, sharing what pairs have in common: merge bases, and the changes of a
    side since a merge base (features started from one commit share it)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._bases: dict[tuple[str, str], str | None] = {}
        self._changed: dict[tuple[str, bytes], Changed] = {}

    def pair(self, a: Side, b: Side) -> Pair | None:
        base = self._merge_base(a.commit, b.commit)
        if base is None:
            return None  # no common history: nothing git would merge
        left, right = self._changes(base, a.tree), self._changes(base, b.tree)
        small, large = (left, right) if len(left.entries) <= len(right.entries) else (right, left)
        common = sorted(path for path in small.entries if path in large.entries)
        clashes = _folder_clashes(left, right)
        if not common and not clashes:
            return None
        conflicts, overlap = [], []
        for path in common:
            (old, ours), (_, theirs) = left.entries[path], right.entries[path]
            outcome, moved = self._merge(path, old, ours, theirs, left, right)
            if outcome.reason is None:
                overlap.append(os.fsdecode(path))
            else:
                conflicts.append(
                    PathConflict(os.fsdecode(path), outcome.reason, outcome.regions, moved)
                )
        conflicts.extend(PathConflict(os.fsdecode(p), "file/directory", ()) for p in clashes)
        return Pair(a.label, b.label, not b.feature, base, tuple(conflicts), tuple(overlap))

    def _merge(
        self,
        path: bytes,
        old: Entry | None,
        ours: Entry | None,
        theirs: Entry | None,
        left: Changed,
        right: Changed,
    ) -> tuple[Outcome, str | None]:
        """The outcome for `path`; a deletion that is a rename merges the other side's change
        into the renamed file, as git does."""
        if old is not None and (ours is None) != (theirs is None):
            mover = left if ours is None else right
            target = self._renamed(path, old, mover)
            if target is not None:
                moved = mover.entries[target][1]
                sides = (moved, theirs) if ours is None else (ours, moved)
                outcome = three_way(self.repo, path, old, *sides)
                return outcome, os.fsdecode(target)
        if ours == theirs:
            return CLEAN, None
        return three_way(self.repo, path, old, ours, theirs), None

    def _renamed(self, path: bytes, old: Entry, side: Changed) -> bytes | None:
        added = {p: new for p, (was, new) in side.entries.items() if was is None and new}
        if not added:
            return None
        return next(iter(find_renames(self.repo, {path: old}, added)), None)

    def _merge_base(self, a: str, b: str) -> str | None:
        key = (a, b) if a <= b else (b, a)
        if key not in self._bases:
            self._bases[key] = a if a == b else merges.merge_base(self.repo, a, b)
        return self._bases[key]

    def _changes(self, base: str, tree: bytes) -> Changed:
        key = (base, tree)
        found = self._changed.get(key)
        if found is None:
            old = self.repo.commit_tree(base)
            entries = {p: (a, b) for p, a, b in trees.compare(self.repo, old, tree)}
            found = Changed(entries, _folders(p for p, (_, new) in entries.items() if new))
            self._changed[key] = found
        return found


def _folders(paths: Iterable[bytes]) -> frozenset[bytes]:
    out: set[bytes] = set()
    for path in paths:
        head = path.rpartition(b"/")[0]
        while head and head not in out:
            out.add(head)
            head = head.rpartition(b"/")[0]
    return frozenset(out)


def _folder_clashes(left: Changed, right: Changed) -> list[bytes]:
    """Paths where one side puts a file and the other a folder of files."""
    out: list[bytes] = []
    for mine, other in ((left, right), (right, left)):
        out.extend(p for p, (_, new) in mine.entries.items() if new and p in other.folders)
    return sorted(set(out))


# --- for the live supervisor ----------------------------------------------------------------


class Transition(NamedTuple):
    a: str
    b: str
    started: bool  # True: the pair now conflicts; False: it no longer does
    paths: tuple[str, ...]


def transitions(before: Prediction | None, after: Prediction) -> list[Transition]:
    """The pairs that started or stopped conflicting from one prediction to the next."""
    old = _conflicting(before) if before is not None else {}
    new = _conflicting(after)
    out: list[Transition] = [
        Transition(a, b, True, new[(a, b)]) for a, b in sorted(new.keys() - old.keys())
    ]
    out.extend(Transition(a, b, False, old[(a, b)]) for a, b in sorted(old.keys() - new.keys()))
    return out


def _conflicting(found: Prediction) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(p.a, p.b): tuple(c.path for c in p.conflicts) for p in found.pairs if p.conflicts}


Emit = Callable[..., object]  # (feature, kind, **data): how the live supervisor records


def announce(ws: Workspace, changes: Iterable[Transition], emit: Emit | None = None) -> None:
    """Record each transition as a `conflict` event of the features it concerns (in their
    audit logs, offered to the observers), through `emit` when given."""
    for change in changes:
        for name, other in ((change.a, change.b), (change.b, change.a)):
            row = ws.state.get(name)
            if row is None or row.state != "active":
                continue
            data = {"other": other, "started": change.started, "paths": list(change.paths)}
            if emit is None:
                ws.feature(name).emit("conflict", **data)
            else:
                emit(name, "conflict", **data)
