"""Keeping the conversation inside the model's context window. Its length in tokens is
estimated from its length in characters, at the ratio the last response measured (its prompt
tokens over the characters sent); when the next request would not leave room for the response,
the oldest material goes first: tool results, then the bulky inputs of old tool calls (the
content of files written long ago), then whole exchanges. The task's first message and the
latest exchange are always kept, and every tool call keeps its result, so the conversation
stays one the API accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from supervisor.agents.builtin.conversation import Conversation, Message

HEADROOM = 0.9  # fill the window to this share at most: the estimate is only an estimate
KEEP_INPUT = 200  # characters of a string in an old tool call's input kept as they are
MARK = "[dropped to fit the context window"


def size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def calibrate(conversation: Conversation, prompt_tokens: int, chars: int) -> None:
    """Learn the tokens-per-character ratio from a response's count of its prompt."""
    if prompt_tokens > 0 and chars > 0:
        conversation.tokens_per_char = min(1.0, max(0.1, prompt_tokens / chars))


def estimate(conversation: Conversation, fixed_chars: int) -> int:
    """The prompt's tokens, estimated: the system prompt and tools (`fixed_chars`) and the
    messages."""
    chars = fixed_chars + size(conversation.messages)
    return int(chars * conversation.tokens_per_char) + 1


def fit(conversation: Conversation, fixed_chars: int, window: int) -> int:
    """Drop the oldest material until the prompt is estimated to fit `window` tokens; how many
    pieces were dropped."""
    target = int(window * HEADROOM)
    dropped = 0
    if estimate(conversation, fixed_chars) <= target:
        return dropped
    for stage in (_tool_results, _tool_inputs, _exchanges):
        for _ in stage(conversation):
            dropped += 1
            if estimate(conversation, fixed_chars) <= target:
                return dropped
    return dropped


def _old(conversation: Conversation) -> list[Message]:
    """Every message but the first (the task) and the last two (the latest exchange)."""
    return conversation.messages[1:-2]


def _tool_results(conversation: Conversation) -> Iterator[None]:
    for message in _old(conversation):
        if message["role"] != "user" or isinstance(message["content"], str):
            continue
        for block in message["content"]:
            if block.get("type") != "tool_result" or _is_dropped(block.get("content")):
                continue
            block["content"] = f"{MARK}: {size(block.get('content', ''))} characters of output]"
            yield


def _tool_inputs(conversation: Conversation) -> Iterator[None]:
    for message in _old(conversation):
        if message["role"] != "assistant" or isinstance(message["content"], str):
            continue
        for block in message["content"]:
            if block.get("type") != "tool_use" or not isinstance(block.get("input"), dict):
                continue
            for key, value in block["input"].items():
                if isinstance(value, str) and len(value) > KEEP_INPUT and not _is_dropped(value):
                    block["input"][key] = f"{MARK}: {len(value)} characters]"
                    yield


def _exchanges(conversation: Conversation) -> Iterator[None]:
    messages = conversation.messages
    while len(messages) >= 5 and messages[1]["role"] == "assistant":
        del messages[1:3]
        yield


def _is_dropped(value: object) -> bool:
    return isinstance(value, str) and value.startswith(MARK)
