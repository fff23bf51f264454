"""`git agent pull <feature> [<remote>]`: a feature from a remote, rebuilt from its refs
(record, worktree, shadow at its last checkpoint), or brought forward when it is here."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.status import describe
from supervisor.lifecycle.travel import pull
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        done = pull(ws, args.feature, args.remote, out.progress("shadow"))
        info = describe(ws.feature(args.feature))
    if args.json:
        out.json({**done.as_json(), "status": info})
        return 0
    if done.forgotten:
        out.line(
            f"{args.feature} here was forgotten on {done.remote}: kept here as {done.forgotten}"
        )
    if done.made:
        out.line(f"rebuilt {done.feature} from {done.remote} ({done.state})")
    elif done.refs:
        out.line(f"brought {done.feature} forward from {done.remote}: {', '.join(done.refs)}")
    else:
        out.line(f"{done.feature} is up to date with {done.remote}")
    text.status(out, [info])
    return 0
