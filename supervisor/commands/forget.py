"""`git agent forget <feature>`: a removed feature's name is free again; its chain stays under
`<feature>@<n>`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.forget import forget
from supervisor.lifecycle.workspace import open_feature
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        kept = forget(found)
    said(out, args.feature, kept, args.json)
    return 0


def said(out: Output, name: str, kept: str, as_json: bool) -> None:
    if as_json:
        out.json({"feature": name, "forgotten": True, "kept_as": kept})
    else:
        out.line(
            f"forgot {name}: its checkpoints, branch and record are kept as {kept} "
            f"(`git agent checkpoints {kept}`); the name {name} is free"
        )
