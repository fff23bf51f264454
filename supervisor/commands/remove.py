"""`git agent remove <feature> [--force] [--forget]`: worktree and shadow go; branch and
checkpoints stay (under `<feature>@<n>` with `--forget`, which frees the name)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.commands.forget import said
from supervisor.lifecycle.forget import forget
from supervisor.lifecycle.remove import remove
from supervisor.lifecycle.workspace import open_feature, open_workspace
from supervisor.live.client import ask
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        ws.feature(args.feature)
        live = ws.layout.live_dir()
    ask(live, {"op": "unwatch", "features": [args.feature], "why": "git agent remove"})
    kept = None
    with open_feature(env, cwd, args.feature) as found:
        saved = remove(found, args.force)
        if args.forget and found.ws.state.get(found.name) is not None:
            kept = forget(found)  # a start that never finished left nothing to keep
    if args.json:
        done = {"feature": args.feature, "removed": True, "checkpointed": saved}
        out.json({**done, "kept_as": kept} if args.forget else done)
        return 0
    first = " (unsaved work checkpointed first)" if saved else ""
    if kept is None:
        out.line(
            f"removed {found.name}{first}; branch agent/{found.name} and its checkpoints remain"
        )
    else:
        out.line(f"removed {found.name}{first}")
        said(out, args.feature, kept, False)
    return 0
