"""The reading side of a feature's notices (`notices.jsonl` in its agent folder: one JSON
object a line, `{"time", "from", "text"}`, appended under a lock by the watcher and by `git
agent tell`). The built-in agent remembers how far it has read as a byte offset in its
conversation file, saved with the message that carried the notices, so each reaches the model
once, and a line still being written is left for the next turn."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from supervisor.agents import notices


def read_since(agent_dir: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The notices after byte `offset` (whole lines only), and the offset after them."""
    return notices.since(agent_dir, offset)


def as_text(notices: list[dict[str, Any]]) -> str:
    """The notices as the model reads them."""
    lines = ["[git-agent] Notices since your last turn:"]
    for notice in notices:
        sender = str(notice.get("from") or "git-agent")
        when = notice.get("time")
        stamp = (
            time.strftime("%H:%M:%S", time.localtime(float(when)))
            if isinstance(when, int | float)
            else "?"
        )
        lines.append(f"- from {sender} at {stamp}: {notice['text']}")
    return "\n".join(lines)
