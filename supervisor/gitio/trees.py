"""Raw git trees as bytes, so names that are not UTF-8 survive; updates touch only changed paths."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Protocol

from supervisor.gitio.objects import MODE_TREE, TREE

Entry = tuple[int, bytes]  # (git mode, raw object id)
EntryPair = tuple[bytes, "Entry | None", "Entry | None"]  # path, old entry, new entry
Changes = Mapping[bytes, Entry | None]  # slash-separated path -> new entry, or None to delete


class ObjectReader(Protocol):
    def read(self, oid: bytes) -> tuple[int, bytes]: ...


class ObjectStore(ObjectReader, Protocol):
    def write(self, kind: int, data: bytes) -> bytes: ...


_ENTRY = re.compile(rb"([0-7]+) ([^\0]+)\0(.{20})", re.DOTALL)


def parse(data: bytes) -> dict[bytes, Entry]:
    """A raw tree object's entries: name -> (mode, raw id); the regex walks it at C speed."""
    return {m[2]: (int(m[1], 8), m[3]) for m in _ENTRY.finditer(data)}


def _sort_key(item: tuple[bytes, Entry]) -> bytes:
    name, (mode, _) = item
    return name + b"/" if mode == MODE_TREE else name


def serialize(entries: Mapping[bytes, Entry]) -> bytes:
    return b"".join(
        b"%o %s\0%s" % (mode, name, oid)
        for name, (mode, oid) in sorted(entries.items(), key=_sort_key)
    )


# Trees are immutable by id: parsed ones are kept, so the big trees near the root that every
# update and diff passes through are parsed once per process, not once per call.
_PARSED: dict[bytes, dict[bytes, Entry]] = {}
PARSED_MAX = 8192


def read_tree(store: ObjectReader, oid: bytes | None) -> dict[bytes, Entry]:
    """The entries of tree `oid`, as a dict the caller may change."""
    return dict(_peek(store, oid))


def _peek(store: ObjectReader, oid: bytes | None) -> Mapping[bytes, Entry]:
    """The entries of tree `oid`, shared: never change them."""
    if not oid:
        return {}
    entries = _PARSED.get(oid)
    if entries is None:
        entries = _remember(oid, parse(store.read(oid)[1]))
    return entries


def _remember(oid: bytes, entries: dict[bytes, Entry]) -> dict[bytes, Entry]:
    if len(_PARSED) >= PARSED_MAX:
        _PARSED.clear()
    _PARSED[oid] = dict(entries)
    return _PARSED[oid]


def write_tree(store: ObjectStore, entries: dict[bytes, Entry]) -> bytes:
    oid = store.write(TREE, serialize(entries))
    _remember(oid, entries)
    return oid


def update(store: ObjectStore, tree: bytes | None, changes: Changes) -> bytes | None:
    """Apply `changes` to `tree`, rewriting only the trees on changed paths; None when empty.

    The directories are rewritten deepest first, without recursion: a change as deep as the
    file system allows costs no stack."""
    if not changes:
        return tree
    direct: dict[bytes, dict[bytes, Entry | None]] = {}
    nested: dict[bytes, set[bytes]] = {}
    for path, entry in changes.items():
        head, _, name = path.rpartition(b"/")
        direct.setdefault(head, {})[name] = entry
        while head:
            parent, _, child = head.rpartition(b"/")
            children = nested.setdefault(parent, set())
            if child in children:
                break
            children.add(child)
            head = parent
    written: dict[bytes, bytes | None] = {}
    for folder in sorted(direct.keys() | nested.keys(), key=_depth, reverse=True):
        written[folder] = _rewrite(store, tree, folder, direct, nested, written)
    return written[b""]


def _depth(folder: bytes) -> int:
    return folder.count(b"/") + 1 if folder else 0


