"""`git agent list`: every feature, one line each (or a JSON list of status objects)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.commands import workspace
from supervisor.commands.status import describe
from supervisor.commands.validate import plural
from supervisor.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with workspace(env, cwd) as ws:
        found = [describe(ws.feature(row.name)) for row in ws.state.all()]
    if args.json:
        out.json(found)
        return 0
    for info in found:
        verdict = info["verdict"]
        said = (
            "-"
            if verdict is None
            else ("ok" if verdict["ok"] else plural(verdict["errors"], "error"))
        )
        out.line(
            f"{info['feature']:<24} {info['state']:<8} checkpoints {info['checkpoints']!s:<5} verdict {said}"
        )
    return 0
