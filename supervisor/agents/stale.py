"""What a dead supervisor's agent left behind: its process group, ended before the agent is
started again (`resume`) or given up (`stop`)."""

from __future__ import annotations

import os
import signal

import psutil

from supervisor.store.agents import AgentRow


def end_stale_group(row: AgentRow) -> int:
    """SIGKILL what is left of an agent's process group (its leader checked by start time, so a
    reused group id is left alone); how many processes."""
    if row.pgid is None or row.create_time is None:
        return 0
    members = []
    for process in psutil.process_iter(["pid"]):
        try:
            if _group(process.pid) == row.pgid:
                members.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    leader_ok = _leader_matches(row)
    if not leader_ok and members:
        return 0
    for process in members:
        try:
            process.send_signal(signal.SIGCONT)
            process.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return len(members)


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _leader_matches(row: AgentRow) -> bool:
    """Whether the group's leader is still the agent we started (or gone: then the group's
    members are its orphans, whose group id cannot have been reused while they live)."""
    assert row.pgid is not None and row.create_time is not None
    try:
        leader = psutil.Process(row.pgid)
    except psutil.NoSuchProcess:
        return True
    return abs(leader.create_time() - row.create_time) < 0.05
