"""`run_command`: a shell command as a child of the agent, in the shadow, in a process group of
its own (so a timeout ends all of it), under whatever sandbox the runner put the agent in. Its
environment is the agent's without the API credentials; its output (stdout and stderr as one)
is kept to a head and a tail; under Landlock, each command is confined as a command agent is; what it leaves running in the background is ended when it
returns, so nothing outlives the call."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

HEAD = 16_000  # characters of output kept from the start
TAIL = 16_000  # and from the end
LINGER = 0.5  # seconds to wait for the output's end once the shell has exited
GRACE = 2.0  # seconds between SIGTERM and SIGKILL
SECRET_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")


def command_env(env: Mapping[str, str]) -> dict[str, str]:
    """The agent's environment, less what would let a command read the API key."""
    return {k: v for k, v in env.items() if k not in SECRET_ENV}


def run_command(
    command: str,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    confine: Callable[[list[str]], list[str]] = list,
) -> str:
    """Run `command` with /bin/sh, its command line passed through `confine` (the sandbox's
    launcher); its exit code and (capped) output, as the model reads them."""
    started = time.monotonic()
    child = subprocess.Popen(
        confine(["/bin/sh", "-c", command]),
        cwd=cwd,
        env=command_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        process_group=0,
        close_fds=True,
    )
    output = _Output()
    try:
        timed_out = _pump(child, output, started + timeout)
    finally:
        _end(child)
    code = child.returncode
    if timed_out:
        head = f"timed out after {timeout:.0f}s; ended"
    elif code is not None and code < 0:
        head = f"ended by signal {-code}"
    else:
        head = f"exit code {code}"
    return f"{head}\n{output.text()}"


def _pump(child: subprocess.Popen[bytes], output: _Output, deadline: float) -> bool:
    """Read the output until it ends (or a while after the shell exits); True on a timeout."""
    assert child.stdout is not None
    stream = child.stdout
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if now >= deadline:
                return True
            if exited_at is None and child.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > LINGER:
                return False  # what still holds the output is the command's background
            wait = min(deadline - now, 0.1)
            if selector.select(wait):
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    child.wait()
                    return False
                output.add(chunk)


def _end(child: subprocess.Popen[bytes]) -> None:
    """End the command's whole group (SIGTERM, then SIGKILL), and reap the shell."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, sent)
        except (ProcessLookupError, PermissionError):
            break
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline and _group_alive(child):
            time.sleep(0.02)
        if not _group_alive(child):
            break
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=GRACE)
    if child.stdout is not None:
        child.stdout.close()


def _group_alive(child: subprocess.Popen[bytes]) -> bool:
    child.poll()
    try:
        os.killpg(child.pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class _Output:
    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = HEAD - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(0, len(self.tail) - TAIL)]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        cut = self.total - len(self.head) - len(self.tail)
        if cut > 0:
            return f"{head}\n[... {cut} bytes of output cut ...]\n{tail}"
        return head + tail
