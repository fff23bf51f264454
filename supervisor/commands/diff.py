"""`git agent diff <feature> [--from N] [--to N] [--stat | --name-status | --json]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from supervisor.commands.delegate import delegate
from supervisor.render.output import Output

if TYPE_CHECKING:
    from supervisor.gitio.change import Change
    from supervisor.gitio.repo import Repo
    from supervisor.lifecycle.feature import Feature


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    code = delegate(args, out, env, cwd)
    if code is not None:
        return code
    from supervisor.lifecycle.workspace import open_feature

    with open_feature(env, cwd, args.feature) as found:
        return act(found, args, out, out.columns(env))


def act(found: Feature, args: argparse.Namespace, out: Output, columns: int | None = None) -> int:
    from supervisor.gitio.changes import changes_between, patch_text
    from supervisor.render import text
    from supervisor.render.diffstat import diffstat

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
    if args.stat:
        width = columns if columns is not None else out.columns({})
        for line in diffstat(changes, sizes_in(repo), width):
            out.line(line)
        return 0
    if args.json:
        out.json([c.as_json() for c in changes])
    else:
        text.name_status(out, changes)
    return 0


def sizes_in(repo: Repo) -> Callable[[Change], tuple[int, int]]:
    """The sizes of a binary change's two sides, as `--stat` prints them (`Bin 10 -> 12 bytes`)."""

    def sizes(change: Change) -> tuple[int, int]:
        old = repo.header(change.old_oid)[1] if change.old_oid else 0
        return old, repo.header(change.oid)[1] if change.oid else 0

    return sizes
