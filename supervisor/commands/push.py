"""`git agent push <feature> [<remote>]`: the feature's branch, checkpoints, record and
attestations to a remote."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.travel import push
from supervisor.lifecycle.workspace import open_feature
from supervisor.render.output import Output
from supervisor.render.text import plural


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        done = push(found, args.remote)
    if args.json:
        out.json(done.as_json())
    elif done.refs:
        for ref in done.refs:
            out.line(f"pushed {ref}")
        out.line(f"{plural(len(done.refs), 'ref')} of {done.feature} pushed to {done.remote}")
    else:
        out.line(f"{done.remote} already has every ref of {done.feature}")
    return 0
