"""`git agent diff <feature> [--from N] [--to N] [--stat | --name-status | --json]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.changes import Change, changes_between, patch_text
from supervisor.commands import feature
from supervisor.output import Output, quote_path


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with feature(env, cwd, args.feature) as found:
        repo = found.repo
        old = repo.commit_tree(found.resolve(args.start))
        new = found.scan() if args.end is None else repo.commit_tree(found.resolve(args.end))
        if args.json or args.stat or args.name_status:
            changes = changes_between(repo, old, new)
            if args.json:
                out.json([c.as_json() for c in changes])
            elif args.stat:
                _stat(out, changes)
            else:
                for c in changes:
                    shown = (
                        f"{quote_path(c.old_path)}\t{quote_path(c.path)}"
                        if c.old_path
                        else quote_path(c.path)
                    )
                    out.line(f"{c.status}\t{shown}")
        else:
            out.raw(patch_text(repo, old, new))
    return 0


def _stat(out: Output, changes: list[Change]) -> None:
    names = [
        quote_path(c.path)
        if not c.old_path
        else f"{quote_path(c.old_path)} => {quote_path(c.path)}"
        for c in changes
    ]
    width = max((len(n) for n in names), default=0)
    for name, c in zip(names, changes, strict=True):
        counts = (
            "Bin"
            if c.binary
            else f"{c.added + c.deleted:>5} {'+' * min(c.added, 40)}{'-' * min(c.deleted, 40)}"
        )
        out.line(f" {name:<{width}} | {counts}")
    added, deleted = sum(c.added for c in changes), sum(c.deleted for c in changes)
    out.line(f" {len(changes)} files changed, {added} insertions(+), {deleted} deletions(-)")
