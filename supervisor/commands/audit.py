"""`git agent audit <feature> [--json] [--since WHEN] [--type T,...] [--follow] [--verify]`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from datetime import datetime

from supervisor.config.durations import parse_duration
from supervisor.errors import Refused, UsageError
from supervisor.lifecycle.auditing import check, follow, selected
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.workspace import open_feature
from supervisor.render import text
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    since = _since(args.since) if args.since else None
    kinds = frozenset(k.strip() for k in (args.type or "").split(",") if k.strip())
    with open_feature(env, cwd, args.feature) as found:
        if args.verify:
            return _verify(found, out, args.json)
        entries = list(selected(found.audit.entries(), since, kinds))
    for entry in entries:
        _show(out, entry.as_json(), args.json)
    if args.follow:  # until interrupted; the log is read without the feature's lock
        last = entries[-1].seq if entries else 0
        for entry in selected(follow(found, last, lambda: True), None, kinds):
            _show(out, entry.as_json(), args.json)
            out.stdout.flush()
    return 0


def _verify(found: Feature, out: Output, as_json: bool) -> int:
    problem = check(found)
    count = sum(1 for _ in found.audit.entries())
    if as_json:
        out.json(
            {
                "ok": problem is None,
                "entries": count,
                **({"first_bad": problem.seq, "why": problem.why} if problem else {}),
            }
        )
    elif problem is None:
        out.line(
            f"audit log of {found.name}: {count} {'entry' if count == 1 else 'entries'}, intact"
        )
    if problem is not None:
        raise Refused(f"audit log of {found.name}: entry {problem.seq} is bad: {problem.why}")
    return 0


def _show(out: Output, entry: dict[str, object], as_json: bool) -> None:
    if as_json:
        import json

        out.line(json.dumps(entry, sort_keys=True))
    else:
        out.line(text.audit_line(entry))


def _since(value: str) -> float:
    try:
        return time.time() - parse_duration(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise UsageError(
            f"audit: --since {value!r} is neither an age (10m, 2h) nor a time"
        ) from None
