"""`git agent checkpoint <feature> [-m MSG]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.workspace import open_feature
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        done = found.chain.checkpoint(args.message)
    if args.json:
        out.json(done.as_json())
    elif done.created:
        out.line(f"checkpoint {done.number} {done.commit}")
    else:
        out.line(f"no changes since checkpoint {done.number} {done.commit}")
    return 0
