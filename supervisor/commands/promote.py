"""`git agent promote <feature>`: refuses with exit 1 while any error-level violation stands."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.commands import feature
from supervisor.commands.validate import print_report
from supervisor.output import Output
from supervisor.promote import PromotionRefused, promote


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with feature(env, cwd, args.feature) as found:
        try:
            result = promote(found, args.message)
        except PromotionRefused as exc:
            if args.json:
                out.json({"promoted": False, **exc.report.as_json()})
            else:
                print_report(out, exc.report)
            raise
    if args.json:
        out.json({**result.as_json(), **result.report.as_json()})
    elif result.commit is None:
        out.line(
            f"nothing new to promote: agent/{found.name} already holds checkpoint {result.checkpoint}"
        )
    else:
        out.line(
            f"promoted checkpoint {result.checkpoint} to agent/{found.name} as {result.commit}"
        )
    return 0
