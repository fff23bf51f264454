"""Feature names: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, and safe as a ref and a folder name."""

from __future__ import annotations

import re

from supervisor.errors import UsageError

FEATURE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
REVISION_SYNTAX = "~^:@{}"  # what makes a revision of a name: x~1, x^, x@{1}, HEAD:path
# git's own names for a commit, looked up before any branch (case folds on some systems)
GIT_NAMES = re.compile(
    r"HEAD|[A-Z_]*_HEAD|AUTO_MERGE|MERGE_AUTOSTASH|BISECT_EXPECTED_REV|NOTES_MERGE_\w+",
    re.IGNORECASE,
)
# a name of 7 hex digits or more reads as an object id to git (7: the shortest it prints)
OBJECT_ID = re.compile(r"[0-9a-fA-F]{7,}")


def check_feature(name: str) -> str:
    """`name` when it can name a feature (one that exists or a new one); else a UsageError."""
    syntax = next((c for c in name if c in REVISION_SYNTAX), None)
    if syntax is not None:
        raise UsageError(
            f"invalid feature name {name!r}: {syntax!r} is git's revision syntax "
            "(use 1 to 64 of A-Z a-z 0-9 . _ -)"
        )
    if not FEATURE_RE.fullmatch(name):
        raise UsageError(
            f"invalid feature name {name!r}: use 1 to 64 of A-Z a-z 0-9 . _ -, "
            "starting with a letter or digit"
        )
    if name.endswith((".", ".lock")) or ".." in name:
        raise UsageError(f"invalid feature name {name!r}: git refuses it as a branch name")
    return name


def check_new_feature(name: str) -> str:
    """`name` when a new feature may take it: also not one of git's own names for a commit
    (HEAD, FETCH_HEAD, ...), nor what git would read as an object id."""
    check_feature(name)
    if GIT_NAMES.fullmatch(name):
        raise UsageError(
            f"invalid feature name {name!r}: git's own name for a commit; choose another"
        )
    if OBJECT_ID.fullmatch(name):
        raise UsageError(
            f"invalid feature name {name!r}: git would read it as an object id; "
            "add a letter or word (e.g. 'f-" + name + "')"
        )
    return name


def branch_of(feature: str) -> str:
    return f"refs/heads/agent/{feature}"


def chain_of(feature: str) -> str:
    return f"refs/agent/{feature}/checkpoints"
