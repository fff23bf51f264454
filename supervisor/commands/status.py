"""`git agent status [<feature>]`: state, paths, checkpoints, last verdict."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.agents.waiting import waiting_for, waiting_line
from supervisor.lifecycle.rebuild import missing
from supervisor.lifecycle.status import conflicts_of, describe
from supervisor.lifecycle.trust import context_of
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.live.status import Supervision
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    if args.feature is not None:  # "" too: an invalid name, not "every feature"
        if _waiting(args, out, env, cwd):
            return 0
        with open_feature(env, cwd, args.feature) as found:
            own = conflicts_of(found.ws, [found.name]).get(found.name)
            info = Supervision(found.ws).add_to(
                describe(found, own), found.row, found.ws.state.agents
            )
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
        predicted = conflicts_of(ws, [f.name for f in features])
        infos = [
            supervision.add_to(describe(f, predicted.get(f.name)), f.row, ws.state.agents)
            for f in features
        ]
        gone = {feature.name: missing(feature) for feature in features}
        waiting = [(r.feature, waiting_for(ws, r.feature), r.state) for r in ws.state.agents.all()]
    if args.json:
        out.json(infos)
        return 0
    if not infos and not any(after for _, after, _ in waiting):
        out.line(text.NO_FEATURES)
    else:
        text.status(out, infos, gone)
    for name, after, state in waiting:
        if after is not None and mine in (None, name):
            out.line(waiting_line(name, after, state))
    return 0


def _waiting(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> bool:
    """A start that waits for other features' promotion: said, as `start` said it."""
    with open_workspace(env, cwd) as ws:
        after = waiting_for(ws, args.feature)
        row = ws.state.agents.get(args.feature)
    if after is None or row is None:
        return False
    if args.json:
        out.json({"feature": args.feature, "state": "waiting", "after": after, "agent": row.state})
    else:
        out.line(waiting_line(args.feature, after, row.state))
    return True
