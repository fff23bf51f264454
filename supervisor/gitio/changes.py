"""The changes between two trees through pygit2 (the core's long-lived path), as plain `Change`s.

The gates read commits through the git CLI instead (`diffs`): same `Change`, no pygit2 import."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import pygit2
from pygit2.enums import DiffOption

from supervisor.gitio import trees
from supervisor.gitio.change import Change
from supervisor.gitio.objects import MODE_FILE, MODE_GITLINK, MODE_LINK, TREE
from supervisor.gitio.repo import Repo

EMPTY_TREE = trees.serialize({})
RENAME_THRESHOLD = 0.5  # as git diff -M
RENAME_PAIRS = 10_000
PATCH_CEILING = 16 << 20  # larger blobs are not diffed line by line (cost and memory)
LINES_CEILING = (
    64 << 20
)  # nor read as lines at all  # past this many candidate pairs, only exact renames (git: diff.renameLimit)


def tree_object(repo: Repo, tree: bytes | None) -> pygit2.Tree:
    oid = tree if tree is not None else repo.write(TREE, EMPTY_TREE)
    return repo.raw[pygit2.Oid(raw=oid)].peel(pygit2.Tree)


def _libgit2_diff(
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
    patches = [p for p in _libgit2_diff(repo, old, new) if p is not None]
    first: dict[bytes, int] = {}
    for number, patch in enumerate(patches):
        first.setdefault(_key(patch), number)
    patches.sort(key=lambda p: (first[_key(p)], p.delta.status_char() != "D"))
    return b"".join(patch.data for patch in patches)


def _key(patch: pygit2.Patch) -> bytes:
    delta = patch.delta
    side = delta.old_file if delta.status_char() == "D" else delta.new_file
    return bytes(side.raw_path)


def _blob(repo: Repo, oid: bytes) -> pygit2.Blob:
    return repo.raw[pygit2.Oid(raw=oid)].peel(pygit2.Blob)


def changes_between(repo: Repo, old: bytes | None, new: bytes | None) -> list[Change]:
    """The changed paths from `old` to `new`, renames paired, each with its line counts.

    The walk skips equal subtrees, so the cost follows what changed, not the repository."""
    return changes_of(repo, list(trees.compare(repo, old, new)))


def changes_at(
    repo: Repo, old: bytes | None, new: bytes | None, paths: Iterable[bytes]
) -> list[Change]:
    """The changes from `old` to `new` at `paths` only (a path that is a directory on either
    side stands for everything below it): what a batch of a watcher's events touched."""
    pairs: dict[bytes, trees.EntryPair] = {}
    for path in sorted(set(paths)):
        a, b = trees.lookup(repo, old, path), trees.lookup(repo, new, path)
        if a == b:
            continue
        for pair in trees.compare_at(repo, path, a, b):
            pairs[pair[0]] = pair
    return changes_of(repo, [pairs[p] for p in sorted(pairs)])


def changes_of(repo: Repo, pairs: list[trees.EntryPair]) -> list[Change]:
    """`Change`s of (path, old entry, new entry) pairs, renames paired."""
    gone = {path: a for path, a, b in pairs if a is not None and b is None}
    came = {path: b for path, a, b in pairs if a is None and b is not None}
    renamed = find_renames(repo, gone, came)
    sources = set(renamed.values())
    out = []
    for path, a, b in pairs:
        if path in renamed:
            out.append(_change(repo, renamed[path], gone[renamed[path]], path, b, "R"))
        elif path not in sources or b is not None:
            out.append(_change(repo, path, a, path, b, _status(a, b)))
    return sorted(out, key=lambda c: c.raw_path)


def _status(a: trees.Entry | None, b: trees.Entry | None) -> str:
    if a is None:
        return "A"
    if b is None:
        return "D"
    return "T" if _kind(a[0]) != _kind(b[0]) else "M"


def _kind(mode: int) -> int:
    return mode if mode in (MODE_LINK, MODE_GITLINK) else MODE_FILE


def _change(
    repo: Repo,
    old_path: bytes,
    a: trees.Entry | None,
    path: bytes,
    b: trees.Entry | None,
    status: str,
) -> Change:
    if _too_large(repo, a) or _too_large(repo, b):
        return _large_change(repo, old_path, a, path, b, status)
    blobs = _blobs(repo, a, b)
    patch = pygit2.Patch.create_from(*blobs) if any(blobs) else None
    added, deleted = patch.line_stats[1:] if patch else (0, 0)
    binary = bool(patch.delta.is_binary) if patch else False
    return Change(
        path=os.fsdecode(path),
        status=status,
        old_path=os.fsdecode(old_path) if status == "R" else None,
        added=added,
        deleted=deleted,
        binary=binary,
        mode=b[0] if b else None,
        old_mode=a[0] if a else None,
        oid=b[1].hex() if b else None,
        old_oid=a[1].hex() if a else None,
        lines=_added_lines(patch, blobs),
    )


def _too_large(repo: Repo, entry: trees.Entry | None) -> bool:
    return (
        entry is not None and entry[0] != MODE_GITLINK and repo.header(entry[1])[1] > PATCH_CEILING
    )


