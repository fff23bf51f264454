"""What `status` and `list` say of a feature's supervision: the recorded word, unless the
supervisor that recorded it is gone (or no longer watches the feature): then `interrupted`.
When a supervisor answers, what it knows is added (paths changed since the last checkpoint,
events not judged yet)."""

from __future__ import annotations

import json
from typing import Any

from supervisor.lifecycle.workspace import Workspace
from supervisor.live import procs
from supervisor.live.client import ask
from supervisor.store.agents import AgentRow, Agents
from supervisor.store.state import FeatureRow

LIVE = ("watching", "paused")


class Supervision:
    """The repository's supervisor as seen from a command, asked once."""

    def __init__(self, ws: Workspace) -> None:
        recorded = ws.state.supervisor()
        self.pid = recorded[0] if recorded and procs.alive(recorded[0], recorded[1]) else None
        answer = ask(ws.layout.live_dir(), {"op": "info"}) if self.pid is not None else None
        self.features: dict[str, dict[str, Any]] | None = (
            answer.get("features") if answer and answer.get("ok") else None
        )

    def state_of(self, row: FeatureRow) -> str | None:
        if row.supervision not in LIVE or row.state != "active":
            return row.supervision
        if self.pid is None:
            return "interrupted"
        if self.features is not None and row.name not in self.features:
            return "interrupted"
        return row.supervision

    def live_of(self, row: FeatureRow) -> dict[str, Any] | None:
        """The supervisor's own word on the feature, when it watches it and answered."""
        if self.features is None or row.name not in self.features:
            return None
        return {"pid": self.pid, **self.features[row.name]}

    def add_to(self, info: dict[str, Any], row: FeatureRow, agents: Agents) -> dict[str, Any]:
        info["supervision"] = self.state_of(row)
        info["live"] = self.live_of(row)
        info["agent"] = self.agent_of(agents.get(row.name))
        return info

    def agent_of(self, row: AgentRow | None) -> dict[str, Any] | None:
        """The agent's state, process and cost; `lost` when its supervisor is gone."""
        if row is None:
            return None
        state = row.state
        if state in ("running", "paused") and self.pid is None:
            state = "lost"
        spec = json.loads(row.spec)
        return {
            "state": state,
            "name": spec.get("name"),
            "pid": row.pid,
            "started": row.started,
            "ended": row.ended,
            "exit_code": row.exit_code,
            "wall": row.wall,
            "cpu": row.cpu,
            "peak_rss": row.peak_rss,
            "sandbox": row.sandbox,
            "attempts": row.attempts,
            "usage": json.loads(row.usage) if row.usage else None,
            "stalled": row.stalled,
            "note": row.note,
        }
