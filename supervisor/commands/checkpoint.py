"""`git agent checkpoint <feature> [-m MSG]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.commands import feature
from supervisor.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with feature(env, cwd, args.feature) as found:
        number, commit, created = found.checkpoint(args.message)
    if args.json:
        out.json({"number": number, "commit": commit, "created": created})
    elif created:
        out.line(f"checkpoint {number} {commit}")
    else:
        out.line(f"no changes since checkpoint {number} {commit}")
    return 0
