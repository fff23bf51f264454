"""Size rules: bytes of one file, files changed, lines added and deleted, and the shadow's disk quota.

The numbers come from `[limits]` (the policy narrowed by the plan; unset = no limit). Every rule
fires when its number is exceeded (strictly greater), and every rule defaults to `error`.

- `size.file`: an added or rewritten blob larger than `max_file_bytes`. Its size is read from
  the object header, so a huge blob is never loaded.
- `size.files-changed`: more changed paths than `max_files_changed` (a rename counts once).
- `size.lines-added` / `size.lines-deleted`: the totals over the change set above
  `max_lines_added` / `max_lines_deleted`.
- `size.disk-quota`: more bytes under the shadow than `disk_quota_bytes`: every file and symlink
  at its `lstat` size, ignored files included, the shadow's own `.git` left out, symlinks never
  followed. Only where there is a shadow (`ctx.root`); git hooks and CI have none.

`[plugins.size] allow = ["glob", ...]` exempts matching paths (e.g. lock files) from `size.file`
and leaves their lines out of the line totals; a plan's list can only narrow the policy's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from supervisor.plugin import (
    MODE_EXEC,
    MODE_FILE,
    MODE_LINK,
    Change,
    RuleContext,
    Violation,
    allow_list,
    hookimpl,
)

PLUGIN = "size"
KEYS = ("allow",)
BLOB_MODES = (MODE_FILE, MODE_EXEC, MODE_LINK)


@hookimpl
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation]:
    limit = ctx.rules.limits.max_file_bytes
    if limit is None or not _new_content(change) or change.oid is None:
        return []
    size = ctx.size(change.oid)
    if size <= limit or allow_list(ctx, PLUGIN, KEYS)(change.path):
        return []
    return [
        Violation(
            rule="size.file",
            path=change.path,
            message=f"file is {size} bytes, more than max_file_bytes = {limit}",
        )
    ]


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    limits = ctx.rules.limits
    found = [
        Violation(
            rule="size.file",
            path=path,
            message=f"file is {size} bytes: too large to checkpoint, so it is left out",
        )
        for path, (why, size) in sorted(ctx.skipped.items())
        if why == "too-large"
    ]
    if limits.max_files_changed is not None and len(changes) > limits.max_files_changed:
        found.append(
            Violation(
                rule="size.files-changed",
                message=f"{len(changes)} paths changed, more than "
                f"max_files_changed = {limits.max_files_changed}",
            )
        )
    found.extend(_lines(changes, ctx))
    if limits.disk_quota_bytes is not None and ctx.root is not None:
        found.extend(_quota(ctx.root, limits.disk_quota_bytes))
    return found


def _new_content(change: Change) -> bool:
    """An added blob, or one whose bytes changed (a pure rename or mode change is not new)."""
    if change.status == "D" or change.mode not in BLOB_MODES:
        return False
    return change.old_oid is None or change.oid != change.old_oid


def _lines(changes: Sequence[Change], ctx: RuleContext) -> list[Violation]:
    limits = ctx.rules.limits
    if limits.max_lines_added is None and limits.max_lines_deleted is None:
        return []
    allowed = allow_list(ctx, PLUGIN, KEYS)
    counted = [c for c in changes if not allowed(c.path)]
    found = []
    for rule, limit, total in (
        ("size.lines-added", limits.max_lines_added, sum(c.added for c in counted)),
        ("size.lines-deleted", limits.max_lines_deleted, sum(c.deleted for c in counted)),
    ):
        if limit is not None and total > limit:
            key = rule.replace("size.", "max_").replace("-", "_")
            found.append(Violation(rule=rule, message=f"{total} lines, more than {key} = {limit}"))
    return found


def _quota(root: Path, quota: int) -> list[Violation]:
    used = _recent_usage(root, quota)
    if used <= quota:
        return []
    return [
        Violation(
            rule="size.disk-quota",
            message=f"more than {quota} bytes under the shadow (disk_quota_bytes = {quota}; "
            f"counted {used} bytes so far, ignored files included)",
        )
    ]


# A long-lived process (a watcher giving live verdicts) would walk the whole shadow on every
# verdict; a walk that took longer than SLOW_WALK is reused for REUSE_WALK seconds instead.
SLOW_WALK = 0.05
REUSE_WALK = 5.0
_walks: dict[tuple[Path, int], tuple[float, int]] = {}


def _recent_usage(root: Path, quota: int) -> int:
    now = time.monotonic()
    known = _walks.get((root, quota))
    if known is not None and now - known[0] < REUSE_WALK:
        return known[1]
    used = disk_usage(root, stop_after=quota)
    if time.monotonic() - now > SLOW_WALK:
        _walks[(root, quota)] = (now, used)
    return used


def disk_usage(root: Path, stop_after: int | None = None) -> int:
    """Bytes under `root` (lstat sizes, symlinks not followed, `root/.git` left out).

    Stops early once the total exceeds `stop_after`: the answer is then "more than that".
    Entries that vanish or cannot be read while walking are skipped.
    """
    top = os.fsencode(root)
    skip = os.path.join(top, b".git")
    total = 0
    stack = [top]
    while stack:
        try:
            scan = os.scandir(stack.pop())
        except OSError:
            continue
        with scan:
            for entry in scan:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.path != skip:
                            stack.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
        if stop_after is not None and total > stop_after:
            break
    return total


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    allow_list(ctx, PLUGIN, KEYS)
