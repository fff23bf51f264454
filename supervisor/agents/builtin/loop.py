"""The tool loop: ask the model, run the tools it calls, answer with their results, until it
answers without calling one. Before every request the limits are checked, new notices join
the conversation as the user's words, and the conversation is trimmed to the context window;
after every response its usage is counted and the conversation saved."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supervisor.agents.builtin import context, notices
from supervisor.agents.builtin.api import Caller
from supervisor.agents.builtin.conversation import Conversation, Message
from supervisor.agents.builtin.redact import Redactor
from supervisor.agents.builtin.tools import TOOLS, Tools
from supervisor.agents.builtin.usage import Limits, tokens_of
from supervisor.agents.spec import AgentSpec

CACHE = {"type": "ephemeral"}
EMPTY_REPLY = "(no reply)"

SYSTEM = """\
You are a coding agent working on the feature "{feature}" of a git repository. Your working
directory is a copy of the repository made for this feature (a "shadow"); every tool works in
it, and paths are relative to it. Nothing you do reaches the user's branches: the supervisor
checkpoints your work and a person promotes it.

Every write is checked against the repository's policy and the feature's plan before it is
made. A refused write names the rule it breaks: then write somewhere the rules allow, or leave
that change out. Do not look for a way around a rule. Messages that begin with [git-agent] come
from the supervisor (violations it found in your work, what it took out) or from a person: act
on them.

