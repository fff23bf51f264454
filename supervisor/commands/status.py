"""`git agent status [<feature>]`: state, paths, checkpoints, last verdict."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.lifecycle.status import conflicts_of, describe
from supervisor.lifecycle.trust import context_of
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    if args.feature:
        with open_feature(env, cwd, args.feature) as found:
            info = describe(found, conflicts_of(found.ws, [found.name]).get(found.name))
        if args.json:
            out.json(info)
        else:
            text.status(out, [info])
        return 0
    mine = context_of(Path(cwd), env).agent_of  # an agent sees only its own feature
    with open_workspace(env, cwd) as ws:
        rows = [row for row in ws.state.all() if mine is None or row.name == mine]
        predicted = conflicts_of(ws, [row.name for row in rows])
        infos = [describe(ws.feature(row.name), predicted.get(row.name)) for row in rows]
    if args.json:
        out.json(infos)
    elif not infos:
        out.line("no features yet: `git agent start <feature>` begins one")
    else:
        text.status(out, infos)
    return 0
