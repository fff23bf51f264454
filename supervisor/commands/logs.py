"""`git agent logs <feature> [-f] [--stream both|stdout|stderr|setup]`: the agent's output,
as kept (the head, then the tail when it outgrew the cap); `-f` follows it until the agent
ends (or Ctrl-C)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path

from supervisor.agents.logs import read
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render.output import Output
from supervisor.store.agents import LIVE_STATES

POLL = 0.2


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        if ws.state.get(args.feature) is None and ws.state.agents.get(args.feature) is None:
            ws.state.require(args.feature)  # the one error for an unknown feature
        folder = ws.layout.agent_dir(args.feature)
        files = _files(folder, args.stream)
        shown = {path: _show(out, path, b"") for path in files}
        if not args.follow:
            return 0
        while True:
            row = ws.state.agents.get(args.feature)
            for path in files:
                shown[path] = _show(out, path, shown[path])
            if row is None or row.state not in LIVE_STATES:
                return 0
            time.sleep(POLL)


def _files(folder: Path, stream: str) -> list[Path]:
    logs = folder / "logs"
    if stream == "setup":
        return [folder / "setup.log"]
    if stream == "both":
        return [logs / "stdout.log", logs / "stderr.log"]
    return [logs / f"{stream}.log"]


def _show(out: Output, path: Path, before: bytes) -> bytes:
    """Print what `path` holds beyond `before` (all of it when it was rewritten); what it holds."""
    now = read(path)
    fresh = now[len(before) :] if now.startswith(before) else now
    if fresh:
        out.raw(fresh)
    return now
