"""`git agent status [<feature>]`: state, paths, checkpoints, last verdict."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from supervisor.commands import feature, workspace
from supervisor.commands.validate import plural
from supervisor.output import Output
from supervisor.workspace import Feature


def describe(found: Feature) -> dict[str, Any]:
    row, repo = found.row, found.repo
    try:
        last, _ = found.tip()
    except Exception:
        last = None
    verdict = None
    if row.verdict_ok is not None:
        verdict = {
            "ok": bool(row.verdict_ok),
            "errors": row.verdict_errors,
            "warnings": row.verdict_warnings,
        }
    return {
        "feature": row.name,
        "state": row.state,
        "base": row.base,
        "branch": f"agent/{row.name}",
        "head": repo.ref(found.branch),
        "worktree": row.worktree,
        "shadow": row.shadow,
        "checkpoints": None if last is None else last + 1,
        "last_checkpoint": last,
        "promoted": {"commit": row.promoted_commit, "checkpoint": row.promoted_checkpoint}
        if row.promoted_commit
        else None,
        "plan_hash": row.plan_hash,
        "verdict": verdict,
        "agent": None,
    }


def show(out: Output, found: list[dict[str, Any]], as_json: bool, single: bool = False) -> None:
    if as_json:
        out.json(found[0] if single else found)
        return
    for number, info in enumerate(found):
        if number:
            out.line()
        _text(out, info)


def _text(out: Output, info: dict[str, Any]) -> None:
    verdict = info["verdict"]
    said = "not validated"
    if verdict:
        counts = f"{plural(verdict['errors'], 'error')}, {plural(verdict['warnings'], 'warning')}"
        said = f"{'ok' if verdict['ok'] else 'failing'} ({counts})"
    head = (info["head"] or "missing")[:12]
    promoted = info["promoted"]
    out.line(f"feature      {info['feature']} ({info['state']})")
    out.line(f"base         {info['base'][:12]}")
    out.line(f"branch       {info['branch']} at {head}")
    out.line(f"worktree     {info['worktree']}")
    out.line(f"shadow       {info['shadow']}")
    out.line(f"checkpoints  {info['checkpoints']} (last {info['last_checkpoint']})")
    out.line(
        f"promoted     {'checkpoint {}'.format(promoted['checkpoint']) if promoted else 'never'}"
    )
    out.line(f"verdict      {said}")


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    if args.feature:
        with feature(env, cwd, args.feature) as found:
            show(out, [describe(found)], args.json, single=True)
        return 0
    with workspace(env, cwd) as ws:
        features = [ws.feature(row.name) for row in ws.state.all()]
        if not features and not args.json:
            out.line("no features yet: `git agent start <feature>` begins one")
            return 0
        show(out, [describe(f) for f in features], args.json)
    return 0
