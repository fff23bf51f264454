"""gitignore-style path patterns, as git reads a `.gitignore` (`**` spans directories).

Each pattern becomes one regular expression here, with no library to import: the gates load
these on every commit. The rules are git's (and the pathspec library's, which the tests hold
this module to, pattern by pattern):

- a blank pattern, one starting with `#`, and `/` alone match nothing; `!` negates; `\\`
  escapes the next character; trailing spaces are dropped unless escaped;
- a pattern with a `/` before its last character is anchored at the top, any other matches
  at every depth; a trailing `/` matches only what is below a directory of that name;
- `*` and `?` never match `/`; `**` as a whole component matches any number of components;
  `[...]` is a character class (`!` or `^` negates it);
- a path matches a pattern when the pattern matches it or one of its directories; the last
  pattern that matches the path itself decides, else the last one that matches one of its
  directories (so `!dir/keep.txt` after `dir/` takes that file back).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_GLOB = 4096  # characters in one pattern
DIR = "(?P<d>/)"  # the match went through a directory of the path
DIR_OR_END = f"(?:{DIR}|$)"
Compiled = tuple[re.Pattern[str], bool]  # (regex, include)


def check_glob(pattern: str) -> str:
    """Return `pattern` if it is a usable glob; raise ValueError naming what is wrong."""
    if not pattern.strip():
        raise ValueError("empty glob")
    if len(pattern) > MAX_GLOB:
        raise ValueError(f"glob of {len(pattern)} characters (at most {MAX_GLOB})")
    if any(ch in pattern for ch in "\0\n\r"):
        raise ValueError(f"glob {pattern!r} holds a control character")
    if ".." in pattern.lstrip("!").strip("/").split("/"):
        raise ValueError(f"glob {pattern!r} climbs out with '..'")
    if _unbalanced(pattern):
        raise ValueError(f"glob {pattern!r} has an unclosed '['")
    found = translate(pattern)
    if found is not None:
        try:
            re.compile(found[0])
        except re.error as exc:
            raise ValueError(f"bad glob {pattern!r}: {exc}") from None
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


def translate(pattern: str) -> tuple[str, bool] | None:
    """(regex source, include) of one pattern; None for one that matches nothing."""
    text = pattern if pattern.endswith("\\ ") else pattern.rstrip()
    if not text or text.startswith("#") or text == "/":
        return None
    include = not text.startswith("!")
    parts = text.removeprefix("!").split("/")
    is_dir = parts[-1] == ""
    parts = _normalized(parts)
    special = _special(parts, is_dir)
    if special is not None:
        return special, include
    try:
        return "".join(_regex_parts(parts, is_dir)), include
    except _BadRange:
        return None


def _normalized(parts: list[str]) -> list[str]:
    if parts[0] == "":
        parts = parts[1:]  # anchored at the top
    elif len(parts) == 1 or (len(parts) == 2 and parts[1] == ""):
        parts = parts if parts[0] == "**" else ["**", *parts]  # a name matches at any depth
    if not parts:
        raise ValueError("glob names nothing")
    if parts[-1] == "":
        parts = [*parts[:-1], "**"]
    out: list[str] = []
    for part in parts:
        if not (part == "**" and out and out[-1] == "**"):
            out.append(part)
    return out


def _special(parts: list[str], is_dir: bool) -> str | None:
    if parts == ["**"]:
        return DIR if is_dir else "."
    if parts == ["**", "*"]:
        return "."
    if parts == ["**", "*", "**"]:
        return DIR if is_dir else "/"
    return None


def _regex_parts(parts: list[str], is_dir: bool) -> list[str]:
    out: list[str] = []
    slash = False
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if part == "**":
            if index == 0:
                out.append("^(?:.+/)?")
            elif index < last:
                out.append("(?:/.+)?")
                slash = True
            else:
                out.append(DIR if is_dir else "/")
            continue
        if index == 0:
            out.append("^")
        if slash:
            out.append("/")
        out.append("[^/]+" if part == "*" else _component(part))
        if index == last:
            out.append(DIR_OR_END)
        slash = True
    return out


class _BadRange(ValueError):
    """A `[` without its `]`: git ignores such a pattern."""


def _component(glob: str) -> str:
    """One path component's glob as a regex (`*` and `?` stop at `/`)."""
    out: list[str] = []
    i, end = 0, len(glob)
    while i < end:
        char = glob[i]
        i += 1
        if char == "\\":
            if i >= end:
                raise ValueError(f"glob {glob!r} ends with a lone backslash")
            out.append(re.escape(glob[i]))
            i += 1
        elif char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            expression, i = _bracket(glob, i)
            out.append(expression)
        else:
            out.append(re.escape(char))
    return "".join(out)


def _bracket(glob: str, start: int) -> tuple[str, int]:
    """The class that starts after the `[` at `start - 1`; its regex and where it ends."""
    end = len(glob)
    j = start
    if j < end and glob[j] in "!^":
        j += 1
    if j < end and glob[j] == "]":
        j += 1
    while j < end and glob[j] != "]":
        j += 1
    if j >= end:
        raise _BadRange(glob)
    body = glob[start:j]
    negate = body[:1] in ("!", "^")
    inner = (body[1:] if negate else body).replace("\\", "\\\\")
    return f"[{'^' if negate else ''}{inner}]", j + 1


def compile_patterns(patterns: Sequence[str]) -> list[Compiled]:
    compiled = []
    for pattern in patterns:
        found = translate(pattern)
        if found is not None:
            compiled.append((re.compile(found[0]), found[1]))
    return compiled


class Globs:
    """A list of patterns, compiled on first use; an empty list matches nothing."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled: list[Compiled] | None = None

    def match(self, path: str) -> bool:
        if not self.patterns:
            return False
        if self._compiled is None:
            self._compiled = compile_patterns(self.patterns)
        through_dir: bool | None = None
        for regex, include in reversed(self._compiled):
            found = regex.search(path)
            if found is None:
                continue
            if "d" not in regex.groupindex or found.group("d") is None:
                return include  # the last pattern that matches the path itself decides
            if through_dir is None:
                through_dir = include  # else the last one that matches a directory of it
        return bool(through_dir)
