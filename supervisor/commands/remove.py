"""`git agent remove <feature> [--force]`: worktree and shadow go; branch and checkpoints stay."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.remove import remove
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.live.client import ask
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        ws.feature(args.feature)
        live = ws.layout.live_dir()
    ask(live, {"op": "unwatch", "features": [args.feature], "why": "git agent remove"})
    with open_feature(env, cwd, args.feature) as found:
        saved = remove(found, args.force)
    if args.json:
        out.json({"feature": found.name, "removed": True, "checkpointed": saved})
    else:
        kept = " (unsaved work checkpointed first)" if saved else ""
        out.line(
            f"removed {found.name}{kept}; branch agent/{found.name} and its checkpoints remain"
        )
    return 0
