"""What Claude Code's file tools would write, worked out before they write, so the PreToolUse
hook can judge the very bytes: Write's content; Edit's and MultiEdit's replacements applied to
the file as it is, the way Claude Code applies them (first occurrence or `replace_all`, curly
quotes matched as straight ones, a deletion taking its line's end along, the file's CRLF line
ends kept); NotebookEdit's new notebook.

When the tool would fail (a string not found, a notebook that is no JSON), the content judged
is the file as it is with every new string added: what could be written is judged, never less.
Light on purpose: the hook runs before every write."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from typing import Any

WRITE_TOOLS = ("Write", "Edit", "MultiEdit", "NotebookEdit")
MAX_FILE_BYTES = 256 << 20  # a larger file is not read to work out an edit (nor checkpointed)
CURLY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


class ToolInputError(ValueError):
    """The tool's input is not what Claude Code sends (a field missing, of the wrong type)."""


def target(tool: str, tool_input: Mapping[str, Any], cwd: str) -> str:
    """The path the tool writes, absolute (relative ones from `cwd`), not yet resolved."""
    key = "notebook_path" if tool == "NotebookEdit" else "file_path"
    path = _text(tool_input, key)
    if not path or "\0" in path:
        raise ToolInputError(f"{tool}: {key} is empty or holds a NUL byte")
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))


def content(tool: str, tool_input: Mapping[str, Any], path: str) -> bytes:
    """The bytes `path` (resolved, inside the shadow) would hold after the tool ran."""
    if tool == "Write":
        return _encode(_text(tool_input, "content"))
    if tool in ("Edit", "MultiEdit"):
        return _edited(path, _edits(tool, tool_input))
    if tool == "NotebookEdit":
        return _notebook(path, tool_input)
    raise ToolInputError(f"{tool} writes no file git-agent knows how to judge")


