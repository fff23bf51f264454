"""`git agent checkpoint <feature> [-m MSG]`. While the feature is watched, its supervisor
takes the checkpoint (it knows what changed); otherwise the shadow is scanned here."""

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
    done = found.chain.checkpoint(args.message)
    if args.json:
        out.json(done.as_json())
    elif done.created:
        out.line(f"checkpoint {done.number} {done.commit}")
    else:
        out.line(f"no changes since checkpoint {done.number} {done.commit}")
    return 0
