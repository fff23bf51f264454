"""What `status` and `list` report of a feature (the JSON shape of the design)."""

from __future__ import annotations

from typing import Any

from supervisor.errors import FatalError
from supervisor.lifecycle.feature import Feature


def describe(found: Feature) -> dict[str, Any]:
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
    promoted = None
    if row.promoted_commit:
        promoted = {"commit": row.promoted_commit, "checkpoint": row.promoted_checkpoint}
    return {
        "feature": row.name,
        "state": row.state,
        "base": row.base,
        "branch": f"agent/{row.name}",
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
    }
