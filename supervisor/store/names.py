"""Feature names: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, and safe as a ref and a folder name; and
the refs a feature keeps in git.

A feature `<name>` lives in refs alone, so a clone that fetches them (or a repository whose
state database was lost) can rebuild it:

- `refs/heads/agent/<name>`: its branch (promoted work);
- `refs/agent/<name>/checkpoints`: its checkpoint chain;
- `refs/agent/<name>/record`: its record (base, plan, state), one commit per change;
- `refs/agent/<name>/worktree`: worktree states saved before a reset or removal;
- `refs/agent/<name>/scanned`: the last scan no checkpoint holds (local only).

A forgotten feature's refs move to `refs/agent/<name>@<n>/` (its branch to
`refs/agent/<name>@<n>/branch`), so the name can be used again and the old chain can still be
shown. Attestations of promotions live at `refs/agent/attestations/<tree>/<commit>`: keyed by
the tree they vouch for, which is what the gates look up.
"""

from __future__ import annotations

import re

from supervisor.errors import UsageError

FEATURE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FORGOTTEN_RE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,63})@(?P<number>[1-9][0-9]{0,5})")
RESERVED = frozenset({"attestations"})  # names a feature cannot take: refs/agent/<it>/ is ours
AGENT_REFS = "refs/agent/"
ATTESTATIONS = "refs/agent/attestations/"
# refs an agent's work reaches, which therefore vouch for nothing (see `lifecycle.trust`)
UNTRUSTED = ("refs/agent/", "refs/heads/agent/")
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
    if name in RESERVED:
        raise UsageError(f"invalid feature name {name!r}: git-agent keeps refs/agent/{name}/")
    return name


def check_recorded(name: str) -> str:
    """A feature's name, or a forgotten feature's (`<name>@<n>`, read-only)."""
    found = FORGOTTEN_RE.fullmatch(name)
    if found is not None:
        check_feature(found["name"])
        return name
    return check_feature(name)


def is_forgotten(name: str) -> bool:
    return FORGOTTEN_RE.fullmatch(name) is not None


def forgotten_name(name: str, number: int) -> str:
    return f"{name}@{number}"


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


def record_of(feature: str) -> str:
    return f"refs/agent/{feature}/record"


def refs_of(feature: str) -> str:
    """The folder of a feature's own refs (its branch is not in it)."""
    return f"refs/agent/{feature}/"


def kept_branch_of(forgotten: str) -> str:
    """Where a forgotten feature's branch is kept."""
    return f"refs/agent/{forgotten}/branch"


def attestation_of(tree: str, commit: str) -> str:
    return f"{ATTESTATIONS}{tree}/{commit}"


def feature_of_record(ref: str) -> str | None:
    """The feature whose record `ref` is (`refs/agent/<name>/record`), else None."""
    if not ref.startswith(AGENT_REFS) or not ref.endswith("/record"):
        return None
    name = ref[len(AGENT_REFS) : -len("/record")]
    if "/" in name:
        return None
    try:
        return check_recorded(name)
    except UsageError:
        return None


def is_trusted_ref(name: str) -> bool:
    """A ref the agent cannot have written: not under refs/agent/, not an agent/* branch (of
    this repository or of a remote)."""
    if name.startswith(UNTRUSTED) or name == "HEAD":
        return False
    parts = name.split("/")
    return not (len(parts) > 3 and parts[:2] == ["refs", "remotes"] and parts[3] == "agent")
