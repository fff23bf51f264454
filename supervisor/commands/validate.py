"""`git agent validate <feature>`: the shadow against the base under every rule. While the
feature is watched, its supervisor answers (it knows what changed)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from supervisor.commands.delegate import delegate
from supervisor.render.output import Output

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    code = delegate(args, out, env, cwd)
    if code is not None:
        return code
    from supervisor.lifecycle.workspace import open_feature

    with open_feature(env, cwd, args.feature) as found:
        return act(found, args, out)


def act(found: Feature, args: argparse.Namespace, out: Output) -> int:
    from supervisor.lifecycle.verdict import validate
    from supervisor.render import text
    from supervisor.rules.engine import PluginsFailed

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
