"""Three-way merges of single files, in memory, by libgit2 (git's own merge of file content):
no index, no worktree, no checkout, nothing written. And the hunks of a change, without
context, for saying which lines two changes both touch."""

from __future__ import annotations

import os
from typing import NamedTuple

import pygit2
import pygit2.enums

from supervisor.gitio.objects import MODE_GITLINK
from supervisor.gitio.repo import Repo
from supervisor.gitio.trees import Entry

BINARY_PROBE = 8000  # as git: a NUL in the first 8,000 bytes makes a blob binary


class Hunk(NamedTuple):
    """One changed region, as a unified diff's `@@ -old_start,old_lines +new_start,new_lines @@`
    with no context lines (a count of 0: nothing there; its start is the line before)."""

    old_start: int
    old_lines: int
    new_start: int
    new_lines: int


def merge_base(repo: Repo, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None when they share no history."""
    try:
        found = repo.raw.merge_base(pygit2.Oid(hex=a), pygit2.Oid(hex=b))
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return str(found) if found else None


def is_binary(repo: Repo, oid: bytes) -> bool:
    return b"\0" in repo.head(oid, BINARY_PROBE)


def hunks(repo: Repo, old: bytes | None, new: bytes | None) -> list[Hunk]:
    """The hunks from blob `old` to blob `new` (None: no file), without context."""
    patch = pygit2.Patch.create_from(_blob(repo, old), _blob(repo, new), context_lines=0)
    return [Hunk(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in patch.hunks]


def lines_of(repo: Repo, oid: bytes | None) -> list[bytes]:
    """A blob's lines (without their ends)."""
    return [] if oid is None else repo.read_blob(oid).split(b"\n")


def merges_cleanly(
    repo: Repo, path: bytes, base: Entry | None, ours: Entry | None, theirs: Entry | None
) -> bool:
    """Whether git would merge the content of the three versions of one file without a
    conflict (libgit2's merge of the blobs; the files are never written anywhere)."""
    name = _name(path)
    result = repo.raw.merge_file_from_index(
        _entry(name, base), _entry(name, ours), _entry(name, theirs)
    )
    return bool(result.automergeable)


def _name(path: bytes) -> str:
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "file"  # libgit2 wants UTF-8; the name only labels the merge
    return text


def _entry(name: str, entry: Entry | None) -> pygit2.IndexEntry | None:
    if entry is None or entry[0] == MODE_GITLINK:
        return None
    return pygit2.IndexEntry(name, pygit2.Oid(raw=entry[1]), pygit2.enums.FileMode(entry[0]))


def _blob(repo: Repo, oid: bytes | None) -> pygit2.Blob | None:
    return None if oid is None else repo.raw[pygit2.Oid(raw=oid)].peel(pygit2.Blob)
