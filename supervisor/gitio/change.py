"""One changed path, as rules and reports see it: plain data, whatever read it from git."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

Lines = Callable[[], Iterable[tuple[int, str]]]


def _no_lines() -> Iterable[tuple[int, str]]:
    return ()


@dataclass(eq=False)
class Change:
    """One changed path. `path` is the new path (the old one for a deletion).

    `status` is git's letter: A, M, D, R (renamed; `old_path` set) or T (type changed). Modes
    are git's numbers (`0o100644`, ...), ids are hex; the new side is None when deleted, the
    old side None when added. The added lines are read only when a rule asks for them."""

    path: str
    status: str
    old_path: str | None
    added: int
    deleted: int
    binary: bool
    mode: int | None
    old_mode: int | None
    oid: str | None
    old_oid: str | None
    lines: Lines = field(default=_no_lines, repr=False)

    @property
    def raw_path(self) -> bytes:
        return os.fsencode(self.path)

    def added_lines(self) -> Iterator[tuple[int, str]]:
        """(line number in the new file, text without its newline) of every added line."""
        if self.binary:
            return iter(())
        return iter(self.lines())

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