Work in small steps, check your work (run the tests when there are any), and when the task is
done answer with a short summary and no tool call."""


class Agent:
    def __init__(
        self,
        spec: AgentSpec,
        feature: str,
        conversation: Conversation,
        caller: Caller,
        tools: Tools,
        limits: Limits,
        agent_dir: Path,
        redact: Redactor,
        log: Callable[[str], None],
    ) -> None:
        self.spec = spec
        self.conversation = conversation
        self.caller = caller
        self.tools = tools
        self.limits = limits
        self.agent_dir = agent_dir
        self.redact = redact
        self.log = log
        self.system = [{"type": "text", "text": SYSTEM.format(feature=feature)}]
        self.fixed_chars = context.size(self.system) + context.size(TOOLS)
        self.malformed: dict[str, Any] = {}  # tool call id -> the type its input came as

    def run(self) -> None:
        """Until the model is done (a BudgetExhausted, ApiFailure or Interrupted otherwise)."""
        while True:
            pending = self.conversation.pending_tools()
            if pending:
                self._answer(pending)
                continue
            told = self._notices()
            last = self.conversation.last
            if last is None or (last["role"] == "assistant" and not told):
                return
            self.limits.check(self.conversation.usage)
            self._turn()

    # one request --------------------------------------------------------------------------------
    def _turn(self) -> None:
        conversation = self.conversation
        window = max(1, self.spec.context_tokens - self.spec.response_tokens)
        dropped = context.fit(conversation, self.fixed_chars, window)
        if dropped:
            self.log(f"context: dropped {dropped} old pieces to fit {window:,} tokens")
        estimate = context.estimate(conversation, self.fixed_chars)
        chars = self.fixed_chars + context.size(conversation.messages)
        request = {
            "max_tokens": self.limits.response_tokens(
                self.spec.response_tokens, conversation.usage
            ),
            "system": _cached_system(self.system),
            "tools": TOOLS,
            "messages": _cached(conversation.messages),
        }
        reply = self.caller.call(request, estimate, self.limits)
        tokens = tokens_of(reply.message.usage)
        usd = conversation.usage.add(reply.model, tokens, self.spec.pricing)
        self.caller.limiter.settle(estimate, tokens.total)
        context.calibrate(conversation, tokens.prompt, chars)
        blocks, self.malformed = _blocks(reply.message)
        conversation.messages.append({"role": "assistant", "content": blocks})
        self._after(reply.message)
        conversation.save(self.redact)
        spent = conversation.usage.all
        self.log(
            f"turn {spent.turns} ({reply.model}): {tokens.total:,} tokens, ${usd:.4f}; "
            f"in all {spent.total:,} tokens, ${spent.usd:.4f}"
        )

    def _after(self, message: Any) -> None:
        """What the way a response stopped asks of us."""
        stop = getattr(message, "stop_reason", None)
        if self.conversation.pending_tools():
            return
        if stop == "max_tokens":
            self.conversation.say("[git-agent] Your reply was cut at the response limit; go on.")
        elif stop == "model_context_window_exceeded":
            self.conversation.say("[git-agent] The context window is full; go on briefly.")
        elif stop == "pause_turn":
            self.conversation.say("[git-agent] Go on.")
        elif stop == "refusal":
            self.conversation.reason = "refusal"
        for block in _texts(message):
            self.log(f"model: {self.redact(block)}")

    # the model's tool calls -------------------------------------------------------------------
    def _answer(self, calls: list[Message]) -> None:
        results: list[Message] = []
        try:
            for call in calls:
                self.limits.check_time()
                results.append(self._result(call))
        except BaseException as exc:  # a limit or SIGTERM: the rest is answered as not run
            why = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
            for call in calls[len(results) :]:
                results.append(_tool_result(call, f"not run: {why}", True))
            self.conversation.messages.append({"role": "user", "content": results})
            self.conversation.save(self.redact)
            raise
        self.conversation.messages.append({"role": "user", "content": results})
        self.conversation.save(self.redact)

    def _result(self, call: Message) -> Message:
        name = str(call.get("name"))
        given = call.get("input")
        if str(call.get("id")) in self.malformed:
            given = self.malformed[str(call.get("id"))]
        text, failed = self.tools.run(name, given)
        first = text.splitlines()[0] if text else ""
        self.log(f"{name} {_shown_input(call.get('input'))}: {first[:200]}")
        return _tool_result(call, text, failed)

    # notices ----------------------------------------------------------------------------------
    def _notices(self) -> bool:
        """Add the notices posted since the last turn to the conversation; whether any were."""
        found, offset = notices.read_since(self.agent_dir, self.conversation.notices_offset)
        self.conversation.notices_offset = offset
        if not found:
            return False
        self.conversation.say(self.redact(notices.as_text(found)))
        self.log(f"notices: {len(found)} passed on to the model")
        return True


# the API's shapes ------------------------------------------------------------------------------
def _blocks(message: Any) -> tuple[list[Message], dict[str, Any]]:
    """The response's content as plain JSON, fit to send back; and the tool calls whose input
    was no object (kept as an empty one, since the API takes nothing else back), with it."""
    blocks, malformed = [], {}
    for block in getattr(message, "content", None) or []:
        data = block.model_dump(mode="json", exclude_none=True, warnings=False)
        if data.get("type") == "tool_use" and not isinstance(data.get("input"), dict):
            malformed[str(data.get("id"))] = data.get("input")
            data["input"] = {}
        blocks.append(data)
    return blocks or [{"type": "text", "text": EMPTY_REPLY}], malformed


def _texts(message: Any) -> list[str]:
    return [
        str(block.text)
        for block in getattr(message, "content", None) or []
        if getattr(block, "type", None) == "text" and getattr(block, "text", "")
    ]


def _tool_result(call: Message, text: str, failed: bool) -> Message:
    result: Message = {"type": "tool_result", "tool_use_id": str(call.get("id")), "content": text}
    if failed:
        result["is_error"] = True
    return result


def _cached_system(system: list[Message]) -> list[Message]:
    return [*system[:-1], {**system[-1], "cache_control": CACHE}]


def _cached(messages: list[Message]) -> list[Message]:
    """The messages with a cache breakpoint on the last block, so the next request reads the
    conversation so far from the prompt cache (the stored messages stay unmarked)."""
    if not messages:
        return messages
    last = copy.deepcopy(messages[-1])
    if isinstance(last["content"], str):
        last["content"] = [{"type": "text", "text": last["content"]}]
    if last["content"]:
        last["content"][-1]["cache_control"] = CACHE
    return [*messages[:-1], last]


def _shown_input(given: object) -> str:
    """A tool call's input for the log: its path or command, never the content written."""
    if not isinstance(given, dict):
        return "(malformed input)"
    for key in ("path", "command", "pattern"):
        if isinstance(given.get(key), str):
            return str(given[key])[:200]
    return ""
