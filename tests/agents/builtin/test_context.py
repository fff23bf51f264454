"""A conversation that outgrows the context window drops the oldest tool results first, keeps
the task and the latest exchange, and stays a conversation the API takes."""

from __future__ import annotations

from pathlib import Path

from supervisor.agents.builtin import context
from supervisor.agents.builtin.conversation import Conversation
from tests.agents.builtin.conftest import run_agent
from tests.agents.builtin.scripted import ScriptedApi, message, text, tool
from tests.kit import Started, write_files

BIG = 3000  # characters of each file read: some 750 tokens at the server's count


def test_the_oldest_tool_results_go_first(started: Started, api: ScriptedApi) -> None:
    write_files(started.shadow, {f"src/big{n}.txt": str(n) * BIG for n in range(1, 5)})
    api.add(*[message(tool("read_file", path=f"src/big{n}.txt")) for n in range(1, 5)])
    api.add(message(text("Read them all.")))
    outcome = run_agent(started, api, context_tokens=3500, response_tokens=500)

    assert outcome.code == 0, outcome
    assert "context: dropped" in outcome.log
    last = api.requests[-1]
    sent = last.raw.decode()
    assert "4" * BIG in sent and "3" * BIG in sent  # the latest results stay
    assert "1" * BIG not in sent and "2" * BIG not in sent
    assert "[dropped to fit the context window" in sent
    assert last.texts()[0] == "Do the task."  # the task stays
    # every call still has its result, in order
    calls = [b["id"] for m in last.messages[1:] for b in m["content"] if b["type"] == "tool_use"]
    results = [
        b["tool_use_id"]
        for m in last.messages[1:]
        for b in m["content"]
        if b["type"] == "tool_result"
    ]
    assert calls == results and len(calls) == 4
    # and every prompt sent fitted: the server counts a quarter token a byte
    assert all(len(r.raw) // 4 <= 3000 for r in api.requests)


def _exchange(number: int, size: int) -> list[dict[str, object]]:
    call = {"type": "tool_use", "id": f"t{number}", "name": "write_file"}
    return [
        {"role": "assistant", "content": [{**call, "input": {"path": "a", "content": "w" * size}}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": f"t{number}", "content": "ok"}],
        },
    ]


def test_then_old_inputs_then_whole_exchanges(tmp_path: Path) -> None:
    conversation = Conversation(tmp_path / "c.json", tokens_per_char=1.0)
    conversation.messages = [{"role": "user", "content": "task"}]
    for number in range(4):
        conversation.messages += _exchange(number, 1000)

    dropped = context.fit(conversation, 0, 2000)

    assert dropped > 0
    assert context.estimate(conversation, 0) <= 1800
    assert conversation.messages[0] == {"role": "user", "content": "task"}
    assert conversation.messages[-2:] == _exchange(3, 1000)  # the latest exchange whole
    roles = [m["role"] for m in conversation.messages]
    assert roles == ["user", *["assistant", "user"] * ((len(roles) - 1) // 2)]

    conversation.messages = [{"role": "user", "content": "task"}]
    for number in range(6):
        conversation.messages += _exchange(number, 100)
    context.fit(conversation, 0, 400)
    assert len(conversation.messages) == 3  # only whole exchanges could go: all but the latest
    assert conversation.messages[1:] == _exchange(5, 100)
