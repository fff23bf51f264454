"""`git agent stop <feature>`: end the feature's agent (SIGTERM to its process group, SIGKILL
after a grace) and its supervision, cleanly: what is pending judged and checkpointed first.
Processes a pause stopped stay stopped until `git agent resume`. With no supervisor running,
what is left of a lost agent's process group is ended here."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.agents.stale import end_stale_group
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.live.client import ask
from supervisor.live.containment import paused_file
from supervisor.live.status import LIVE
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        ws.feature(args.feature)  # an unknown feature is refused before anything is asked
        live = ws.layout.live_dir()
    answer = ask(live, {"op": "unwatch", "features": [args.feature], "why": "git agent stop"})
    if answer is not None and not answer.get("ok"):
        out.note(f"git-agent: the supervisor said: {answer.get('error')}")
    with open_feature(env, cwd, args.feature) as found:
        was = found.row.supervision
        if was in LIVE:  # no supervisor was there to stop it: it had died
            found.ws.state.update(found.name, supervision="stopped")
            found.emit("watch-stop", why="git agent stop (no supervisor was running)")
        agent = found.ws.state.agents.get(found.name)
        if agent is not None and agent.state in ("running", "paused", "lost", "queued"):
            ended = end_stale_group(agent)
            found.ws.state.agents.update(found.name, state="stopped", note="git agent stop")
            found.emit("agent-end", state="stopped", leftovers=ended)
            found.chain.checkpoint("agent stopped")
        paused = paused_file(found).is_file()
    stopped = (answer is not None and answer.get("ok")) or was in LIVE
    if not stopped and was != "stopped" and agent is None:
        out.line(f"{args.feature} is not watched")
    else:
        out.line(f"stopped the supervision of {args.feature}")
    if paused:
        out.line(f"its paused processes stay stopped until `git agent resume {args.feature}`")
    return 0
