"""`git agent resume <feature>`: pick up whatever was paused, stopped or interrupted. What
changed while nobody watched is judged and checkpointed, a journaled promotion is finished,
the paused processes continue, the feature is watched again (by the running supervisor, or
one started in the background), and a stopped, failed, timed-out or lost agent starts again
(its `resume` command, or the built-in agent's saved conversation), what is left of a lost
one's process group ended first."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.agents.stale import end_stale_group
from supervisor.lifecycle.workspace import Workspace, open_workspace
from supervisor.live.client import ask
from supervisor.live.spawn import ensure_watched
from supervisor.render.output import Output

RESTARTABLE = ("stopped", "failed", "timed-out", "lost", "running", "paused")


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    name = args.feature
    with open_workspace(env, cwd) as ws:
        ws.feature(name).require_active()
        live = ws.layout.live_dir()
        alive = ask(live, {"op": "ping"})
        restart = _restart_agent(ws, name, alive is not None and name in alive.get("features", {}))
    answer = ensure_watched(live, [name], env, cwd)
    resumed = ask(live, {"op": "resume", "features": [name]})
    if restart:
        ask(live, {"op": "agent-queue", "feature": name})
    continued = (resumed or {}).get("continued", {}).get(name, [])
    with open_workspace(env, cwd) as ws:
        last = ws.feature(name).chain.tip()[0]
    out.line(f"{name} is watched by process {answer['pid']}; last checkpoint {last}")
    if continued:
        out.line(f"continued {len(continued)} paused process{'es' * (len(continued) != 1)}")
    if restart:
        out.line("its agent is queued to run again")
    return 0


def _restart_agent(ws: Workspace, name: str, watched: bool) -> bool:
    """Queue the feature's agent again when it ended short of done (or was lost with its
    supervisor); True when it was."""
    row = ws.state.agents.get(name)
    if row is None or row.state not in RESTARTABLE:
        return False
    if row.state in ("running", "paused") and watched:
        return False  # alive under a live supervisor: the pause is lifted, nothing to restart
    if row.state in ("lost", "running", "paused"):
        end_stale_group(row)
    ws.state.agents.update(name, state="queued", note="resumed")
    return True
