"""`git agent revert <feature> [--to N] [--paths P...] [--violating] [--worktree]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.revert import revert
from supervisor.lifecycle.workspace import open_feature
from supervisor.render.output import Output, quote_path
from supervisor.render.text import plural


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        done = revert(found, args.to, args.paths, args.violating, args.worktree)
    if args.json:
        out.json(done.as_json())
        return 0
    for folder in done.rebuilt:
        where = f"from checkpoint {done.target}" if folder == "shadow" else f"at agent/{found.name}"
        out.line(f"the {folder} was missing: made it again {where}")
    out.line(f"saved the state before the revert as checkpoint {done.saved}")
    for path in done.paths:
        out.line(f"reverted {quote_path(path)}")
    out.line(
        f"{plural(len(done.paths), 'path')} back to checkpoint {done.target}; "
        f"now checkpoint {done.checkpoint}"
    )
    if done.set_aside:
        out.line(f"what stood in the way (ignored files included) was moved to {done.set_aside}")
    if done.worktree_saved:
        out.line(
            f"worktree changes kept in refs/agent/{found.name}/worktree ({done.worktree_saved[:12]})"
        )
    return 0
