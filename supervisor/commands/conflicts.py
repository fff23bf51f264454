"""`git agent conflicts [<feature>...] [--json]`: predicted merge conflicts; exit 1 when one is."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.lifecycle.conflicts import predict
from supervisor.lifecycle.trust import context_of
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render import conflicts
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    mine = context_of(Path(cwd), env).agent_of  # an agent sees only its own feature's pairs
    names = list(args.features) or ([mine] if mine else [])
    with open_workspace(env, cwd) as ws:
        found = predict(ws, names)
    if args.json:
        out.json(found.as_json())
    else:
        conflicts.prediction(out, found)
    return 1 if found.conflicted else 0
