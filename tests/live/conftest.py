"""Fixtures of the live supervisor's tests: a watched feature, its supervisor a real process
(`git agent watch --detach`) watching a real shadow with real inotify; always stopped after."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit import Started, run_cli, start, workspace

# fast timings, so a test waits for fractions of a second, not the defaults' minutes
FAST = """
[live]
quiet_ms = 50
checkpoint_quiet_s = 0.5
checkpoint_every_s = 2
reconcile_every_s = 600
"""


def wait_for(found: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> Any:
    """`found()` once it is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout}s: {found}")
        time.sleep(every)


def entries(repo: Path, name: str = "f") -> list[dict[str, Any]]:
    """The feature's audit log, read as a reader of the file would."""
    log = repo / ".git" / "agent" / "features" / name / "audit.jsonl"
    try:
        lines = log.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def judged(repo: Path, name: str = "f") -> set[str]:
    """Every path a batch or a reconciliation of the feature has judged."""
    found: set[str] = set()
    for entry in entries(repo, name):
        if entry["type"] in ("batch", "reconcile"):
            found.update(entry["data"]["paths"])
    return found


def of_type(repo: Path, kind: str, name: str = "f") -> list[dict[str, Any]]:
    return [e for e in entries(repo, name) if e["type"] == kind]


def supervisor_pid(repo: Path) -> int | None:
    with workspace(repo) as ws:
        recorded = ws.state.supervisor()
    return recorded[0] if recorded else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child of ours is gone for every purpose here
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0


def stop_supervisor(repo: Path, pid: int | None = None) -> None:
    """End the repository's supervisor: SIGTERM, then SIGKILL if it lingers; wait until gone."""
    pid = pid or supervisor_pid(repo)
    if pid is None or not alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not alive(pid))


def kill_supervisor(repo: Path) -> int:
    pid = supervisor_pid(repo)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid))
    return pid


def watch(repo: Path, *names: str, env: dict[str, str] | None = None) -> int:
    """`git agent watch --detach NAMES`; the supervisor's pid."""
    result = run_cli(repo, "watch", "--detach", *names, env=env)
    assert result.code == 0, result
    pid = supervisor_pid(repo)
    assert pid is not None
    return pid


@pytest.fixture
def supervised(repo: Path) -> Iterator[list[Path]]:
    """Stops whatever supervisor a test leaves running on `repo` (listed repositories too)."""
    repos = [repo]
    yield repos
    for each in repos:
        stop_supervisor(each)


@pytest.fixture
def fast(repo: Path) -> Started:
    """Feature f, started under a policy with fast live timings (not yet watched)."""
    return start(repo, policy=FAST)


@pytest.fixture
def watched(fast: Started, supervised: list[Path]) -> Started:
    """Feature f with fast timings, watched by a supervisor in the background."""
    watch(fast.repo, "f")
    return fast
