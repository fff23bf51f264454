"""Git rules: `.git` in any disguise, submodules, the policy itself and protected paths.

Every changed path is checked, both sides of a rename, deletions included. All rules default
to `error`; the policy's `[rules]` table can lower one (a plan can only raise it).

- `git.internal`: a path component that is `.git` in any letter case, or one of the aliases
  git itself refuses (`core.protectNTFS` / `core.protectHFS`): `.git` followed by dots or
  spaces (`.git.`, `.git `), an NTFS stream (`.git::$INDEX_ALLOCATION`), the 8.3 short name
  `git~1`, and `.git` with HFS+-ignored code points (zero-width joiners and the like). A
  backslash counts as a separator (it is one on Windows).
- `git.submodule`: `.gitmodules` at the top of the tree (any case, same aliases), and any
  gitlink (mode 160000) added, changed, removed or made from or into another kind of entry.
- `git.policy`: anything under `.git-agent/` (the policy and its companions), and the secret
  scanners' configs at the top of the tree that the `secrets` plugin reads with the policy
  (`SCANNER_CONFIGS`): an agent must not widen its own allowlist.
- `git.protected`: paths the policy marks protected:

      [plugins.git]
      protected = [".github/workflows/**", ".gitlab-ci.yml"]

  gitignore-style globs (a `!pattern` takes a path back out of the same list). A plan's
  `[plugins.git] protected` adds to the policy's list; it can never take a path out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from supervisor.plugin import (
    MODE_GITLINK,
    Change,
    Globs,
    RuleContext,
    Violation,
    hookimpl,
    patterns,
    tables,
)

PLUGIN = "git"
KEYS = ("protected",)
AGENT_DIR = ".git-agent"
# The secret scanners' configs the `secrets` plugin reads from the policy's commit (gitleaks'
# config and ignore file, detect-secrets' baseline): part of the policy.
SCANNER_CONFIGS = (".gitleaks.toml", ".gitleaksignore", ".secrets.baseline")
# What `git.policy` guards, for the core too: a directory (ends in "/") or a top-level file.
POLICY_PATHS = (f"{AGENT_DIR}/", *SCANNER_CONFIGS)
# Code points HFS+ ignores when it compares names (git's `next_hfs_char`).
HFS_IGNORED = re.compile("[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]")
SEPARATORS = re.compile(r"[/\\]")
NTFS_GITMODULES_SHORT = re.compile(r"(gitmod|gi7eba)~\d+")  # 8.3 short names


def components(path: str) -> list[str]:
    """The components of `path` as any platform splits it (`/` and `\\`)."""
    return SEPARATORS.split(path)


def fold(name: str) -> str:
    """`name` as a case-insensitive, HFS+- or NTFS-normalising filesystem compares it.

    HFS+-ignored code points are dropped, an NTFS stream suffix (`:...`) is cut, trailing
    dots and spaces (which NTFS strips) are removed, and the letter case is folded.
    """
    name = HFS_IGNORED.sub("", name).split(":", 1)[0]
    return name.rstrip(". ").casefold()


def is_dotgit(name: str) -> bool:
    """Whether a checkout of a component called `name` could land in (or be) a `.git`."""
    folded = fold(name)
    return folded in (".git", "git~1")


def is_gitmodules(path: str) -> bool:
    """Whether `path` is the top-level `.gitmodules`, in any case or alias."""
    parts = components(path)
    if len(parts) != 1:
        return False
    folded = fold(parts[0])
    return folded == ".gitmodules" or NTFS_GITMODULES_SHORT.fullmatch(folded) is not None


def internal_component(path: str) -> str | None:
    """The first component of `path` that is `.git` in disguise, or None."""
    return next((part for part in components(path) if is_dotgit(part)), None)


def is_policy_path(path: str) -> bool:
    """Whether `path` is part of the policy (`POLICY_PATHS`), in any case or alias."""
    parts = components(path)
    first = fold(parts[0])
    return first == AGENT_DIR or (len(parts) == 1 and first in SCANNER_CONFIGS)


def touched(change: Change) -> list[str]:
    """The paths a change writes or removes: both sides of a rename or copy."""
    return [change.path] if change.old_path is None else [change.old_path, change.path]


class Protected:
    """The policy's protected globs together with the plan's (which can only add)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.layers = [Globs(_globs(file, table)) for file, table in tables(ctx, PLUGIN, KEYS)]

    def match(self, path: str) -> bool:
        return any(layer.match(path) for layer in self.layers)


def _globs(file: str, table: Mapping[str, object]) -> list[str]:
    return list(patterns(file, PLUGIN, "protected", table.get("protected", [])))


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    protected = Protected(ctx)
    found: list[Violation] = [
        Violation(
            rule="git.nested-repository",
            path=path,
            message="a repository inside the content: git run there would read its config "
            "and hooks (checkpoints leave it out)",
        )
        for path, (why, _) in sorted(ctx.skipped.items())
        if why == "git-dir"
    ]
    for change in changes:
        found.extend(_check(change, protected))
    return found


def _check(change: Change, protected: Protected) -> Iterator[Violation]:
    for path in touched(change):
        part = internal_component(path)
        if part is not None:
            yield Violation(
                rule="git.internal",
                path=path,
                message=f"path goes through {part!r}, which a checkout treats as .git",
            )
        if is_gitmodules(path):
            yield Violation(rule="git.submodule", path=path, message="changes .gitmodules")
        if is_policy_path(path):
            yield Violation(rule="git.policy", path=path, message=_policy_message(path))
        if protected.match(path):
            yield Violation(
                rule="git.protected", path=path, message="path is protected by the policy"
            )
    if MODE_GITLINK in (change.mode, change.old_mode):
        yield Violation(
            rule="git.submodule", path=change.path, message=f"submodule {_verb(change)}"
        )


def _policy_message(path: str) -> str:
    if fold(components(path)[0]) == AGENT_DIR:
        return f"changes the policy under {AGENT_DIR}/"
    return "changes a secret scanner's config, which is part of the policy"


def _verb(change: Change) -> str:
    if change.mode != change.old_mode:
        if change.old_mode is None:
            return "added"
        if change.mode is None:
            return "removed"
        return "added" if change.mode == MODE_GITLINK else "removed (replaced by a file)"
    if change.old_path is not None:
        return f"moved from {change.old_path}"
    return "moved to another commit"


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    Protected(ctx)
