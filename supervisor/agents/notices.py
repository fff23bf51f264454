"""What an agent is told: the violations the watcher found and what it contained, and a
person's messages (`git agent tell`). One JSON Lines file per feature in its agent folder;
each reader (the built-in agent, Claude Code's PostToolUse hook) keeps its own offset."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from supervisor.store.layout import NOTICES_COPY

NOTICES = "notices.jsonl"
MOST = 1 << 20  # bytes read at once; the rest waits for the next read
COPY_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK


def notices_file(agent_dir: Path) -> Path:
    return agent_dir / NOTICES


def post(agent_dir: Path, sender: str, text: str, shadow: Path | None = None) -> None:
    """Append one notice (under the file's lock); with `shadow`, its copy for a command agent
    too (`.git-agent-notices`, which no checkpoint or promotion holds)."""
    agent_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(agent_dir, 0o700)
    now = time.time()
    line = json.dumps({"time": round(now, 3), "from": sender, "text": text}) + "\n"
    if shadow is not None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        _mirror(shadow / NOTICES_COPY, f"[{stamp}] {sender}: {text}\n")
    descriptor = os.open(notices_file(agent_dir), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


def since(agent_dir: Path, offset: int, most: int = MOST) -> tuple[list[dict[str, Any]], int]:
    """The notices after byte `offset` (whole lines only: one still being written waits), at
    most `most` bytes of them, and the offset after them; from the start again when the file
    is gone or got shorter (it was replaced)."""
    try:
        with notices_file(agent_dir).open("rb") as stream:
            if os.fstat(stream.fileno()).st_size < offset:
                offset = 0
            stream.seek(offset)
            data = stream.read(most)
    except FileNotFoundError:
        return [], 0
    whole = data[: data.rfind(b"\n") + 1]
    found = []
    for line in whole.splitlines():
        with contextlib.suppress(ValueError):
            notice = json.loads(line)
            if isinstance(notice, dict) and isinstance(notice.get("text"), str):
                found.append(notice)
    return found, offset + len(whole)


def _mirror(path: Path, line: str) -> None:
    """Append `line` to the shadow's copy; never through a link, never into a FIFO or device
    the agent put there (the canonical file has the notice whatever happens here)."""
    try:
        descriptor = os.open(path, COPY_FLAGS, 0o600)
    except OSError:
        return
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.write(descriptor, line.encode())
    os.close(descriptor)