def _rewrite(
    store: ObjectStore,
    tree: bytes | None,
    folder: bytes,
    direct: dict[bytes, dict[bytes, Entry | None]],
    nested: dict[bytes, set[bytes]],
    written: dict[bytes, bytes | None],
) -> bytes | None:
    entries = read_tree(store, tree if not folder else _subtree(store, tree, folder))
    mine, below = direct.get(folder, {}), nested.get(folder, set())
    for name in mine.keys() | below:
        old = entries.get(name)
        new = mine.get(name, old)
        if name in below:
            sub = written[folder + b"/" + name if folder else name]
            was_tree = old is not None and old[0] == MODE_TREE
            if sub is not None:
                new = (MODE_TREE, sub)
            elif name not in mine and was_tree:
                new = None  # everything below it went: so does the directory
        if new is None:
            entries.pop(name, None)
        else:
            entries[name] = new
    return write_tree(store, entries) if entries else None


def _subtree(store: ObjectReader, tree: bytes | None, folder: bytes) -> bytes | None:
    entry = lookup(store, tree, folder)
    return entry[1] if entry is not None and entry[0] == MODE_TREE else None


def walk(
    store: ObjectReader, tree: bytes | None, prefix: bytes = b""
) -> Iterator[tuple[bytes, Entry]]:
    """Every non-tree entry below `tree`, depth first, as (path, entry); no recursion."""
    stack = [(prefix, iter(_peek(store, tree).items()))]
    while stack:
        base, items = stack[-1]
        for name, entry in items:
            if entry[0] == MODE_TREE:
                stack.append((base + name + b"/", iter(_peek(store, entry[1]).items())))
                break
            yield base + name, entry
        else:
            stack.pop()


def lookup(store: ObjectReader, tree: bytes | None, path: bytes) -> Entry | None:
    """The entry at `path`, or None."""
    parts = path.split(b"/")
    for depth, name in enumerate(parts):
        entry = _peek(store, tree).get(name)
        if entry is None or depth == len(parts) - 1:
            return entry
        if entry[0] != MODE_TREE:
            return None
        tree = entry[1]
    return None


def compare_at(
    store: ObjectReader, path: bytes, a: Entry | None, b: Entry | None
) -> Iterator[tuple[bytes, Entry | None, Entry | None]]:
    """`compare` of what stands at `path` on each side (a file, a directory, or nothing)."""
    a_tree = a[1] if a and a[0] == MODE_TREE else None
    b_tree = b[1] if b and b[0] == MODE_TREE else None
    leaf = (path, None if a_tree else a, None if b_tree else b)
    if leaf[1] and b_tree:
        yield leaf
    if a_tree or b_tree:
        yield from compare(store, a_tree, b_tree, path + b"/")
    if (leaf[1] or leaf[2]) and not (leaf[1] and b_tree):
        yield leaf


class _Level:
    """One directory being compared: its names left to look at, and the entry to report once
    its subtree is done (a directory that became a file: the file comes after its contents
    are removed)."""

    def __init__(
        self,
        store: ObjectReader,
        old: bytes | None,
        new: bytes | None,
        prefix: bytes,
        after: tuple[bytes, Entry | None, Entry | None] | None,
    ) -> None:
        self.before, self.after = _peek(store, old), _peek(store, new)
        self.names = iter(sorted(self.before.keys() | self.after.keys()))
        self.prefix = prefix
        self.then = after


def compare(
    store: ObjectReader, old: bytes | None, new: bytes | None, prefix: bytes = b""
) -> Iterator[tuple[bytes, Entry | None, Entry | None]]:
    """(path, old entry, new entry) for every non-tree entry that differs; equal subtrees
    skipped; no recursion. Where a file becomes a directory the file's removal comes first,
    where a directory becomes a file its contents' removals come first."""
    if old == new:
        return
    stack = [_Level(store, old, new, prefix, None)]
    while stack:
        level = stack[-1]
        for name in level.names:
            a, b = level.before.get(name), level.after.get(name)
            if a == b:
                continue
            path = level.prefix + name
            a_tree = a[1] if a and a[0] == MODE_TREE else None
            b_tree = b[1] if b and b[0] == MODE_TREE else None
            leaf = (path, None if a_tree else a, None if b_tree else b)
            if b_tree and leaf[1]:
                yield leaf  # a file becomes a directory: remove the file first
            later = leaf if (leaf[1] or leaf[2]) and not (b_tree and leaf[1]) else None
            if a_tree or b_tree:
                stack.append(_Level(store, a_tree, b_tree, path + b"/", later))
                break
            if later is not None:
                yield later
        else:
            stack.pop()
            if level.then is not None:
                yield level.then