def _large_change(
    repo: Repo,
    old_path: bytes,
    a: trees.Entry | None,
    path: bytes,
    b: trees.Entry | None,
    status: str,
) -> Change:
    """A change too large to diff line by line: no counts; its new content's lines (up to
    LINES_CEILING bytes) stand for the added ones, so content rules still see them."""
    new = b[1] if b is not None and b[0] != MODE_GITLINK else None
    binary = new is not None and b"\0" in repo.head(new, 8000)
    return Change(
        path=os.fsdecode(path),
        status=status,
        old_path=os.fsdecode(old_path) if status == "R" else None,
        added=0,
        deleted=0,
        binary=binary,
        mode=b[0] if b else None,
        old_mode=a[0] if a else None,
        oid=b[1].hex() if b else None,
        old_oid=a[1].hex() if a else None,
        lines=_whole_lines(repo, new) if new is not None and not binary else _none,
    )


def _none() -> Iterable[tuple[int, str]]:
    return ()


def _whole_lines(repo: Repo, oid: bytes) -> Callable[[], Iterable[tuple[int, str]]]:
    def lines() -> Iterable[tuple[int, str]]:
        if repo.header(oid)[1] > LINES_CEILING:
            return ()
        text = repo.read_blob(oid).decode("utf-8", "replace")
        return [(n, line.rstrip("\r")) for n, line in enumerate(text.split("\n"), 1) if line]

    return lines


def _added_lines(
    patch: pygit2.Patch | None, blobs: tuple[pygit2.Blob | None, ...]
) -> Callable[[], Iterable[tuple[int, str]]]:
    """The added lines of `patch`, read when asked (the closure keeps the blobs the patch
    points into alive)."""

    def lines() -> Iterable[tuple[int, str]]:
        if patch is None or not blobs:
            return ()
        return [
            (line.new_lineno, line.content.rstrip("\r\n"))
            for hunk in patch.hunks
            for line in hunk.lines
            if line.origin == "+"
        ]

    return lines


def _blobs(
    repo: Repo, a: trees.Entry | None, b: trees.Entry | None
) -> tuple[pygit2.Blob | None, pygit2.Blob | None]:
    """The two sides' blobs (gitlinks have no content here)."""
    old = _blob(repo, a[1]) if a and a[0] != MODE_GITLINK else None
    new = _blob(repo, b[1]) if b and b[0] != MODE_GITLINK else None
    return old, new


def find_renames(
    repo: Repo, gone: dict[bytes, trees.Entry], came: dict[bytes, trees.Entry]
) -> dict[bytes, bytes]:
    """new path -> old path: exact renames first, then pairs at least half alike (as git -M)."""
    renamed: dict[bytes, bytes] = {}
    by_id: dict[tuple[int, bytes], list[bytes]] = {}
    for path, (mode, oid) in gone.items():
        by_id.setdefault((_kind(mode), oid), []).append(path)
    for path, (mode, oid) in sorted(came.items()):
        candidates = by_id.get((_kind(mode), oid))
        if candidates:
            renamed[path] = candidates.pop(0)
    left = {p: e for p, e in gone.items() if p not in renamed.values() and _comparable(repo, e)}
    new = {p: e for p, e in came.items() if p not in renamed and _comparable(repo, e)}
    if left and new and len(left) * len(new) <= RENAME_PAIRS:
        renamed.update(_similar(repo, left, new))
    return renamed


def _comparable(repo: Repo, entry: trees.Entry) -> bool:
    """A blob small enough to compare line by line for a rename."""
    return entry[0] != MODE_GITLINK and not _too_large(repo, entry)


def _similar(
    repo: Repo, gone: dict[bytes, trees.Entry], came: dict[bytes, trees.Entry]
) -> dict[bytes, bytes]:
    scored = []
    for old_path, a in gone.items():
        for new_path, b in came.items():
            if _kind(a[0]) == _kind(b[0]):
                score = similarity(_blob(repo, a[1]), _blob(repo, b[1]))
                if score >= RENAME_THRESHOLD:
                    scored.append((score, old_path, new_path))
    taken: set[bytes] = set()
    renamed: dict[bytes, bytes] = {}
    for _, old_path, new_path in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if old_path not in taken and new_path not in renamed:
            taken.add(old_path)
            renamed[new_path] = old_path
    return renamed


def similarity(old: pygit2.Blob, new: pygit2.Blob) -> float:
    """The share of lines two blobs have in common, relative to the longer one (0 for binaries)."""
    small, big = sorted((old.size, new.size))
    if big == 0 or small < big * RENAME_THRESHOLD:
        return 0.0
    patch = pygit2.Patch.create_from(old, new)
    if patch.delta.is_binary:
        return 0.0
    deleted = patch.line_stats[2]
    old_lines, new_lines = _lines(old.data), _lines(new.data)
    return (old_lines - deleted) / max(old_lines, new_lines, 1)


def _lines(data: bytes) -> int:
    return data.count(b"\n") + (not data.endswith(b"\n") and bool(data))
