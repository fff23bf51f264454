"""Feature names: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, and safe as a ref and a folder name."""

from __future__ import annotations

import re

from supervisor.errors import UsageError

FEATURE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_feature(name: str) -> str:
    if not FEATURE_RE.fullmatch(name):
        raise UsageError(
            f"invalid feature name {name!r}: use 1 to 64 of A-Z a-z 0-9 . _ -, "
            "starting with a letter or digit"
        )
    if name.endswith((".", ".lock")) or ".." in name:
        raise UsageError(f"invalid feature name {name!r}: git refuses it as a branch name")
    return name


def branch_of(feature: str) -> str:
    return f"refs/heads/agent/{feature}"


def chain_of(feature: str) -> str:
    return f"refs/agent/{feature}/checkpoints"
