"""`git agent gc [--older-than AGE] [--dry-run]`: clean what reverts set aside."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.config.durations import parse_duration
from supervisor.errors import UsageError
from supervisor.lifecycle.housekeeping import collect
from supervisor.lifecycle.workspace import open_workspace
from supervisor.render.output import Output
from supervisor.render.text import plural


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    try:
        age = parse_duration(args.older_than)
    except ValueError as exc:
        raise UsageError(f"gc: --older-than {exc}") from None
    with open_workspace(env, cwd) as ws:
        removed = collect(ws, age, args.dry_run)
    if args.json:
        out.json([r.as_json() for r in removed])
        return 0
    verb = "would remove" if args.dry_run else "removed"
    for item in removed:
        out.line(f"{verb} {item.path} ({plural(item.files, 'file')}, {item.size} bytes)")
    if not removed:
        out.line(f"nothing set aside is older than {args.older_than}")
    return 0
