"""Forgetting a removed feature: its name can be used again.

Nothing is deleted. The feature's refs move from `refs/agent/<name>/` to
`refs/agent/<name>@<n>/` (its branch to `refs/agent/<name>@<n>/branch`), its record gains a
last entry saying so, and its row is renamed: `git agent checkpoints <name>@<n>` still shows
the old chain, and a clone that fetches the refs, or a repository that lost its state
database, rebuilds it as forgotten."""

from __future__ import annotations

import dataclasses
import os

from supervisor.errors import Refused, UsageError
from supervisor.gitio.run import run_git
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.records import Record, write_record
from supervisor.lifecycle.workspace import Workspace
from supervisor.store.names import (
    FORGOTTEN_RE,
    branch_of,
    forgotten_name,
    is_forgotten,
    kept_branch_of,
    record_of,
    refs_of,
)

FORGOTTEN = "forgotten"


def forget(feature: Feature, as_name: str | None = None) -> str:
    """Forget a removed feature (its lock held); the name its refs and chain are kept under
    (`as_name`, the name another clone gave it, when that is free here)."""
    ws, repo, name = feature.ws, feature.repo, feature.name
    if is_forgotten(name) or feature.row.state == FORGOTTEN:
        raise UsageError(f"{name} is a forgotten feature already")
    if feature.row.state != "removed":
        raise Refused(
            f"feature {name} is {feature.row.state}: remove it first "
            f"(`git agent remove {name} --forget` does both)"
        )
    _refuse_checked_out(feature)
    new = as_name if as_name and _free(ws, as_name) else free_name(ws, name)
    moves = _moves(feature, new)
    for old, target in moves:
        repo.set_ref(target, repo.ref(old) or "", f"git-agent: forget {name} (kept as {new})")
    record = dataclasses.replace(Record.of_row(feature.row), state=FORGOTTEN, forgotten_as=new)
    write_record(repo, record_of(new), record, feature.plan_bytes(), f"forget {name} (as {new})")
    ws.state.rename(name, new, FORGOTTEN)
    for old, _ in moves:
        repo.delete_ref(old)
    repo.delete_ref(f"{refs_of(name)}scanned")
    feature.emit("forget", kept_as=new)  # the last entry of its audit log, which moves with it
    home, kept = ws.layout.feature_dir(name), ws.layout.feature_dir(new)
    if home.is_dir() and not kept.exists():
        os.replace(home, kept)
    return new


def free_name(ws: Workspace, name: str) -> str:
    """`<name>@<n>` for the first n no forgotten feature of that name has (row or refs)."""
    taken = {0}
    candidates = [r.name for r in ws.state.all()]
    candidates += [ref.split("/")[2] for ref in ws.repo.refs_under(f"refs/agent/{name}@")]
    for candidate in candidates:
        found = FORGOTTEN_RE.fullmatch(candidate)
        if found is not None and found["name"] == name:
            taken.add(int(found["number"]))
    return forgotten_name(name, max(taken) + 1)


def _free(ws: Workspace, name: str) -> bool:
    return ws.state.get(name) is None and next(ws.repo.refs_under(refs_of(name)), None) is None


def _moves(feature: Feature, new: str) -> list[tuple[str, str]]:
    repo, name = feature.repo, feature.name
    prefix = refs_of(name)
    out = [
        (ref, refs_of(new) + ref[len(prefix) :])
        for ref in sorted(repo.refs_under(prefix))
        if not ref.endswith("/scanned")
    ]
    if repo.ref(branch_of(name)) is not None:
        out.append((branch_of(name), kept_branch_of(new)))
    return out


def _refuse_checked_out(feature: Feature) -> None:
    """git would not delete a branch checked out somewhere; neither does forget."""
    listing = run_git(["worktree", "list", "--porcelain"], feature.repo.workdir).stdout
    path = ""
    for line in listing.decode(errors="surrogateescape").splitlines():
        if line.startswith("worktree "):
            path = line[len("worktree ") :]
        elif line == f"branch {branch_of(feature.name)}":
            raise Refused(
                f"agent/{feature.name} is checked out in {path}: switch that worktree to another "
                "branch before forgetting the feature"
            )
