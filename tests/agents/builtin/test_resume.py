"""`--resume` carries on the saved conversation (its usage counted on, a new prompt added to
it, unanswered tool calls answered first); the notices the watcher and `git agent tell` post
reach the model as a user message, each once."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from tests.agents.builtin.conftest import agent_dir, run_agent, saved
from tests.agents.builtin.scripted import Reply, Request, ScriptedApi, message, text, tool
from tests.kit import Started


def post(started: Started, words: str, sender: str = "supervisor") -> None:
    """A notice, as the watcher or `git agent tell` appends it."""
    folder = agent_dir(started)
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": time.time(), "from": sender, "text": words})
    with (folder / "notices.jsonl").open("a") as stream:
        stream.write(line + "\n")


def test_resume_continues_the_conversation(started: Started, api: ScriptedApi) -> None:
    api.add(message(tool("write_file", path="src/one.py", content="1\n")))
    first = run_agent(started, api, max_turns=1)
    assert first.code == 4, first

    api.add(message(text("All done.")))
    second = run_agent(started, api, "--resume", prompt=None, max_turns=5)

    assert second.code == 0, second
    resumed = api.requests[1]
    assert [m["role"] for m in resumed.messages] == ["user", "assistant", "user"]
    assert resumed.texts() == ["Do the task."]
    assert resumed.last_results()[0]["content"].startswith("wrote 2 bytes")
    assert second.summary["usage"]["turns"] == 2  # the budget spans the resumes
    assert saved(started)["status"] == "done"


def test_resume_with_a_prompt_adds_it(started: Started, api: ScriptedApi) -> None:
    api.add(message(text("First part done.")))
    assert run_agent(started, api).code == 0

    api.add(message(text("Second part done.")))
    outcome = run_agent(started, api, "--resume", prompt="Now the second part.")

    assert outcome.code == 0, outcome
    assert api.requests[1].texts() == ["Do the task.", "Now the second part."]
    assert [m["role"] for m in api.requests[1].messages] == ["user", "assistant", "user"]


def test_resume_of_a_finished_run_asks_nothing(started: Started, api: ScriptedApi) -> None:
    api.add(message(text("Done.")))
    assert run_agent(started, api).code == 0

    outcome = run_agent(started, api, "--resume", prompt=None)

    assert outcome.code == 0, outcome
    assert len(api.requests) == 1


def test_resume_answers_the_calls_left_unanswered(started: Started, api: ScriptedApi) -> None:
    api.add(message(text("Starting.")))
    assert run_agent(started, api).code == 0
    path = agent_dir(started) / "conversation.json"
    data = json.loads(path.read_text())
    data["messages"][-1]["content"].append(
        {
            "type": "tool_use",
            "id": "toolu_left",
            "name": "read_file",
            "input": {"path": "README.md"},
        }
    )
    path.write_text(json.dumps(data))

    api.add(message(text("Read it.")))
    outcome = run_agent(started, api, "--resume", prompt=None)

    assert outcome.code == 0, outcome
    result = api.requests[1].last_results()[0]
    # the last block carries the prompt cache's breakpoint (the saved one does not)
    assert result.pop("cache_control") == {"type": "ephemeral"}
    assert result == {"type": "tool_result", "tool_use_id": "toolu_left", "content": "demo\n"}
    assert "cache_control" not in json.dumps(saved(started)["messages"])


def test_nothing_to_resume_is_a_usage_error(started: Started, api: ScriptedApi) -> None:
    outcome = run_agent(started, api, "--resume", prompt=None)

    assert outcome.code == 2, outcome
    assert "nothing to resume" in outcome.summary["message"]
    assert api.requests == []


def test_a_new_run_sets_the_last_conversation_aside(started: Started, api: ScriptedApi) -> None:
    api.add(message(text("One.")), message(text("Two.")))
    assert run_agent(started, api, prompt="first").code == 0
    assert run_agent(started, api, prompt="second").code == 0

    assert api.requests[1].texts() == ["second"]
    previous = json.loads((agent_dir(started) / "conversation.json.previous").read_text())
    assert previous["messages"][0]["content"][0]["text"] == "first"


def _posts_a_notice(started: Started) -> Callable[[Request], Reply]:
    def reply(request: Request) -> Reply:
        post(started, "scope.outside: docs/x.md was taken out of the shadow")
        return message(tool("list_files"))(request)

    return reply


def test_notices_reach_the_model_once_as_a_user_message(started: Started, api: ScriptedApi) -> None:
    post(started, "Please keep the changes small.", sender="person")
    api.add(
        _posts_a_notice(started),
        message(tool("list_files")),
        message(text("Noted.")),
    )
    outcome = run_agent(started, api)

    assert outcome.code == 0, outcome
    first, second, third = api.requests
    assert first.texts()[0] == "Do the task."
    assert "from person" in first.texts()[1]
    assert "Please keep the changes small." in first.texts()[1]
    told = second.messages[-1]["content"]
    assert told[0]["type"] == "tool_result" and told[-1]["type"] == "text"
    assert told[-1]["text"].startswith("[git-agent] Notices since your last turn:")
    assert "scope.outside: docs/x.md was taken out" in told[-1]["text"]
    assert sum("scope.outside" in t for t in third.texts()) == 1  # once, not again
    assert saved(started)["notices_offset"] == (agent_dir(started) / "notices.jsonl").stat().st_size


def test_a_notice_after_the_last_answer_gets_another_turn(
    started: Started, api: ScriptedApi
) -> None:
    def finishes_as_a_notice_arrives(request: Request) -> Reply:
        post(started, "Your tests fail.")
        return message(text("Done."))(request)

    api.add(finishes_as_a_notice_arrives, message(text("Fixed.")))
    outcome = run_agent(started, api)

    assert outcome.code == 0, outcome
    assert len(api.requests) == 2
    assert "Your tests fail." in api.requests[1].texts()[-1]


def test_a_notice_line_still_being_written_waits(started: Started, tmp_path: Path) -> None:
    from supervisor.agents.builtin.notices import read_since

    folder = tmp_path / "agent"
    folder.mkdir()
    (folder / "notices.jsonl").write_bytes(b'{"from": "a", "text": "whole"}\n{"from": "b", "te')
    found, offset = read_since(folder, 0)
    assert [n["text"] for n in found] == ["whole"]
    assert read_since(folder, offset) == ([], offset)
