"""`git agent start <feature> [--base REF] [--plan FILE]`: branch, worktree, shadow and checkpoint
0, and the workspace set up for an agent (`[setup]`, `.worktreeinclude`)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from supervisor.agents.setup import SetupFailed, prepare
from supervisor.gitio.uncommitted import Uncommitted
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.start import start
from supervisor.lifecycle.status import describe
from supervisor.lifecycle.workspace import Workspace, open_workspace
from supervisor.render import text
from supervisor.render.output import Output
from supervisor.render.text import plural


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    plan = Path(cwd, args.plan) if args.plan else None
    with open_workspace(env, cwd) as ws:
        repo = ws.repo
        pending = Uncommitted(repo.git_dir, repo.workdir)  # git walks while the shadow is made
        feature = _start(ws, args.feature, args.base, plan, out)
        info = describe(feature)
        count = pending.count()
        if count and feature.row.base == repo.head_commit():
            out.note(
                f"git-agent: {plural(count, 'uncommitted change')} in {repo.workdir} "
                f"{'is' if count == 1 else 'are'} not in the shadow, which starts from HEAD "
                f"({feature.row.base[:12]}): commit them first for the agent to have them"
            )
    if args.json:
        out.json(info)
    else:
        text.status(out, [info])
    return 0


def _start(ws: Workspace, name: str, base: str, plan: Path | None, out: Output) -> Feature:
    """The feature started, its workspace set up (`[setup]`, `.worktreeinclude`) before it
    counts as started; a failed setup command's output is kept for the person to read."""
    try:
        return start(ws, name, base, plan, out.progress("shadow"), partial(prepare, say=out.note))
    except SetupFailed as failed:
        failed.keep_log()
        raise
