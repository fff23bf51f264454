"""Which line of a TOML file defines a key: for `FILE:LINE` in error messages (no pydantic, no
TOML parser: the gates use it too)."""

from __future__ import annotations

import json
import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Best-effort map from dotted key path to the line that defines it (1-based)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = tuple(_split_key(header.group(1)))
            if line.lstrip().startswith("[["):
                index = counts[table] = counts.get(table, -1) + 1
                lines.setdefault(table, number)
                table = (*table, str(index))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault((*table, *_split_key(key.group(1))), number)
    return lines


def locate(text: str, loc: tuple[str | int, ...], value: object = None) -> int | None:
    """The line of the deepest known prefix of `loc` (of the bad string, in a multi-line array)."""
    known = key_lines(text)
    path = tuple(str(part) for part in loc)
    while path:
        if path in known:
            found = known[path]
            if len(path) < len(loc) and isinstance(value, str):
                return _string_line(text, found, value) or found
            return found
        path = path[:-1]
    return None


def _string_line(text: str, start: int, value: str) -> int | None:
    """The first line from `start` on, before the next key or table, quoting `value`."""
    quoted = (json.dumps(value, ensure_ascii=False), f"'{value}'")
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        if number > start and (_HEADER.match(line) or _KEY.match(line)):
            return None
        if any(q in line for q in quoted):
            return number
    return None
