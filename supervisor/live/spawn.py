"""Starting a supervisor in the background (`watch --detach`, `resume`): a process of its own,
in a session of its own, its output in the state directory's log; and waiting until it says
it watches what it was given (or has died, saying why in that log)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from supervisor.errors import OperationalError
from supervisor.live.client import ask
from supervisor.live.server import STOPPING

LOG = "supervisor.log"
START_TIMEOUT = 120.0  # a first scan of a very large shadow takes a while


def launch(live_dir: Path, names: list[str], env: Mapping[str, str], cwd: str) -> int:
    """Start `git agent watch NAMES` detached; its pid."""
    live_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(live_dir, 0o700)
    argv = [sys.executable, "-P", "-m", "supervisor", "watch", *names]
    with open(live_dir / LOG, "ab") as log:
        os.chmod(live_dir / LOG, 0o600)
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    _forget(process)
    return process.pid


def wait_until_watched(live_dir: Path, names: list[str], pid: int) -> dict[str, Any]:
    """The supervisor's `ping` once it watches every one of `names`; an error naming its log
    when it died first or did not get there in time."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        answer = ask(live_dir, {"op": "ping"})
        if answer is not None and all(n in answer.get("features", {}) for n in names):
            return answer
        if not _running(pid):
            raise OperationalError(f"the supervisor stopped at once: {tail(live_dir / LOG)}")
        time.sleep(0.05)
    raise OperationalError(f"the supervisor did not start watching in time; see {live_dir / LOG}")


def tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return f"see {log}"
    return lines[-1] if lines else f"see {log}"


def _running(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        done = pid  # not our child (anymore): look it up instead
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False
    return done == 0


def _forget(process: subprocess.Popen[bytes]) -> None:
    """The child outlives us: keep Popen from warning that it is still running."""
    process.returncode = 0


def ensure_watched(
    live_dir: Path, names: list[str], env: Mapping[str, str], cwd: str
) -> dict[str, Any]:
    """Have `names` watched: by the running supervisor, or one started in the background.
    Its answer (`pid`, and per feature what became of it)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        answer = ask(live_dir, {"op": "watch", "features": names})
        if answer is None:
            pid = launch(live_dir, names, env, cwd)
            return {**wait_until_watched(live_dir, names, pid), "launched": True}
        if answer.get("error") != STOPPING["error"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # one that is ending: wait for it to be gone, then start another
    if answer.get("failed"):
        name, why = next(iter(answer["failed"].items()))
        raise OperationalError(f"cannot watch {name}: {why}")
    if not answer.get("ok") or "pid" not in answer:
        raise OperationalError(f"the supervisor could not watch: {answer.get('error')}")
    return answer
