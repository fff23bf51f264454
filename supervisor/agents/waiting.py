"""Features that start after others: a plan's `after = ["a", ...]` starts the feature (and its
agent) only once every one of those features is promoted, based on the promoted branch of the
last of them (which must contain the others' promotions), and judged by the policy a person
committed under it (the trust boundary's rule). A cycle of `after`s is refused, named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from supervisor.agents.claude import install_if_claude
from supervisor.agents.setup import prepare
from supervisor.agents.spec import AgentSpec
from supervisor.config.load import load_plan
from supervisor.errors import UsageError
from supervisor.lifecycle.start import start
from supervisor.lifecycle.workspace import Workspace
from supervisor.store.agents import AgentRow
from supervisor.store.names import branch_of


def afters_of(ws: Workspace, name: str) -> list[str]:
    """What `name` waits for: from a waiting start's record, else from its plan."""
    row = ws.state.agents.get(name)
    if row is not None and row.pending is not None:
        return list(json.loads(row.pending).get("after", []))
    if ws.state.get(name) is None:
        return []
    plan = ws.feature(name).plan()
    return list(plan.after) if plan is not None else []


def check_cycle(ws: Workspace, name: str, after: list[str]) -> None:
    """Refuse `after` when following it leads back to `name`, saying the cycle."""
    for first in after:
        path = _path_back(ws, first, name, [name, first])
        if path is not None:
            raise UsageError(f"the plans' `after` make a cycle: {' -> '.join(path)}")


def _path_back(ws: Workspace, current: str, target: str, path: list[str]) -> list[str] | None:
    for then in afters_of(ws, current):
        if then == target:
            return [*path, then]
        if then not in path:
            found = _path_back(ws, then, target, [*path, then])
            if found is not None:
                return found
    return None


def promoted(ws: Workspace, after: list[str]) -> bool:
    for name in after:
        row = ws.state.get(name)
        if row is None or row.promoted_commit is None:
            return False
    return True


def base_of(ws: Workspace, after: list[str]) -> str:
    """The promoted branch to start from: the one holding every promotion waited for."""
    repo = ws.repo
    tips = {name: repo.ref(branch_of(name)) for name in after}
    for name in after:
        tip = tips[name]
        if tip is not None and all(
            other is not None and repo.is_ancestor(other, tip) for other in tips.values()
        ):
            return branch_of(name)
    raise UsageError(
        f"the features waited for ({', '.join(after)}) were promoted on branches that do not "
        "contain each other: merge them first, then start from the merge with --base"
    )


def check_after(ws: Workspace, name: str, after: list[str]) -> None:
    for other in after:
        if other == name:
            raise UsageError(f"feature {name} cannot wait for itself")
        if ws.state.get(other) is None and ws.state.agents.get(other) is None:
            raise UsageError(f"feature {name} waits for {other}, which does not exist")
    check_cycle(ws, name, after)


def pending_record(after: list[str], plan: Path | None, plan_text: str | None) -> str:
    return json.dumps({"after": after, "plan": str(plan) if plan else None, "text": plan_text})


def waiting_ready(ws: Workspace, row: AgentRow) -> bool:
    pending = _pending(row)
    return promoted(ws, pending["after"])


def start_waiting(ws: Workspace, row: AgentRow) -> None:
    """Start the feature a waiting row stands for, from the promoted branch."""
    pending = _pending(row)
    plan = Path(pending["plan"]) if pending.get("plan") else None
    if plan is not None and pending.get("text") is not None:
        load_plan(str(pending["text"]).encode(), str(plan))  # still valid
    feature = start(ws, row.feature, base_of(ws, pending["after"]), plan, prepare=prepare)
    spec = AgentSpec.from_json(json.loads(row.spec))
    install_if_claude(feature, spec.name, spec.command)
    ws.state.agents.update(row.feature, pending=None)


def _pending(row: AgentRow) -> dict[str, Any]:
    assert row.pending is not None
    found = json.loads(row.pending)
    assert isinstance(found, dict)
    return found


def waiting_for(ws: Workspace, name: str) -> list[str] | None:
    """The features a start that has not happened yet waits for; None when `name` is no such
    start (it exists, or nothing of it does)."""
    row = ws.state.agents.get(name)
    if row is None or row.pending is None or ws.state.get(name) is not None:
        return None
    return [str(f) for f in _pending(row)["after"]]


def waiting_line(name: str, after: list[str], state: str) -> str:
    then = "then it starts and its agent runs" if state == "queued" else f"its agent is {state}"
    return f"{name} waits for {', '.join(after)} to be promoted; {then}"
