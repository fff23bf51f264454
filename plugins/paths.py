"""Path rules: names that break a checkout somewhere, checked on every path a change creates.

Only new names are judged (added, and the new side of a rename or copy): a change to a file
whose name was already in the base is not the change's fault.

- `path.control` (error): a control character (U+0000-U+001F, U+007F, U+0080-U+009F), a
  newline or a tab included.
- `path.encoding` (error): a name whose bytes are not UTF-8 (paths arrive decoded with
  surrogateescape, so U+DC80-U+DCFF stand for the bad bytes).
- `path.windows` (warning): a component Windows cannot check out: a reserved device name
  (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, also with `¹²³`, `CONIN$`,
  `CONOUT$`) in any case, with or without an extension (`aux.txt`, `nul .c`); a trailing dot
  or space; one of `< > : " | ? * \\`.
- `path.case-collision` (warning): a new path that differs only in letter case (Unicode case
  folding, after NFC normalisation) from another path of the tree under review, at any level
  (`Src/x.py` next to `src/`): a checkout on macOS or Windows keeps only one of them. Without
  a tree (a caller that gives none) only the change set itself is compared.
- `path.too-long` (error): more than `max_path_bytes` bytes in the path (default 4096) or
  more than `max_component_bytes` in one component (default 255).

`[plugins.path]` in the policy:

    [plugins.path]
    allow = ["vendor/legacy/aux.c"]  # globs exempt from every path.* rule
    max_path_bytes = 4096
    max_component_bytes = 255

A plan's `allow` can only narrow the policy's (a path must match both), and a plan's limits
only lower the policy's. A rule can also be set to another level in the policy's `[rules]`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from supervisor.plugin import Change, RuleContext, Violation, allow_list, hookimpl, limit

PLUGIN = "path"
KEYS = ("allow", "max_path_bytes", "max_component_bytes")
MAX_PATH_BYTES = 4096
MAX_COMPONENT_BYTES = 255
NEW = frozenset("ARC")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
NOT_UTF8 = re.compile("[\udc80-\udcff]")
WINDOWS_RESERVED = re.compile(
    r"(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$) *(\..*)?", re.IGNORECASE
)
WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\\]')


@dataclass(frozen=True)
class PathLimits:
    path_bytes: int
    component_bytes: int


def control_char(path: str) -> str | None:
    found = CONTROL.search(path)
    return None if found is None else f"U+{ord(found.group()):04X}"


def bad_byte(path: str) -> str | None:
    found = NOT_UTF8.search(path)
    return None if found is None else f"0x{ord(found.group()) - 0xDC00:02x}"


def windows_problem(path: str) -> str | None:
    """Why Windows cannot check out `path`, or None."""
    for part in path.split("/"):
        if WINDOWS_RESERVED.fullmatch(part):
            return f"{part!r} is a reserved device name on Windows"
        if part.endswith((".", " ")):
            return f"{part!r} ends in a dot or space, which Windows drops"
        found = WINDOWS_FORBIDDEN.search(part)
        if found:
            return f"{part!r} holds {found.group()!r}, which Windows forbids in names"
    return None


def length_problem(path: str, limits: PathLimits) -> str | None:
    size = len(os.fsencode(path))
    if size > limits.path_bytes:
        return f"path is {size} bytes long, above {limits.path_bytes}"
    for part in path.split("/"):
        size = len(os.fsencode(part))
        if size > limits.component_bytes:
            return f"component of {size} bytes, above {limits.component_bytes}"
    return None


def case_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class Siblings:
    """The names in each directory of the tree under review (or, lacking one, of the changes)."""

    def __init__(self, ctx: RuleContext, paths: Iterable[str]) -> None:
        self.ctx = ctx
        self.listed: dict[str, dict[str, list[str]]] = {}
        if ctx.tree is None:
            for path in paths:
                parts = path.split("/")
                for depth in range(len(parts)):
                    self._add("/".join(parts[:depth]), parts[depth])

    def _add(self, parent: str, name: str) -> None:
        names = self.listed.setdefault(parent, {}).setdefault(case_key(name), [])
        if name not in names:
            names.append(name)

    def same_key(self, parent: str, name: str) -> list[str]:
        if self.ctx.tree is not None and parent not in self.listed:
            self.listed[parent] = {}
            for listed in self.ctx.names_in(parent):
                self._add(parent, listed)
        return self.listed.get(parent, {}).get(case_key(name), [])

    def collision(self, path: str) -> str | None:
        """Another path of the tree that `path` (or one of its directories) collides with."""
        parts = path.split("/")
        for depth, name in enumerate(parts):
            parent = "/".join(parts[:depth])
            other = next((n for n in self.same_key(parent, name) if n != name), None)
            if other is not None:
                return f"{parent}/{other}" if parent else other
        return None


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    allowed = allow_list(ctx, PLUGIN, KEYS)
    limits = PathLimits(
        _limit(ctx, "max_path_bytes", MAX_PATH_BYTES),
        _limit(ctx, "max_component_bytes", MAX_COMPONENT_BYTES),
    )
    paths = [c.path for c in changes if c.status in NEW and not allowed(c.path)]
    if not paths:
        return []  # only new names are judged (and the tree under review is not needed)
    siblings = Siblings(ctx, paths)
    found: list[Violation] = []
    for path in paths:
        found.extend(_check(path, limits, siblings))
    return found


def _limit(ctx: RuleContext, key: str, default: int) -> int:
    """The policy's number (or the default) for `key`, lowered by the plan's."""
    value = limit(ctx, PLUGIN, KEYS, key)
    if value is None:
        return default
    return value if key in ctx.config(PLUGIN) else min(value, default)


def _check(path: str, limits: PathLimits, siblings: Siblings) -> Iterator[Violation]:
    char = control_char(path)
    if char is not None:
        yield Violation(
            rule="path.control", path=path, message=f"name holds control character {char}"
        )
    byte = bad_byte(path)
    if byte is not None:
        yield Violation(rule="path.encoding", path=path, message=f"name is not UTF-8 (byte {byte})")
    problem = windows_problem(path)
    if problem is not None:
        yield Violation(rule="path.windows", severity="warning", path=path, message=problem)
    other = siblings.collision(path)
    if other is not None:
        yield Violation(
            rule="path.case-collision",
            severity="warning",
            path=path,
            message=f"differs only in letter case from {other!r}",
        )
    problem = length_problem(path, limits)
    if problem is not None:
        yield Violation(rule="path.too-long", path=path, message=problem)


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    allow_list(ctx, PLUGIN, KEYS)
    _limit(ctx, "max_path_bytes", MAX_PATH_BYTES)
    _limit(ctx, "max_component_bytes", MAX_COMPONENT_BYTES)
