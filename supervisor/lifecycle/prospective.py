"""Judging a write before it happens: what writing some content at a path of the shadow (or
removing it) would bring, under every rule, as the watcher would judge it afterwards. The
built-in agent's tools and Claude Code's PreToolUse hook ask this before they write."""

from __future__ import annotations

import os

from supervisor.errors import UsageError
from supervisor.gitio import trees
from supervisor.gitio.changes import changes_between
from supervisor.gitio.objects import BLOB, MODE_EXEC, MODE_FILE, MODE_LINK
from supervisor.lifecycle.feature import Feature
from supervisor.rules.engine import judge
from supervisor.rules.types import Violation

MODES = {"file": MODE_FILE, "exec": MODE_EXEC, "link": MODE_LINK}


def shadow_path(feature: Feature, path: str) -> bytes:
    """`path` (absolute, or relative to the shadow) as a path inside the shadow; a UsageError
    when it resolves anywhere else (through `..` or a symlink) or into a git directory."""
    shadow = os.path.realpath(feature.shadow)
    full = os.path.realpath(os.path.join(shadow, path))
    if full != shadow and not full.startswith(shadow + os.sep):
        raise UsageError(f"{path} is outside the shadow of {feature.name}")
    rel = os.path.relpath(full, shadow)
    if rel == ".":
        raise UsageError(f"{path} is the shadow itself, not a file in it")
    if any(part.casefold().rstrip(". ") == ".git" for part in rel.split(os.sep)):
        raise UsageError(f"{path} is inside a git directory")
    return os.fsencode(rel)


def check_write(
    feature: Feature, rel: bytes, data: bytes | None, kind: str = "file"
) -> list[Violation]:
    """The error- and warning-level violations the write would bring that the shadow does
    not have already (`data` None: the path removed)."""
    repo = feature.repo
    scanner = feature.scanner
    now = scanner.scan([rel], keep=False, secure=False, hinted=False)
    entry = None if data is None else (MODES[kind], repo.write(BLOB, data))
    after = trees.update(repo, now, {rel: entry})
    before = _found(feature, now)
    return [v for key, v in _found(feature, after).items() if key not in before]


def _found(feature: Feature, tree: bytes | None) -> dict[tuple[object, ...], Violation]:
    repo = feature.repo
    changes = changes_between(repo, repo.commit_tree(feature.policy_commit), tree)
    report = judge(feature.plugins, feature.context(tree), changes)
    return {_key(v): v for v in report.violations}


def _key(violation: Violation) -> tuple[object, ...]:
    return violation.rule, violation.path, violation.line, violation.message
