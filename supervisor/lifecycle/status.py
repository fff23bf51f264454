"""What `status` and `list` report of a feature (the JSON shape of the design)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from supervisor.errors import FatalError
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.workspace import Workspace
from supervisor.store.ports import block_of


def conflicts_of(ws: Workspace, names: Sequence[str]) -> dict[str, list[dict[str, object]]]:
    """The predicted conflicts of each active feature of `names` (see `lifecycle.conflicts`);
    a feature whose prediction cannot be made (a broken chain) is left out."""
    from supervisor.lifecycle.conflicts import predict

    active = [n for n in names if (row := ws.state.get(n)) is not None and row.state == "active"]
    if not active:
        return {}
    try:
        found = predict(ws, active)
    except FatalError:
        return {}
    return {name: found.summary_of(name) for name in active}


def describe(found: Feature, conflicts: list[dict[str, object]] | None = None) -> dict[str, Any]:
    """`conflicts`: the feature's predicted conflicts, when they were looked for."""
    row, repo = found.row, found.repo
    try:
        last: int | None = found.chain.tip()[0]
    except FatalError:
        last = None
    verdict = None
    if row.verdict_ok is not None:
        verdict = {
            "ok": bool(row.verdict_ok),
            "errors": row.verdict_errors,
            "warnings": row.verdict_warnings,
        }
    ports = block_of(found.ws.layout, row.name) if row.state != "removed" else None
    promoted = None
    if row.promoted_commit:
        promoted = {"commit": row.promoted_commit, "checkpoint": row.promoted_checkpoint}
    return {
        "feature": row.name,
        "state": row.state,
        "base": row.base,
        "branch": found.branch.removeprefix("refs/heads/"),
        "head": repo.ref(found.branch),
        "worktree": row.worktree,
        "shadow": row.shadow,
        "checkpoints": None if last is None else last + 1,
        "last_checkpoint": last,
        "promoted": promoted,
        "plan_hash": row.plan_hash,
        "verdict": verdict,
        "supervision": row.supervision,  # the recorded word: `live.status` knows better
        "live": None,
        "agent": None,
        "ports": ports.as_json() if ports is not None else None,
        "conflicts": conflicts,
    }
