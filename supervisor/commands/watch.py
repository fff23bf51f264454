"""`git agent watch [<feature>...] [--detach]`: one supervisor process per repository watches
the features' shadows. In the foreground it prints what it records and stops on Ctrl-C (or
SIGTERM) after judging and checkpointing what is pending; `--detach` leaves it running in the
background. With a supervisor already running, the features are handed to it."""

from __future__ import annotations

import argparse
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from supervisor.agents.pool import AgentPool
from supervisor.commands.delegate import runner
from supervisor.errors import EXIT_INTERRUPTED, OperationalError, UsageError
from supervisor.lifecycle.workspace import Workspace, open_workspace
from supervisor.live.client import ask
from supervisor.live.spawn import ensure_watched
from supervisor.live.supervisor import AlreadySupervised, Listener, Runner, Supervisor
from supervisor.render import text
from supervisor.render.output import Output
from supervisor.store.audit import Entry


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with open_workspace(env, cwd) as ws:
        names = watchable(ws, args.features)
        if args.detach or ask(ws.layout.live_dir(), {"op": "ping"}) is not None:
            return in_background(ws, names, out, env, cwd)
        return in_foreground(ws, names, out)


def in_foreground(ws: Workspace, names: list[str], out: Output) -> int:
    supervisor = Supervisor(ws, runners(), listener(out))
    supervisor.participants.append(AgentPool(supervisor))
    try:
        supervisor.__enter__()
    except AlreadySupervised as exc:
        raise OperationalError(f"{exc}, and it does not answer") from None
    caught: list[int] = []
    try:
        for name in names:
            supervisor.add(name)
        out.line(
            f"watching {', '.join(names) or 'nothing yet'} (process {supervisor.pid}); Ctrl-C stops"
        )
        out.stdout.flush()
        with stopped_by_signals(supervisor, caught):
            supervisor.run()
    finally:
        supervisor.__exit__(None, None, None)
    return EXIT_INTERRUPTED if signal.SIGINT in caught else 0


def in_background(
    ws: Workspace, names: list[str], out: Output, env: Mapping[str, str], cwd: str
) -> int:
    """Hand `names` to the running supervisor, or start one in the background."""
    answer = ensure_watched(ws.layout.live_dir(), names, env, cwd)
    if answer.get("launched"):
        shown = ", ".join(names) or "nothing yet"
        out.line(f"watching {shown} (process {answer['pid']}, in the background)")
        return 0
    for name in answer.get("already", []):
        out.line(f"{name} is already watched by process {answer['pid']}")
    for name in answer.get("added", []):
        out.line(f"process {answer['pid']} now watches {name}")
    return 0


def watchable(ws: Workspace, wanted: list[str]) -> list[str]:
    """The features to watch: those named (each must be active), else every active one."""
    if wanted:
        for name in wanted:
            ws.feature(name).require_active()
        return list(dict.fromkeys(wanted))
    names = [row.name for row in ws.state.all() if row.state == "active"]
    waiting = any(row.state == "queued" for row in ws.state.agents.all())
    if not names and not waiting:
        raise UsageError("no active feature to watch: `git agent start <feature>` first")
    return names


def runners() -> dict[str, Runner]:
    from supervisor.commands import checkpoint, diff, validate

    return {
        "checkpoint": runner(checkpoint.act),
        "validate": runner(validate.act),
        "diff": runner(diff.act),
    }


def listener(out: Output) -> Listener:
    def show(name: str, entry: Entry) -> None:
        out.line(f"{name}: {text.audit_line(entry.as_json())}")
        out.stdout.flush()

    return show


@contextmanager
def stopped_by_signals(supervisor: Supervisor, caught: list[int]) -> Iterator[None]:
    """SIGINT and SIGTERM end the loop cleanly (what is pending judged and checkpointed)."""

    def handle(number: int, _: object) -> None:
        caught.append(number)
        supervisor.stop()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
