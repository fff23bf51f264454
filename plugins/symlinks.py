"""Symlink rules: every symlink (mode 120000) a change adds, retargets, renames or makes from a file.

The target is the link's blob. All rules default to `error`.

- `symlink.disallowed`: `allow_symlinks = false` in `[limits]` (policy or plan): no new link.
- `symlink.absolute`: an absolute target (`/etc/passwd`, `C:\\x`, `C:x`, `\\\\server\\share`).
- `symlink.escape`: a relative target that leaves the repository once resolved the way the
  kernel would: `..` climbs from the link's directory, and every link met on the way that is
  in the tree under review is followed (so `a -> b/..` with `b -> ..` escapes). Resolution
  stops after 40 links (a loop resolves to nothing and is not reported). Without a tree (a
  caller that gives none) the target is judged lexically. A backslash counts as a separator
  (it is one on Windows).
- `symlink.git`: a target that resolves into (or through) `.git`, in any disguise
  `git.internal` knows.

A legitimate absolute or escaping link (e.g. a link into a sibling checkout) is allowed by
path: `[plugins.symlink] allow = ["vendor/sdk"]` exempts matching link paths from
`symlink.absolute` and `symlink.escape` (a plan's list can only narrow the policy's). Or set the
rule's level in the policy's `[rules]`.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from supervisor.plugin import (
    MODE_LINK,
    Change,
    RuleContext,
    Violation,
    allow_list,
    hookimpl,
    tables,
)

from .git_rules import components, is_dotgit

PLUGIN = "symlink"
KEYS = ("allow",)
MAX_HOPS = 40
WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:|[/\\])")
ReadLink = Callable[[str], str | None]  # the target of the link at a path, None if no link


def is_absolute(target: str) -> bool:
    return WINDOWS_ABSOLUTE.match(target) is not None


@dataclass(frozen=True)
class Resolution:
    """Where a link leads: `inside` (a path in the repository, "" for its top) or why not."""

    inside: str | None = None
    escape: str | None = None  # how it leaves (the link that did, when not the first)
    git: str | None = None  # the `.git` path it reaches
    loop: bool = False


def resolve(link: str, target: str, read_link: ReadLink) -> Resolution:
    """Resolve the relative `target` of the link at `link`, following links via `read_link`."""
    where: list[str] = components(link)[:-1]
    pending = deque(components(target))
    current, hops = link, 0
    while pending:
        part = pending.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not where:
                return Resolution(escape=current)
            where.pop()
            continue
        where.append(part)
        path = "/".join(where)
        if is_dotgit(part):
            return Resolution(git=path)
        nested = read_link(path)
        if nested is None:
            continue
        hops += 1
        if hops > MAX_HOPS:
            return Resolution(loop=True)
        where.pop()
        if is_absolute(nested):
            return Resolution(escape=path)
        current = path
        pending.extendleft(reversed(components(nested)))
    return Resolution(inside="/".join(where))


def tree_links(ctx: RuleContext) -> ReadLink:
    """Read link targets from the tree under review (no tree: no links)."""
    cache: dict[str, str | None] = {}

    def read_link(path: str) -> str | None:
        if ctx.tree is None:
            return None
        if path not in cache:
            entry = ctx.entry(path)
            is_link = entry is not None and entry[0] == MODE_LINK
            cache[path] = os.fsdecode(ctx.blob(entry[1])) if entry and is_link else None
        return cache[path]

    return read_link


def _shown(target: str, limit: int = 200) -> str:
    return repr(target if len(target) <= limit else target[:limit] + "...")


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    links = [c for c in changes if c.mode == MODE_LINK and c.oid is not None]
    if not links:
        tables(ctx, PLUGIN, KEYS)  # a bad table is reported even when no link changed
        return []
    allowed = allow_list(ctx, PLUGIN, KEYS)
    read_link = tree_links(ctx)
    found: list[Violation] = []
    for change in links:
        assert change.oid is not None
        target = os.fsdecode(ctx.blob(change.oid))
        found.extend(_check(change.path, target, ctx, allowed(change.path), read_link))
    return found


def _check(
    path: str, target: str, ctx: RuleContext, allowed: bool, read_link: ReadLink
) -> Iterator[Violation]:
    if ctx.rules.limits.allow_symlinks is False:
        yield Violation(
            rule="symlink.disallowed", path=path, message="new symlinks are not allowed"
        )
    shown = _shown(target)
    if is_absolute(target):
        if not allowed:
            yield Violation(rule="symlink.absolute", path=path, message=f"absolute target {shown}")
        part = next((p for p in components(target) if is_dotgit(p)), None)
        if part is not None:
            yield Violation(rule="symlink.git", path=path, message=f"target {shown} enters .git")
        return
    result = resolve(path, target, read_link)
    if result.git is not None:
        yield Violation(
            rule="symlink.git", path=path, message=f"target {shown} leads into {result.git!r}"
        )
    elif result.escape is not None and not allowed:
        via = "" if result.escape == path else f" through the link {result.escape!r}"
        yield Violation(
            rule="symlink.escape",
            path=path,
            message=f"target {shown} leaves the repository{via}",
        )


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    allow_list(ctx, PLUGIN, KEYS)
