"""The API key never leaves the process: whatever the agent writes down (its conversation, its
log lines, its final usage) and whatever a tool brings back into the conversation (a command
that prints its environment, a file that somehow holds the key) passes through here first."""

from __future__ import annotations

from collections.abc import Iterable

REDACTED = "[redacted]"
SHORTEST = 8  # a "secret" shorter than this would blot out ordinary words


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= SHORTEST}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text
