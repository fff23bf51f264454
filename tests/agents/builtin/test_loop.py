"""The tool loop through the real SDK: writes in scope made, writes out of scope refused before
they happen with the rule named so the model can correct itself, malformed tool calls answered
with an error, the other tools, and the final line of usage."""

from __future__ import annotations

from pathlib import Path

from tests.agents.builtin.conftest import KEY, MODEL, run_agent, saved
from tests.agents.builtin.scripted import Reply, Request, ScriptedApi, message, text, tool
from tests.kit import Started


def test_a_write_in_scope_is_made(scoped: Started, api: ScriptedApi) -> None:
    api.add(
        message(text("Writing it."), tool("write_file", path="src/new.py", content="x = 1\n")),
        message(text("Done: src/new.py holds x.")),
    )
    outcome = run_agent(scoped, api)

    assert outcome.code == 0, outcome
    assert (scoped.shadow / "src/new.py").read_text() == "x = 1\n"
    result = api.requests[1].last_results()[0]
    assert not result.get("is_error")
    assert "wrote 6 bytes to src/new.py" in result["content"]
    summary = outcome.summary
    assert summary["status"] == "done" and summary["exit_code"] == 0
    assert summary["usage"]["turns"] == 2
    assert summary["usage"]["models"][MODEL]["turns"] == 2
    assert summary["usage"]["tokens"]["output"] == 40
    assert summary["usage"]["usd"] > 0
    # the SDK sent the key as its header, the model and the tools
    first = api.requests[0]
    assert KEY in (first.headers.get("x-api-key"), first.headers.get("authorization", "")[7:])
    assert first.model == MODEL
    assert {t["name"] for t in first.body["tools"]} == {
        "read_file",
        "list_files",
        "search",
        "write_file",
        "edit_file",
        "run_command",
    }
    assert first.texts() == ["Do the task."]


def _corrects_itself(request: Request) -> Reply:
    """The scripted model: after a refusal naming scope.outside, it writes under src/."""
    result = request.last_results()[0]
    assert result.get("is_error") and "scope.outside" in result["content"], result
    return message(tool("write_file", path="src/notes.md", content="notes\n"))(request)


def test_a_write_out_of_scope_is_refused_with_its_rule_and_the_model_corrects(
    scoped: Started, api: ScriptedApi
) -> None:
    api.add(
        message(tool("write_file", path="docs/notes.md", content="notes\n")),
        _corrects_itself,
        message(text("Wrote the notes under src/ instead.")),
    )
    outcome = run_agent(scoped, api)

    assert outcome.code == 0, outcome
    assert not (scoped.shadow / "docs/notes.md").exists()
    assert (scoped.shadow / "src/notes.md").read_text() == "notes\n"
    refusal = api.requests[1].last_results()[0]["content"]
    assert "nothing was written to docs/notes.md" in refusal
    assert "scope.outside (error) at docs/notes.md" in refusal
    assert "refused" in outcome.log


def test_paths_out_of_the_shadow_and_into_git_are_refused(
    scoped: Started, api: ScriptedApi, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    (scoped.shadow / "src" / "link").symlink_to(tmp_path)
    api.add(
        message(
            tool("write_file", path="../../escape.txt", content="x"),
            tool("write_file", path=str(outside), content="x"),
            tool("write_file", path="src/link/outside.txt", content="x"),
            tool("read_file", path=".git/config"),
            tool("write_file", path="src/.git/hooks/x", content="x"),
        ),
        message(text("I stay inside.")),
    )
    outcome = run_agent(scoped, api)

    assert outcome.code == 0, outcome
    results = api.requests[1].last_results()
    assert [r.get("is_error") for r in results] == [True] * 5
    assert "outside the shadow" in results[0]["content"]
    assert "outside the shadow" in results[1]["content"]
    assert "outside the shadow" in results[2]["content"]
    assert "inside a git directory" in results[3]["content"]
    assert "inside a git directory" in results[4]["content"]
    assert not outside.exists()
    assert not (tmp_path / "escape.txt").exists()


def test_malformed_tool_input_gets_an_error_the_model_can_read(
    scoped: Started, api: ScriptedApi
) -> None:
    api.add(
        message(
            tool("write_file", path=3, content="x"),
            tool("write_file", path="src/a.py"),
            tool("edit_file", path="src/app.py", old="absent", new="x"),
            tool("no_such_tool", path="src/a.py"),
            tool("read_file", given=["not", "an", "object"]),
            tool("search", pattern="(unclosed"),
        ),
        message(text("I will call the tools properly.")),
    )
    outcome = run_agent(scoped, api)

    assert outcome.code == 0, outcome
    results = [r["content"] for r in api.requests[1].last_results()]
    assert all(r.get("is_error") for r in api.requests[1].last_results())
    assert "path must be a string, not int" in results[0]
    assert "content is missing" in results[1]
    assert "old does not occur in src/app.py" in results[2]
    assert "there is no tool 'no_such_tool'" in results[3]
    assert "read_file: the input must be an object, not list" in results[4]
    assert "not a regular expression" in results[5]
    assert not (scoped.shadow / "src/a.py").exists()
    # what was sent back is a conversation the API takes: every call answered, inputs objects
    calls = [b for b in api.requests[1].messages[1]["content"] if b["type"] == "tool_use"]
    assert all(isinstance(c["input"], dict) for c in calls)
    assert [r["tool_use_id"] for r in api.requests[1].last_results()] == [c["id"] for c in calls]


def test_reading_listing_searching_editing_and_running(scoped: Started, api: ScriptedApi) -> None:
    api.add(
        message(
            tool("read_file", path="src/app.py"),
            tool("list_files", path="."),
            tool("search", pattern="hello", path="src"),
            tool("edit_file", path="src/app.py", old="hello", new="bye"),
            tool("run_command", command="cat src/app.py; echo err >&2; exit 3"),
        ),
        message(text("Edited.")),
    )
    outcome = run_agent(scoped, api)

    assert outcome.code == 0, outcome
    read, listed, searched, edited, ran = (r["content"] for r in api.requests[1].last_results())
    assert read == "print('hello')\n"
    assert "src/" in listed.splitlines() and "src/app.py" in listed.splitlines()
    assert not any(line.startswith(".git") for line in listed.splitlines())
    assert searched == "src/app.py:1: print('hello')"
    assert "wrote" in edited
    assert (scoped.shadow / "src/app.py").read_text() == "print('bye')\n"
    assert ran.splitlines() == ["exit code 3", "print('bye')", "err"]


def test_the_conversation_is_saved_owner_only(scoped: Started, api: ScriptedApi) -> None:
    api.add(message(text("Nothing to do.")))
    outcome = run_agent(scoped, api)

    assert outcome.code == 0
    data = saved(scoped)
    assert data["status"] == "done"
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    path = Path(outcome.summary["conversation"])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