def _text(tool_input: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = tool_input.get(key, default)
    if not isinstance(value, str):
        raise ToolInputError(f"{key} must be a string")
    return value


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def read_current(path: str) -> bytes | None:
    """The file's bytes now (None: there is none); a ToolInputError for what no tool edits
    (a folder, a device, a file too large to read)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ToolInputError(f"{path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ToolInputError(f"{path} is larger than {MAX_FILE_BYTES >> 20} MiB")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


# --- Edit and MultiEdit -------------------------------------------------------------------------

Edit = tuple[str, str, bool]  # old, new, replace_all


def _edits(tool: str, tool_input: Mapping[str, Any]) -> list[Edit]:
    if tool == "Edit":
        return [_edit(tool_input)]
    edits = tool_input.get("edits")
    if not isinstance(edits, list) or not edits:
        raise ToolInputError("MultiEdit: edits must be a non-empty list")
    if not all(isinstance(e, Mapping) for e in edits):
        raise ToolInputError("MultiEdit: each edit must be an object")
    return [_edit(e) for e in edits]


def _edit(fields: Mapping[str, Any]) -> Edit:
    every = fields.get("replace_all", False)
    if not isinstance(every, bool):
        raise ToolInputError("replace_all must be true or false")
    return _text(fields, "old_string"), _text(fields, "new_string"), every


def _edited(path: str, edits: list[Edit]) -> bytes:
    current = read_current(path)
    text = "" if current is None else current.decode("utf-8", "surrogateescape")
    crlf = _crlf(text)
    text = text.replace("\r\n", "\n")
    for old, new, every in edits:
        text = apply_edit(text, old, new, every, exists=current is not None)
    return _encode(text.replace("\n", "\r\n") if crlf else text)


def _crlf(text: str) -> bool:
    """Whether the file's line ends are CRLF (more of them than bare LF, as Claude Code sees
    it in the file's first 4 KiB)."""
    head = text[:4096]
    windows = head.count("\r\n")
    return windows > head.count("\n") - windows


def apply_edit(text: str, old: str, new: str, every: bool, exists: bool = True) -> str:
    """`text` with the edit applied as Claude Code applies it; when it would fail, `text`
    with `new` added (what could be written)."""
    if old == "":
        return new if not exists or not text else text + "\n" + new
    actual = _actual(text, old)
    if actual is None:
        return text + "\n" + new
    if actual != old:
        new = _curled(actual, new)
    if new == "" and not actual.endswith("\n") and actual + "\n" in text:
        actual += "\n"  # a deleted line takes its line end along
    return text.replace(actual, new) if every else text.replace(actual, new, 1)


def _straight(text: str) -> str:
    return "".join(CURLY.get(c, c) for c in text)


def _actual(text: str, old: str) -> str | None:
    """The string of `text` the edit replaces: `old` itself, or `old` with straight quotes
    where the file has curly ones."""
    if old in text:
        return old
    at = _straight(text).find(_straight(old))
    return None if at < 0 else text[at : at + len(old)]


def _curled(actual: str, new: str) -> str:
    """`new` in the file's quotes, where the file's text had curly ones."""
    if not any(c in actual for c in CURLY):
        return new
    out = []
    for i, c in enumerate(new):
        if c == '"' and any(q in actual for q in "\u201c\u201d"):
            out.append("\u201c" if _opening(new, i) else "\u201d")
        elif c == "'" and any(q in actual for q in "\u2018\u2019"):
            between = 0 < i < len(new) - 1 and new[i - 1].isalpha() and new[i + 1].isalpha()
            out.append("\u2019" if between or not _opening(new, i) else "\u2018")
        else:
            out.append(c)
    return "".join(out)


def _opening(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] in " \t\n\r([{\u2014\u2013"


# --- NotebookEdit -------------------------------------------------------------------------------


def _notebook(path: str, tool_input: Mapping[str, Any]) -> bytes:
    source = _text(tool_input, "new_source")
    mode = _text(tool_input, "edit_mode", "replace")
    kind = tool_input.get("cell_type")
    cell_id = tool_input.get("cell_id")
    if mode not in ("replace", "insert", "delete"):
        raise ToolInputError(f"NotebookEdit: edit_mode {mode!r} is not replace, insert or delete")
    if kind is not None and kind not in ("code", "markdown"):
        raise ToolInputError("NotebookEdit: cell_type must be code or markdown")
    if cell_id is not None and not isinstance(cell_id, str):
        raise ToolInputError("NotebookEdit: cell_id must be a string")
    current = read_current(path) or b""
    try:
        notebook = json.loads(current)
        cells = notebook["cells"]
        if not isinstance(cells, list):
            raise TypeError
    except (ValueError, TypeError, KeyError):
        return current + b"\n" + _encode(source)  # the tool fails: judge what it was given
    edited = _edit_cells(notebook, cells, source, mode, kind, cell_id)
    return _encode(json.dumps(edited, indent=1, ensure_ascii=False))


def _edit_cells(
    notebook: dict[str, Any],
    cells: list[Any],
    source: str,
    mode: str,
    kind: str | None,
    cell_id: str | None,
) -> dict[str, Any]:
    at = _cell_index(cells, cell_id)
    if cell_id and mode == "insert":
        at += 1  # after the cell named
    if mode == "replace" and at == len(cells):
        mode, kind = "insert", kind or "code"  # one past the end: a new cell
    if mode == "delete":
        if 0 <= at < len(cells):
            del cells[at]
    elif mode == "insert":
        cell: dict[str, Any] = {"cell_type": kind or "code", "source": source, "metadata": {}}
        if cell["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        cells.insert(max(0, min(at, len(cells))), cell)
    elif 0 <= at < len(cells) and isinstance(cells[at], dict):
        cells[at]["source"] = source
        if cells[at].get("cell_type") == "code":
            cells[at].update(execution_count=None, outputs=[])
        if kind:
            cells[at]["cell_type"] = kind
    else:
        cells.append({"cell_type": kind or "code", "source": source, "metadata": {}})
    return notebook


def _cell_index(cells: list[Any], cell_id: str | None) -> int:
    """The index of the cell `cell_id` names (its id, or `cell-N`); 0 when none is named."""
    if not cell_id:
        return 0
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("id") == cell_id:
            return index
    number = cell_id.removeprefix("cell-")
    if cell_id.startswith("cell-") and number.isdigit():
        return int(number)
    return -1
