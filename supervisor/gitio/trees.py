"""Raw git trees as bytes, so names that are not UTF-8 survive; updates touch only changed paths."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Protocol

from supervisor.gitio.objects import MODE_TREE, TREE

Entry = tuple[int, bytes]  # (git mode, raw object id)
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
    """Apply `changes` to `tree`, rewriting only the trees on changed paths; None when empty."""
    if not changes:
        return tree
    entries = read_tree(store, tree)
    direct: dict[bytes, Entry | None] = {}
    nested: dict[bytes, dict[bytes, Entry | None]] = {}
    for path, entry in changes.items():
        head, sep, rest = path.partition(b"/")
        if sep:
            nested.setdefault(head, {})[rest] = entry
        else:
            direct[head] = entry
    for name in direct.keys() | nested.keys():
        old = entries.get(name)
        new = _merged(store, old, direct.get(name, old), nested.get(name))
        if new is None:
            entries.pop(name, None)
        else:
            entries[name] = new
    return write_tree(store, entries) if entries else None


def _merged(
    store: ObjectStore,
    old: Entry | None,
    direct: Entry | None,
    nested: dict[bytes, Entry | None] | None,
) -> Entry | None:
    if nested:
        subtree = old[1] if old and old[0] == MODE_TREE else None
        sub = update(store, subtree, nested)
        if sub is not None:
            return (MODE_TREE, sub)
        if direct is old and subtree is not None:
            return None
    return direct


def walk(
    store: ObjectReader, tree: bytes | None, prefix: bytes = b""
) -> Iterator[tuple[bytes, Entry]]:
    """Every non-tree entry below `tree`, depth first, as (path, entry)."""
    for name, entry in _peek(store, tree).items():
        path = prefix + name
        if entry[0] == MODE_TREE:
            yield from walk(store, entry[1], path + b"/")
        else:
            yield path, entry


def lookup(store: ObjectReader, tree: bytes | None, path: bytes) -> Entry | None:
    """The entry at `path`, or None."""
    head, sep, rest = path.partition(b"/")
    entry = _peek(store, tree).get(head)
    if entry is None or not sep:
        return entry
    return lookup(store, entry[1], rest) if entry[0] == MODE_TREE else None


def compare(
    store: ObjectReader, old: bytes | None, new: bytes | None, prefix: bytes = b""
) -> Iterator[tuple[bytes, Entry | None, Entry | None]]:
    """(path, old entry, new entry) for every non-tree entry that differs; equal subtrees skipped."""
    if old == new:
        return
    before, after = _peek(store, old), _peek(store, new)
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        path = prefix + name
        a_tree = a[1] if a and a[0] == MODE_TREE else None
        b_tree = b[1] if b and b[0] == MODE_TREE else None
        leaf = (path, None if a_tree else a, None if b_tree else b)
        if b_tree and leaf[1]:
            yield leaf  # a file becomes a directory: remove the file first
        if a_tree or b_tree:
            yield from compare(store, a_tree, b_tree, path + b"/")
        if (leaf[1] or leaf[2]) and not (b_tree and leaf[1]):
            yield leaf
