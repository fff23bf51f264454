"""One changed path, as rules and reports see it: plain data, whatever read it from git."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

Lines = Callable[[], Iterable[tuple[int, str]]]


def _no_lines() -> Iterable[tuple[int, str]]:
    return ()


class Change:
    """One changed path. `path` is the new path (the old one for a deletion).

    `status` is git's letter: A, M, D, R (renamed; `old_path` set) or T (type changed). Modes
    are git's numbers (`0o100644`, ...), ids are hex; the new side is None when deleted, the
    old side None when added. The added lines are read only when a rule asks for them."""

    __slots__ = (
        "added",
        "binary",
        "deleted",
        "lines",
        "mode",
        "oid",
        "old_mode",
        "old_oid",
        "old_path",
        "path",
        "status",
    )

    def __init__(
        self,
        path: str,
        status: str,
        old_path: str | None,
        added: int,
        deleted: int,
        binary: bool,
        mode: int | None,
        old_mode: int | None,
        oid: str | None,
        old_oid: str | None,
        lines: Lines = _no_lines,
    ) -> None:
        self.path = path
        self.status = status
        self.old_path = old_path
        self.added = added
        self.deleted = deleted
        self.binary = binary
        self.mode = mode
        self.old_mode = old_mode
        self.oid = oid
        self.old_oid = old_oid
        self.lines = lines

    def __repr__(self) -> str:
        return f"Change(path={self.path!r}, status={self.status!r}, old_path={self.old_path!r})"

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
