"""`git agent start <feature> [--base REF] [--plan FILE]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.lifecycle.start import start
from supervisor.lifecycle.status import describe
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    plan = Path(cwd, args.plan) if args.plan else None
    with open_workspace(env, cwd) as ws:
        feature = start(ws, args.feature, args.base, plan, out.progress("shadow"))
        info = describe(feature)
    if args.json:
        out.json(info)
    else:
        text.status(out, [info])
    return 0
