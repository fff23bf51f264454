"""`git agent validate <feature>`: the shadow against the base under every rule."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.verdict import validate
from supervisor.lifecycle.workspace import open_feature
from supervisor.render import text
from supervisor.render.output import Output
from supervisor.rules.engine import PluginsFailed


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        report = validate(found)
    if report.failures:  # the other plugins' findings first, then what failed
        if not args.json:
            text.report(out, report)
        raise PluginsFailed(report)
    if args.json:
        out.json(report.as_json())
    else:
        text.report(out, report)
    return 0 if report.ok else 1
