"""`git agent checkpoints <feature>`: the chain, oldest first."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.workspace import open_feature
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        chain = found.chain.listing()
    if args.json:
        out.json([c.as_json() for c in chain])
        return 0
    for item in chain:
        info = item.as_json()
        title = item.message.splitlines()[0] if item.number else "base"
        out.line(f"{item.number:>4}  {item.commit[:12]}  {info['time']}  {title}")
    return 0
