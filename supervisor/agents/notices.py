"""What an agent is told: the violations the watcher found and what it contained, and a
person's messages (`git agent tell`). One JSON Lines file per feature in its agent folder;
each reader (the built-in agent, Claude Code's PostToolUse hook) keeps its own offset."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

NOTICES = "notices.jsonl"


def notices_file(agent_dir: Path) -> Path:
    return agent_dir / NOTICES


def post(agent_dir: Path, sender: str, text: str) -> None:
    """Append one notice (under the file's lock)."""
    agent_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(agent_dir, 0o700)
    line = json.dumps({"time": round(time.time(), 3), "from": sender, "text": text}) + "\n"
    descriptor = os.open(notices_file(agent_dir), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


def since(agent_dir: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The notices after byte `offset`, and the offset after them."""
    try:
        with notices_file(agent_dir).open("rb") as stream:
            stream.seek(offset)
            data = stream.read()
    except FileNotFoundError:
        return [], offset
    whole = data[: data.rfind(b"\n") + 1]
    found = []
    for line in whole.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found, offset + len(whole)
