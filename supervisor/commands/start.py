"""`git agent start <feature> [--base REF] [--plan FILE]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.commands import workspace
from supervisor.commands.status import describe, show
from supervisor.lifecycle import start
from supervisor.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    plan = Path(cwd, args.plan) if args.plan else None
    with workspace(env, cwd) as ws:
        feature = start(ws, args.feature, args.base, plan, out.progress("shadow"))
        show(out, [describe(feature)], args.json, single=True)
    return 0
