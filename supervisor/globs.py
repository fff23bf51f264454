"""gitignore-style path patterns (`**` spans directories), checked when a policy is read."""

from __future__ import annotations

from collections.abc import Sequence

import pathspec


def check_glob(pattern: str) -> str:
    """Return `pattern` if it is a usable glob; raise ValueError naming what is wrong."""
    if not pattern.strip():
        raise ValueError("empty glob")
    if any(ch in pattern for ch in "\0\n\r"):
        raise ValueError(f"glob {pattern!r} holds a control character")
    if ".." in pattern.lstrip("!").strip("/").split("/"):
        raise ValueError(f"glob {pattern!r} climbs out with '..'")
    if _unbalanced(pattern):
        raise ValueError(f"glob {pattern!r} has an unclosed '['")
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError as exc:
        raise ValueError(f"bad glob {pattern!r}: {exc}") from exc
    return pattern


def _unbalanced(pattern: str) -> bool:
    depth, escaped = 0, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            depth = 1
        elif ch == "]":
            depth = 0
    return depth != 0


class Globs:
    """A compiled list of patterns; an empty list matches nothing."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def match(self, path: str) -> bool:
        return bool(self.patterns) and self._spec.match_file(path)
