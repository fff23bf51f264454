"""`git agent promote <feature>`: refuses with exit 1 while any error-level violation stands."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.promote import PromotionRefused, promote
from supervisor.lifecycle.workspace import open_feature
from supervisor.render import text
from supervisor.render.output import Output
from supervisor.rules.engine import PluginsFailed


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        try:
            result = promote(found, args.message)
        except PluginsFailed as exc:
            if not args.json:
                text.report(out, exc.report)
            raise
        except PromotionRefused as exc:
            if args.json:
                out.json({"promoted": False, **exc.report.as_json()})
            else:
                text.report(out, exc.report)
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
        if result.attestation:
            out.line(
                f"attested by {result.attestation[:12]} (`git agent verify agent/{found.name}`)"
            )
    return 0
