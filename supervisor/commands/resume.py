"""`git agent resume <feature>`: pick up whatever was paused, stopped or interrupted. What
changed while nobody watched is judged and checkpointed, a journaled promotion is finished,
the paused processes continue, and the feature is watched again (by the running supervisor,
or one started in the background)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.lifecycle.workspace import open_workspace
from supervisor.live.client import ask
from supervisor.live.spawn import launch, wait_until_watched
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    name = args.feature
    with open_workspace(env, cwd) as ws:
        ws.feature(name).require_active()
        live = ws.layout.live_dir()
    answer = ask(live, {"op": "watch", "features": [name]})
    if answer is None:
        pid = launch(live, [name], env, cwd)
        answer = wait_until_watched(live, [name], pid)
    elif answer.get("failed"):
        raise_failed(answer["failed"][name])
    resumed = ask(live, {"op": "resume", "features": [name]})
    continued = (resumed or {}).get("continued", {}).get(name, [])
    with open_workspace(env, cwd) as ws:
        last = ws.feature(name).chain.tip()[0]
    out.line(f"{name} is watched by process {answer['pid']}; last checkpoint {last}")
    if continued:
        out.line(f"continued {len(continued)} paused process{'es' * (len(continued) != 1)}")
    return 0


def raise_failed(why: str) -> None:
    from supervisor.errors import OperationalError

    raise OperationalError(why)
