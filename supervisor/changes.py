"""The changes between two trees, as rules and reports see them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pygit2
from pygit2.enums import DiffOption

from supervisor import trees
from supervisor.gitio import MODE_GITLINK, TREE, Repo

EMPTY_TREE = trees.serialize({})


@dataclass
class Change:
    """One changed path. `path` is the new path (the old one for a deletion)."""

    path: str
    status: str  # A, M, D, R or T
    old_path: str | None
    added: int
    deleted: int
    binary: bool
    mode: int | None  # git mode after the change; None when deleted
    old_mode: int | None
    oid: str | None
    old_oid: str | None
    patch: pygit2.Patch | None = field(default=None, repr=False, compare=False)

    @property
    def raw_path(self) -> bytes:
        return os.fsencode(self.path)

    def added_lines(self) -> Iterator[tuple[int, str]]:
        """(line number in the new file, text without the newline) for every added line."""
        if self.patch is None or self.binary:
            return
        for hunk in self.patch.hunks:
            for line in hunk.lines:
                if line.origin == "+":
                    yield line.new_lineno, line.content.rstrip("\r\n")

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": self.status,
            "old_path": self.old_path,
            "added": self.added,
            "deleted": self.deleted,
            "binary": self.binary,
            "mode": f"{self.mode:06o}" if self.mode is not None else None,
            "old_mode": f"{self.old_mode:06o}" if self.old_mode is not None else None,
        }


def tree_object(repo: Repo, tree: bytes | None) -> pygit2.Tree:
    oid = tree if tree is not None else repo.write(TREE, EMPTY_TREE)
    return repo.raw[pygit2.Oid(raw=oid)].peel(pygit2.Tree)


def diff(
    repo: Repo,
    old: bytes | None,
    new: bytes | None,
    renames: bool = True,
    typechanges: bool = False,
) -> pygit2.Diff:
    flags = DiffOption.INCLUDE_TYPECHANGE if typechanges else DiffOption.NORMAL
    result = tree_object(repo, old).diff_to_tree(tree_object(repo, new), flags=flags)
    if renames:
        result.find_similar()
    return result


def patch_text(repo: Repo, old: bytes | None, new: bytes | None) -> bytes:
    """The change as `git diff` prints it, so `git apply` takes it: where a path changes type,
    its deletion comes before its addition (libgit2 may order them the other way round)."""
    patches = [p for p in diff(repo, old, new) if p is not None]
    first: dict[bytes, int] = {}
    for number, patch in enumerate(patches):
        first.setdefault(_key(patch), number)
    patches.sort(key=lambda p: (first[_key(p)], p.delta.status_char() != "D"))
    return b"".join(patch.data for patch in patches)


def _key(patch: pygit2.Patch) -> bytes:
    delta = patch.delta
    side = delta.old_file if delta.status_char() == "D" else delta.new_file
    return bytes(side.raw_path)


def _blob(repo: Repo, oid: pygit2.Oid) -> pygit2.Blob:
    return repo.raw[oid].peel(pygit2.Blob)


def changes_between(repo: Repo, old: bytes | None, new: bytes | None) -> list[Change]:
    return [
        _change(repo, patch)
        for patch in diff(repo, old, new, typechanges=True)
        if patch is not None
    ]


def _change(repo: Repo, patch: pygit2.Patch) -> Change:
    delta = patch.delta
    status = delta.status_char()
    old, new = delta.old_file, delta.new_file
    if status == "T" and MODE_GITLINK not in (old.mode, new.mode):
        # libgit2 gives a type change no hunks: diff the bytes so rules still see the new lines
        patch = pygit2.Patch.create_from(_blob(repo, old.id), _blob(repo, new.id))
    _, added, deleted = patch.line_stats
    gone = status == "D"
    return Change(
        path=os.fsdecode(old.raw_path if gone else new.raw_path),
        status=status,
        old_path=os.fsdecode(old.raw_path) if status in "RC" else None,
        added=added,
        deleted=deleted,
        binary=bool(patch.delta.is_binary),
        mode=None if gone else int(new.mode),
        old_mode=None if status == "A" else int(old.mode),
        oid=None if gone else str(new.id),
        old_oid=None if status == "A" else str(old.id),
        patch=patch,
    )
