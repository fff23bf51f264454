"""`diff --stat` laid out exactly as git lays it out (diff.c, `show_stats`): names shortened
with `...` and the `+`/`-` graph scaled to the width, renames as `dir/{old => new}`, binary
files as `Bin OLD -> NEW bytes`, and the summary in the singular or plural as it falls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from supervisor.gitio.change import Change
from supervisor.render.output import quote_path

Sizes = Callable[[Change], tuple[int, int]]  # a binary change: (old size, new size) in bytes


class Row(NamedTuple):
    name: str
    added: int  # lines; for a binary file, its new size
    deleted: int  # lines; for a binary file, its old size
    binary: bool


def diffstat(changes: Sequence[Change], sizes: Sizes, width: int) -> list[str]:
    """The lines of `git diff --stat` for `changes` at `width` columns; none when empty."""
    if not changes:
        return []
    rows = [row_of(c, sizes) for c in changes]
    widths = _widths(rows, width)
    lines = [_line(row, *widths) for row in rows]
    added = sum(r.added for r in rows if not r.binary)
    deleted = sum(r.deleted for r in rows if not r.binary)
    return [*lines, summary(len(rows), added, deleted)]


def row_of(change: Change, sizes: Sizes) -> Row:
    name = rename_name(change.old_path, change.path) if change.old_path else quote_path(change.path)
    if change.binary:
        old, new = sizes(change)
        return Row(name, new, old, True)
    return Row(name, change.added, change.deleted, False)


def rename_name(old: str, new: str) -> str:
    """`a/{b => c}/d`: the common leading folders and trailing part written once (pprint_rename)."""
    qa, qb = quote_path(old), quote_path(new)
    if qa != old or qb != new:
        return f"{qa} => {qb}"
    prefix = 0
    for i, (x, y) in enumerate(zip(old, new, strict=False)):
        if x != y:
            break
        if x == "/":
            prefix = i + 1
    suffix, i, j = 0, len(old) - 1, len(new) - 1
    floor = prefix - 1 if prefix else 0
    while i >= floor and j >= floor and old[i] == new[j]:
        if old[i] == "/":
            suffix = len(old) - i
        i, j = i - 1, j - 1
    a_mid = old[prefix : max(prefix, len(old) - suffix)]
    b_mid = new[prefix : max(prefix, len(new) - suffix)]
    if not prefix + suffix:
        return f"{a_mid} => {b_mid}"
    return f"{old[:prefix]}{{{a_mid} => {b_mid}}}{old[len(old) - suffix :]}"


class Widths(NamedTuple):
    name: int
    number: int
    graph: int
    max_change: int


def _widths(rows: Sequence[Row], width: int) -> Widths:
    max_len = max(len(r.name) for r in rows)
    text = [r.added + r.deleted for r in rows if not r.binary]
    max_change = max(text, default=0)
    bins = [14 + len(str(r.added)) + len(str(r.deleted)) for r in rows if r.binary]
    bin_width = max(bins, default=0)
    number = max(len(str(max_change)), 3 if bins else 0)
    width = max(width, 16 + 6 + number)
    graph = max_change if max_change + 4 > bin_width else bin_width - 4
    name = max_len
    if name + number + 6 + graph > width:
        if graph > width * 3 // 8 - number - 6:
            graph = max(width * 3 // 8 - number - 6, 6)
        if name > width - number - 6 - graph:
            name = width - number - 6 - graph
        else:
            graph = width - number - 6 - name
    return Widths(name, number, graph, max_change)


def _line(row: Row, name_width: int, number: int, graph: int, max_change: int) -> str:
    name, prefix = row.name, ""
    if len(name) > name_width:
        prefix, keep = "...", max(name_width - 3, 0)
        name = name[len(name) - keep :] if keep else ""
        slash = name.find("/")
        name = name[slash:] if slash >= 0 else name
    padding = " " * max(name_width - len(prefix) - len(name), 0)
    if row.binary:
        head = f" {prefix}{name}{padding} | {'Bin':>{number}}"
        return (
            head if not (row.added or row.deleted) else f"{head} {row.deleted} -> {row.added} bytes"
        )
    plus, minus = _scaled(row.added, row.deleted, graph, max_change)
    total = row.added + row.deleted
    return f" {prefix}{name}{padding} | {total:>{number}}{' ' if total else ''}{plus}{minus}"


def _scaled(added: int, deleted: int, graph: int, max_change: int) -> tuple[str, str]:
    if graph <= max_change:
        total = _scale(added + deleted, graph, max_change)
        if total < 2 and added and deleted:
            total = 2
        if added < deleted:
            added = _scale(added, graph, max_change)
            deleted = total - added
        else:
            deleted = _scale(deleted, graph, max_change)
            added = total - deleted
    return "+" * added, "-" * deleted


def _scale(count: int, width: int, max_change: int) -> int:
    """At least one column for any change: scaled as if one column shorter, plus one."""
    return 1 + count * (width - 1) // max_change if count else 0


def summary(files: int, added: int, deleted: int) -> str:
    line = f" {files} file{'' if files == 1 else 's'} changed"
    if added or not deleted:
        line += f", {added} insertion{'' if added == 1 else 's'}(+)"
    if deleted or not added:
        line += f", {deleted} deletion{'' if deleted == 1 else 's'}(-)"
    return line
