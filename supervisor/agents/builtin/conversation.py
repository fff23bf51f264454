"""The conversation, kept as the Messages API's own JSON in the feature's agent folder
(`conversation.json`, owner-only, replaced atomically after every turn), with what the run has
used, how far the notices have been read, how long the context has been measured to be, and
how the run last ended. `--resume` reads it back and carries on."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervisor.agents.builtin.redact import Redactor
from supervisor.agents.builtin.usage import Usage
from supervisor.errors import OperationalError, UsageError

CONVERSATION = "conversation.json"
VERSION = 1
CHARS_PER_TOKEN = 3.0  # until a response has measured it: errs towards a longer context

Message = dict[str, Any]


@dataclass
class Conversation:
    path: Path
    messages: list[Message] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    notices_offset: int = 0
    tokens_per_char: float = 1.0 / CHARS_PER_TOKEN
    status: str = "running"
    reason: str | None = None
    started: float = field(default_factory=time.time)

    # the messages ---------------------------------------------------------------------------
    @property
    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None

    def say(self, text: str) -> None:
        """Add text as the user's: to the user message that ends the conversation (after its
        tool results), else as a new one."""
        block = {"type": "text", "text": text}
        last = self.last
        if last is not None and last["role"] == "user":
            if isinstance(last["content"], str):
                last["content"] = [{"type": "text", "text": last["content"]}]
            last["content"].append(block)
        else:
            self.messages.append({"role": "user", "content": [block]})

    def pending_tools(self) -> list[Message]:
        """The tool calls of the assistant message that ends the conversation, if any: they
        have not been answered yet."""
        last = self.last
        if last is None or last["role"] != "assistant" or isinstance(last["content"], str):
            return []
        return [b for b in last["content"] if b.get("type") == "tool_use"]

    # on disk ----------------------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "status": self.status,
            "reason": self.reason,
            "started": self.started,
            "updated": time.time(),
            "notices_offset": self.notices_offset,
            "tokens_per_char": self.tokens_per_char,
            "usage": self.usage.as_json(),
            "messages": self.messages,
        }

    def save(self, redact: Redactor) -> None:
        """Replace the file with this state, atomically, owner-only; the key never in it."""
        text = redact(json.dumps(self.as_json(), ensure_ascii=False))
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise OperationalError(f"cannot save the conversation to {self.path}: {exc}") from None

    @classmethod
    def load(cls, path: Path) -> Conversation | None:
        """The saved conversation; None when there is none; a UsageError when it is unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: not a conversation this agent can resume: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise UsageError(f"{path}: not a conversation this agent can resume")
        return cls(
            path,
            [m for m in data["messages"] if _is_message(m)],
            Usage.from_json(data.get("usage") or {}),
            int(data.get("notices_offset") or 0),
            float(data.get("tokens_per_char") or 1.0 / CHARS_PER_TOKEN),
            str(data.get("status") or "running"),
            data.get("reason"),
            float(data.get("started") or time.time()),
        )


def _is_message(value: object) -> bool:
    return (
        isinstance(value, dict)
        and value.get("role") in ("user", "assistant")
        and isinstance(value.get("content"), str | list)
    )
