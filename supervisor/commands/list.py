"""`git agent list`: every feature, one line each (or a JSON list of status objects)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.status import describe
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        found = [describe(ws.feature(row.name)) for row in ws.state.all()]
    if args.json:
        out.json(found)
    else:
        text.listing(out, found)
    return 0
