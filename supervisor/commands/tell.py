"""`git agent tell <feature> TEXT`: a person's message to the feature's agent, delivered the
way it hears the watcher (the built-in agent's next turn, Claude Code's PostToolUse hook,
the notices file a command agent reads)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.agents import notices
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    words = " ".join(args.text).strip()
    with open_workspace(env, cwd) as ws:
        if ws.state.agents.get(args.feature) is None:
            ws.state.require(args.feature)
        notices.post(ws.layout.agent_dir(args.feature), "person", words)
    out.line(f"told {args.feature}'s agent")
    return 0
