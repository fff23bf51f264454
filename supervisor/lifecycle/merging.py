"""One path changed by both sides of a pair: would git merge it, and if not, which lines clash.

The verdict on content is libgit2's (`gitio.merges`), so it is git's: changes to the same or to
adjacent lines conflict, identical changes do not. The line ranges come from the hunks of each
side against the merge base: hunks of the two sides that overlap or touch make one region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from supervisor.gitio import merges
from supervisor.gitio.merges import Hunk
from supervisor.gitio.objects import MODE_GITLINK, MODE_LINK
from supervisor.gitio.repo import Repo
from supervisor.gitio.trees import Entry

Lines = tuple[int, int]  # [first, last], 1-based; empty where last < first (nothing there)


class Region(NamedTuple):
    """Where the two sides' changes clash: the lines in the base, in side a, in side b."""

    base: Lines | None  # None: the file is new on both sides
    a: Lines
    b: Lines

    def as_json(self) -> dict[str, list[int] | None]:
        return {
            "base": list(self.base) if self.base else None,
            "a": list(self.a),
            "b": list(self.b),
        }


class Outcome(NamedTuple):
    """None: merges cleanly; else why it conflicts and where."""

    reason: str | None
    regions: tuple[Region, ...] = ()


CLEAN = Outcome(None)


def three_way(
    repo: Repo, path: bytes, base: Entry | None, a: Entry | None, b: Entry | None
) -> Outcome:
    """The merge of one path that both sides changed (`None`: absent on that side)."""
    if a == b:
        return CLEAN  # the same change on both sides, deletions included
    if a is None or b is None:
        return Outcome("modify/delete")
    if base is None:
        return _added_twice(repo, path, a, b)
    if _kind(a[0]) != _kind(b[0]):
        return Outcome("type")
    content = _content(repo, path, base, a, b)
    if content.reason is not None:
        return content
    if base[0] not in (a[0], b[0]) and a[0] != b[0]:
        return Outcome("mode")
    return CLEAN


def _content(repo: Repo, path: bytes, base: Entry, a: Entry, b: Entry) -> Outcome:
    if a[1] == b[1] or base[1] in (a[1], b[1]):
        return CLEAN  # at most one side changed the content
    if a[0] == MODE_GITLINK:
        return Outcome("submodule")
    if a[0] == MODE_LINK:
        return Outcome("symlink")
    if any(merges.is_binary(repo, e[1]) for e in (base, a, b)):
        return Outcome("binary")
    if merges.merges_cleanly(repo, path, base, a, b):
        return CLEAN
    found = regions(
        merges.hunks(repo, base[1], a[1]),
        merges.hunks(repo, base[1], b[1]),
        (merges.lines_of(repo, a[1]), merges.lines_of(repo, b[1])),
    )
    return Outcome("content", tuple(found))


def _added_twice(repo: Repo, path: bytes, a: Entry, b: Entry) -> Outcome:
    """Both sides add the path, differently: git conflicts (add/add); the clash is where the
    two versions differ."""
    if _kind(a[0]) != _kind(b[0]) or a[0] in (MODE_LINK, MODE_GITLINK) or a[1] == b[1]:
        return Outcome("add/add")
    if merges.is_binary(repo, a[1]) or merges.is_binary(repo, b[1]):
        return Outcome("add/add")
    found = [Region(None, _old_lines(h), _new_lines(h)) for h in merges.hunks(repo, a[1], b[1])]
    return Outcome("add/add", tuple(found))


def regions(
    side_a: Sequence[Hunk], side_b: Sequence[Hunk], texts: tuple[list[bytes], list[bytes]]
) -> list[Region]:
    """The regions where hunks of side a and side b overlap or touch in the base (as git
    sees a conflict), leaving out those where both made the very same change."""
    spans = sorted(
        [(_span(h), 0, h) for h in side_a] + [(_span(h), 1, h) for h in side_b],
        key=lambda item: item[0],
    )
    groups: list[list[tuple[tuple[int, int], int, Hunk]]] = []
    end = -1
    for item in spans:
        if groups and item[0][0] <= end:
            groups[-1].append(item)
            end = max(end, item[0][1])
        else:
            groups.append([item])
            end = item[0][1]
    out = []
    for group in groups:
        mine = [[h for _, side, h in group if side == which] for which in (0, 1)]
        if not mine[0] or not mine[1] or _same_change(mine[0], mine[1], texts):
            continue
        start = min(span[0] for span, _, _ in group)
        stop = max(span[1] for span, _, _ in group)
        out.append(Region((start + 1, stop), _cover(mine[0]), _cover(mine[1])))
    return out


def _span(h: Hunk) -> tuple[int, int]:
    """The hunk's place in the base as [start, end) between lines: lines start+1..end are
    replaced; an insertion after line n is (n, n)."""
    if h.old_lines:
        return h.old_start - 1, h.old_start - 1 + h.old_lines
    return h.old_start, h.old_start


def _new_lines(h: Hunk) -> Lines:
    if h.new_lines:
        return h.new_start, h.new_start + h.new_lines - 1
    return h.new_start + 1, h.new_start  # lines removed after line new_start: nothing there


def _old_lines(h: Hunk) -> Lines:
    if h.old_lines:
        return h.old_start, h.old_start + h.old_lines - 1
    return h.old_start + 1, h.old_start


def _cover(found: list[Hunk]) -> Lines:
    ranges = [_new_lines(h) for h in found]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _same_change(a: list[Hunk], b: list[Hunk], texts: tuple[list[bytes], list[bytes]]) -> bool:
    if [_span(h) for h in a] != [_span(h) for h in b]:
        return False
    return all(_text(x, texts[0]) == _text(y, texts[1]) for x, y in zip(a, b, strict=True))


def _text(h: Hunk, lines: list[bytes]) -> list[bytes]:
    return lines[h.new_start - 1 : h.new_start - 1 + h.new_lines] if h.new_lines else []


def _kind(mode: int) -> int:
    return mode if mode in (MODE_LINK, MODE_GITLINK) else 0
