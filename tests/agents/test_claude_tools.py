"""What Claude Code's file tools would write, worked out as Claude Code works it out: the
content the PreToolUse hook judges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supervisor.agents.claude_tools import ToolInputError, apply_edit, content, target


def edit(path: Path, old: str, new: str, every: bool = False) -> bytes:
    tool_input = {"file_path": str(path), "old_string": old, "new_string": new}
    tool_input["replace_all"] = every  # type: ignore[assignment]
    return content("Edit", tool_input, str(path))


def test_write_is_its_content(tmp_path: Path) -> None:
    tool_input = {"file_path": "a.txt", "content": "caf\u00e9\n"}
    assert content("Write", tool_input, str(tmp_path / "a.txt")) == "caf\u00e9\n".encode()
    assert target("Write", tool_input, str(tmp_path)) == str(tmp_path / "a.txt")


def test_edit_replaces_the_first_occurrence_or_all(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text("a = 1\na = 1\n")
    assert edit(path, "a = 1", "b = 2") == b"b = 2\na = 1\n"
    assert edit(path, "a = 1", "b = 2", every=True) == b"b = 2\nb = 2\n"


def test_a_deleted_line_takes_its_end_along() -> None:
    assert apply_edit("keep\ngone\nkeep\n", "gone", "", False) == "keep\nkeep\n"
    assert apply_edit("keep\ngone\n", "gone\n", "", False) == "keep\n"


def test_straight_quotes_match_curly_ones_and_the_file_keeps_its_quotes() -> None:
    text = "say \u201chello\u201d and it\u2019s done\n"
    assert apply_edit(text, 'say "hello"', 'say "bye"', False) == (
        "say \u201cbye\u201d and it\u2019s done\n"
    )


def test_crlf_line_ends_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"one\r\ntwo\r\n")
    assert edit(path, "one\ntwo", "1\n2") == b"1\r\n2\r\n"


def test_an_edit_that_would_fail_is_judged_with_its_new_string(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text("x = 1\n")
    assert edit(path, "not there", "SECRET") == b"x = 1\n\nSECRET"


def test_an_edit_with_no_old_string_makes_a_new_file(tmp_path: Path) -> None:
    assert edit(tmp_path / "new.py", "", "x = 1\n") == b"x = 1\n"
    assert edit(tmp_path / "missing.py", "old", "x = 2\n") == b"\nx = 2\n"


def test_multiedit_applies_the_edits_in_order(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("alpha beta\n")
    edits = [
        {"old_string": "alpha", "new_string": "gamma"},
        {"old_string": "gamma beta", "new_string": "delta", "replace_all": True},
    ]
    assert content("MultiEdit", {"file_path": str(path), "edits": edits}, str(path)) == b"delta\n"


def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "n.ipynb"
    cells = [
        {"cell_type": "code", "id": "a", "source": "1", "metadata": {}, "outputs": [{"x": 1}]},
        {"cell_type": "markdown", "id": "b", "source": "# b", "metadata": {}},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    return path


def cells_after(path: Path, **tool_input: str) -> list[dict[str, object]]:
    made = content("NotebookEdit", {"notebook_path": str(path), **tool_input}, str(path))
    cells = json.loads(made)["cells"]
    assert isinstance(cells, list)
    return cells


def test_notebook_edit_replaces_inserts_and_deletes(tmp_path: Path) -> None:
    path = notebook(tmp_path)
    replaced = cells_after(path, cell_id="a", new_source="2")
    assert replaced[0] == {
        "cell_type": "code",
        "id": "a",
        "source": "2",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
    }
    inserted = cells_after(
        path, cell_id="a", new_source="new", cell_type="markdown", edit_mode="insert"
    )
    assert [c["source"] for c in inserted] == ["1", "new", "# b"]
    first = cells_after(path, new_source="top", edit_mode="insert")
    assert [c["source"] for c in first] == ["top", "1", "# b"]
    deleted = cells_after(path, cell_id="cell-1", new_source="", edit_mode="delete")
    assert [c["source"] for c in deleted] == ["1"]


def test_a_notebook_that_is_no_json_is_judged_with_the_new_source(tmp_path: Path) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_text("not json")
    made = content("NotebookEdit", {"notebook_path": str(path), "new_source": "S"}, str(path))
    assert made == b"not json\nS"


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        ("Write", {"file_path": "a"}),
        ("Edit", {"file_path": "a", "old_string": 1, "new_string": "x"}),
        ("Edit", {"file_path": "a", "old_string": "a", "new_string": "x", "replace_all": "yes"}),
        ("MultiEdit", {"file_path": "a", "edits": ["x"]}),
        ("NotebookEdit", {"notebook_path": "n", "new_source": "x", "edit_mode": "move"}),
        ("NotebookEdit", {"notebook_path": "n", "new_source": "x", "cell_type": "raw"}),
    ],
)
def test_input_claude_code_never_sends_is_refused(
    tmp_path: Path, tool: str, tool_input: dict[str, object]
) -> None:
    with pytest.raises(ToolInputError):
        content(tool, tool_input, str(tmp_path / "a"))


def test_what_no_tool_edits_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ToolInputError, match="not a regular file"):
        edit(tmp_path, "a", "b")
    with pytest.raises(ToolInputError, match="NUL"):
        target("Write", {"file_path": "a\0b", "content": ""}, str(tmp_path))
