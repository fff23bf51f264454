"""One agent process: started in its shadow, in a session (so a process group) of its own,
its output pumped into capped logs; measured while it runs (CPU, peak memory of the whole
tree); ended with SIGTERM to everything that belongs to it, then SIGKILL after a grace.

What belongs to it is its process group and every descendant the supervisor has seen, since a
child may leave the group (setsid) but not the tree: the supervisor is a child subreaper, so
an orphan of the agent becomes the supervisor's child, not init's, and stays known."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil

from supervisor.agents.logs import CappedLog, pump

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_S = 1.0


def become_subreaper() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux); False elsewhere."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


class AgentProcess:
    def __init__(
        self,
        argv: list[str],
        cwd: Path,
        env: Mapping[str, str],
        log_dir: Path,
        ended: Callable[[], None],
    ) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(log_dir, 0o700)
        self.out = CappedLog(log_dir / "stdout.log")
        self.err = CappedLog(log_dir / "stderr.log")
        self.popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
        self.pid = self.popen.pid
        self.pgid = self.pid  # a new session leads a new group
        self.create_time = _create_time(self.pid)
        self.started = time.time()
        self.began = time.monotonic()
        self.exit_code: int | None = None
        self.cpu = 0.0
        self.peak_rss = 0
        self.seen: dict[int, float] = {self.pid: self.create_time}  # every member, ever
        self.terminating: float | None = None  # when SIGTERM went out
        self.why: str | None = None  # why we ended it (timed-out, stopped, ...)
        self._ended = ended
        self._last_sample = 0.0
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._threads = [
            threading.Thread(target=pump, args=(self.popen.stdout, self.out), name="agent-out"),
            threading.Thread(target=pump, args=(self.popen.stderr, self.err), name="agent-err"),
            threading.Thread(target=self._wait, name="agent-wait"),
        ]
        for thread in self._threads:
            thread.start()

    # the process's life -------------------------------------------------------------------
    def _wait(self) -> None:
        _, status, usage = os.wait4(self.pid, 0)
        self.cpu = max(self.cpu, usage.ru_utime + usage.ru_stime)
        self.peak_rss = max(self.peak_rss, usage.ru_maxrss * 1024)  # KiB on Linux
        self.exit_code = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.exit_code  # reaped here, not by Popen
        self._ended()

    @property
    def exited(self) -> bool:
        return self.exit_code is not None

    def wall(self) -> float:
        return time.monotonic() - self.began

    def quiet_since(self) -> float:
        """When output last came (monotonic)."""
        return max(self.out.changed, self.err.changed, self.began)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    # measuring -----------------------------------------------------------------------------
    def members(self) -> list[psutil.Process]:
        """Every live process that belongs to the agent: its group, and the descendants seen."""
        found: dict[int, psutil.Process] = {}
        for pid, created in list(self.seen.items()):
            process = _same(pid, created)
            if process is None:
                continue
            found[pid] = process
            for child in _children(process):
                found[child.pid] = child
        for process in psutil.process_iter(["pid"]):
            try:
                if os.getpgid(process.pid) == self.pgid:
                    found[process.pid] = process
            except OSError:
                continue
        for pid in found:
            if pid not in self.seen:
                self.seen[pid] = _create_time(pid)
        return list(found.values())

    def sample(self, force: bool = False) -> None:
        """CPU and memory of the whole tree, at most once a second."""
        if not force and time.monotonic() - self._last_sample < SAMPLE_S:
            return
        self._last_sample = time.monotonic()
        rss, cpu = 0, 0.0
        for process in self.members():
            try:
                rss += process.memory_info().rss
                times = process.cpu_times()
                cpu += times.user + times.system + times.children_user + times.children_system
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.cpu = max(self.cpu, cpu)

    # ending ------------------------------------------------------------------------------
    def terminate(self, why: str) -> None:
        """SIGTERM to everything of the agent's; `kill_after_grace` finishes the job."""
        if self.terminating is None:
            self.why = why
            self.terminating = time.monotonic()
        self.signal(signal.SIGTERM)

    def kill_after_grace(self, grace: float) -> bool:
        """SIGKILL what is left once `grace` seconds passed since SIGTERM; True when it did."""
        if self.terminating is None or time.monotonic() - self.terminating < grace:
            return False
        self.signal(signal.SIGKILL)
        return True

    def signal(self, sig: signal.Signals) -> None:
        for process in self.members():
            try:
                process.send_signal(sig)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        with contextlib.suppress(OSError):
            os.killpg(self.pgid, sig)

    def leftovers(self) -> list[psutil.Process]:
        """Members still alive after the agent itself exited (not zombies)."""
        out = []
        for process in self.members():
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    out.append(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return out


def reap_orphans(known: set[int]) -> None:
    """Collect the exit status of orphans that reached us (we are their subreaper), leaving
    alone the children somebody else waits for (`known`: our own Popen's)."""
    for child in psutil.Process().children():
        if child.pid in known:
            continue
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)
        except (psutil.NoSuchProcess, ChildProcessError, OSError):
            continue


def _create_time(pid: int) -> float:
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def _same(pid: int, created: float) -> psutil.Process | None:
    try:
        process = psutil.Process(pid)
        if abs(process.create_time() - created) > 0.05:
            return None
        return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return list(process.children(recursive=True))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
