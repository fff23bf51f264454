"""`git agent list`: every feature, one line each (or a JSON list of status objects)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.lifecycle.status import describe
from supervisor.lifecycle.trust import context_of
from supervisor.lifecycle.workspace import open_workspace
from supervisor.live.status import Supervision
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    mine = context_of(Path(cwd), env).agent_of  # an agent sees only its own feature
    with open_workspace(env, cwd) as ws:
        rows = [row for row in ws.state.all() if mine is None or row.name == mine]
        supervision = Supervision(ws)
        found = [
            supervision.add_to(describe(ws.feature(row.name)), row, ws.state.agents) for row in rows
        ]
    if args.json:
        out.json(found)
    elif not found:
        out.line(text.NO_FEATURES)
    else:
        text.listing(out, found)
    return 0
