"""`git agent status [<feature>]`: state, paths, checkpoints, last verdict."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.lifecycle.rebuild import missing
from supervisor.lifecycle.status import describe
from supervisor.lifecycle.trust import context_of
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.live.status import Supervision
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    if args.feature is not None:  # "" too: an invalid name, not "every feature"
        with open_feature(env, cwd, args.feature) as found:
            info = Supervision(found.ws).add_to(describe(found), found.row, found.ws.state.agents)
            gone = {found.name: missing(found)}
        if args.json:
            out.json(info)
        else:
            text.status(out, [info], gone)
        return 0
    mine = context_of(Path(cwd), env).agent_of  # an agent sees only its own feature
    with open_workspace(env, cwd) as ws:
        features = [ws.feature(r.name) for r in ws.state.all() if mine in (None, r.name)]
        supervision = Supervision(ws)
        infos = [supervision.add_to(describe(f), f.row, ws.state.agents) for f in features]
        gone = {feature.name: missing(feature) for feature in features}
    if args.json:
        out.json(infos)
    elif not infos:
        out.line(text.NO_FEATURES)
    else:
        text.status(out, infos, gone)
    return 0
