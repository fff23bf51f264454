"""`git agent diff <feature> [--from N] [--to N] [--stat | --name-status | --json]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.gitio.changes import changes_between, patch_text
from supervisor.lifecycle.workspace import open_feature
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_feature(env, cwd, args.feature) as found:
        repo = found.repo
        old = repo.commit_tree(found.chain.resolve(args.start))
        if args.end is None:
            new = found.scanner.scan()
        else:
            new = repo.commit_tree(found.chain.resolve(args.end))
        if not (args.json or args.stat or args.name_status):
            out.raw(patch_text(repo, old, new))
            return 0
        changes = changes_between(repo, old, new)
    if args.json:
        out.json([c.as_json() for c in changes])
    elif args.stat:
        text.diffstat(out, changes)
    else:
        text.name_status(out, changes)
    return 0
