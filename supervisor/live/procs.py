"""Processes, through psutil: is a recorded supervisor still the same process; which
processes work in a shadow; pausing and resuming them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

UNKNOWN = "?"  # a process that could not be looked at


def create_time(pid: int) -> float:
    """When `pid` started (0.0 when it is gone already)."""
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def alive(pid: int, created: float) -> bool:
    """Whether `pid` is still the process that was recorded (not gone, not reused)."""
    try:
        process = psutil.Process(pid)
        return (
            abs(process.create_time() - created) < 0.05 and process.status() != psutil.STATUS_ZOMBIE
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def working_in(folder: Path) -> list[int]:
    """The processes whose working directory is in `folder` (ours excepted)."""
    mine = os.getpid()
    top = str(folder.resolve())
    found = []
    for process in psutil.process_iter(["pid", "cwd"]):
        cwd = process.info.get("cwd")
        if process.info["pid"] != mine and cwd and (cwd == top or cwd.startswith(top + os.sep)):
            found.append(int(process.info["pid"]))
    return found


def send(pids: list[int], sig: signal.Signals) -> list[int]:
    """Signal each of `pids`; the ones that got it."""
    done = []
    for pid in pids:
        try:
            os.kill(pid, sig)
            done.append(pid)
        except OSError:
            continue
    return done


def feature_of(pid: int, shadows: dict[str, Path], variable: str) -> str | None:
    """The feature whose agent the process `pid` is, as far as where it works and its
    environment say; None: a person's process, as far as we can tell; UNKNOWN: it is gone
    already, so nothing it asked for that an agent may not do is done."""
    try:
        process = psutil.Process(pid)
        cwd = process.cwd()
        named = process.environ().get(variable)
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return UNKNOWN
    if named:
        return named
    for name, shadow in shadows.items():
        top = str(shadow.resolve())
        if cwd == top or cwd.startswith(top + os.sep):
            return name
    return None
