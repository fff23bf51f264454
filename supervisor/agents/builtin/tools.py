"""The agent's tools, as the model sees them (names, descriptions, input schemas) and as they
run: reading, listing and searching the shadow, writing and editing files in it (each write
judged first), and running a command in it. Every path is confined to the shadow; a tool that
cannot do what it was asked answers with an error the model reads and can act on."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from supervisor.agents.builtin.commands import run_command
from supervisor.agents.builtin.judge import Judge, Verdict
from supervisor.agents.builtin.usage import Limits
from supervisor.errors import UsageError
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.prospective import shadow_path

READ_LIMIT = 200_000  # characters of a file shown at once
READ_LINES = 2000
LIST_LIMIT = 2000
SEARCH_LIMIT = 200
SEARCH_FILE_LIMIT = 2_000_000  # bytes: larger files are not searched
LINE_LIMIT = 300
COMMAND_TIMEOUT = 120.0
COMMAND_TIMEOUT_MAX = 1800.0


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


PATH = {"type": "string", "description": "a path relative to the working directory"}
TOOLS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": "Read a text file. Long files come in pieces: give offset (the first "
        "line, from 1) and limit (how many lines) to read further.",
        "input_schema": _schema(
            {"path": PATH, "offset": {"type": "integer"}, "limit": {"type": "integer"}},
            ["path"],
        ),
    },
    {
        "name": "list_files",
        "description": "List the files under a folder, recursively (folders end with /).",
        "input_schema": _schema({"path": PATH}, []),
    },
    {
        "name": "search",
        "description": "Search the text files under a folder for a regular expression "
        "(Python syntax); answers path:line: text for each matching line.",
        "input_schema": _schema({"pattern": {"type": "string"}, "path": PATH}, ["pattern"]),
    },
    {
        "name": "write_file",
        "description": "Write a whole file (created with its folders if need be). The write is "
        "checked against the repository's rules first; a refused write names the rule.",
        "input_schema": _schema({"path": PATH, "content": {"type": "string"}}, ["path", "content"]),
    },
    {
        "name": "edit_file",
        "description": "Replace the one occurrence of old in a file with new (old must occur "
        "exactly once). Checked against the repository's rules like write_file.",
        "input_schema": _schema(
            {"path": PATH, "old": {"type": "string"}, "new": {"type": "string"}},
            ["path", "old", "new"],
        ),
    },
    {
        "name": "run_command",
        "description": "Run a shell command in the working directory; answers its exit code "
        "and output (stdout and stderr together, long output cut in the middle). It is ended "
        f"after timeout seconds (default {COMMAND_TIMEOUT:.0f}); background processes it "
        "leaves are ended when it returns.",
        "input_schema": _schema(
            {"command": {"type": "string"}, "timeout": {"type": "number"}}, ["command"]
        ),
    },
]


class ToolError(Exception):
    """What the model is told when a tool could not do what it asked."""


class Tools:
    def __init__(
        self,
        feature: Feature,
        judge: Judge,
        limits: Limits,
        env: Mapping[str, str],
        redact: Callable[[str], str],
        confine: Callable[[list[str]], list[str]] = list,
    ) -> None:
        self.feature = feature
        self.confine = confine
        self.shadow = Path(os.path.realpath(feature.shadow))
        self.judge = judge
        self.limits = limits
        self.env = env
        self.redact = redact
        self.handlers: dict[str, Callable[[dict[str, Any]], str]] = {
            "read_file": self.read_file,
            "list_files": self.list_files,
            "search": self.search,
            "write_file": self.write_file,
            "edit_file": self.edit_file,
            "run_command": self.run_command,
        }

    def run(self, name: str, given: object) -> tuple[str, bool]:
        """The tool's answer, and whether it is an error."""
        handler = self.handlers.get(name)
        try:
            if handler is None:
                raise ToolError(
                    f"there is no tool {name!r}; the tools are {', '.join(self.handlers)}"
                )
            if not isinstance(given, dict):
                raise ToolError(f"{name}: the input must be an object, not {type(given).__name__}")
            return self.redact(handler(given)), False
        except ToolError as exc:
            return self.redact(f"error: {exc}"), True
        except UsageError as exc:
            return self.redact(f"error: {exc}"), True
        except OSError as exc:
            return self.redact(f"error: {exc.strerror or exc}"), True

    # paths --------------------------------------------------------------------------------------
    def _confine(self, path: str) -> tuple[str, Path]:
        """The path inside the shadow (its relative name, its full path), symlinks resolved."""
        rel = os.fsdecode(shadow_path(self.feature, path))
        return rel, self.shadow / rel

    def _folder(self, given: dict[str, Any]) -> tuple[str, Path]:
        path = _text(given, "path", "list_files", default=".")
        if path.strip() in ("", ".", "./"):
            return ".", self.shadow
        return self._confine(path)

    # reading ------------------------------------------------------------------------------------
    def read_file(self, given: dict[str, Any]) -> str:
        rel, full = self._confine(_text(given, "path", "read_file"))
        offset = _number(given, "offset", "read_file", 1)
        limit = _number(given, "limit", "read_file", READ_LINES)
        data = full.read_bytes()
        text = _decoded(data)
        if text is None:
            return f"{rel} is a binary file of {len(data)} bytes; not shown"
        lines = text.splitlines(keepends=True)
        first = max(1, int(offset))
        shown = lines[first - 1 : first - 1 + max(1, int(limit))]
        body = "".join(shown)
        if len(body) > READ_LIMIT:
            body = body[:READ_LIMIT]
            shown = body.splitlines(keepends=True)
        if first == 1 and len(shown) == len(lines):
            return body
        last = first + len(shown) - 1
        return f"[{rel}: lines {first}-{last} of {len(lines)}]\n{body}"

    def list_files(self, given: dict[str, Any]) -> str:
        rel, full = self._folder(given)
        if not full.is_dir():
            raise ToolError(f"{rel} is not a folder")
        found = list(_walk(full, self.shadow))
        shown = found[:LIST_LIMIT]
        more = len(found) - len(shown)
        return "\n".join(shown + ([f"... and {more} more"] if more else [])) or "(empty)"

    def search(self, given: dict[str, Any]) -> str:
        pattern = _text(given, "pattern", "search")
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ToolError(f"search: not a regular expression: {exc}") from None
        _, full = self._folder(given)
        files = [full] if full.is_file() else [self.shadow / p for p in _walk(full, self.shadow)]
        matches: list[str] = []
        for path in files:
            if path.is_dir() or path.is_symlink():
                continue
            matches.extend(_matches(path, self.shadow, regex, SEARCH_LIMIT - len(matches)))
            if len(matches) >= SEARCH_LIMIT:
                matches.append(f"... (stopped at {SEARCH_LIMIT} matches)")
                break
        return "\n".join(matches) or "no match"

    # writing ------------------------------------------------------------------------------------
    def write_file(self, given: dict[str, Any]) -> str:
        rel, full = self._confine(_text(given, "path", "write_file"))
        data = _text(given, "content", "write_file").encode("utf-8", "surrogateescape")
        return self._write(rel, full, data)

    def edit_file(self, given: dict[str, Any]) -> str:
        rel, full = self._confine(_text(given, "path", "edit_file"))
        old = _text(given, "old", "edit_file")
        new = _text(given, "new", "edit_file")
        if not old:
            raise ToolError("edit_file: old is empty; use write_file to write a whole file")
        if not full.is_file():
            raise ToolError(f"edit_file: {rel} does not exist")
        text = _decoded(full.read_bytes())
        if text is None:
            raise ToolError(f"edit_file: {rel} is not a text file")
        count = text.count(old)
        if count != 1:
            where = "does not occur" if count == 0 else f"occurs {count} times"
            raise ToolError(f"edit_file: old {where} in {rel}; give a longer, unique piece")
        data = text.replace(old, new, 1).encode("utf-8", "surrogateescape")
        return self._write(rel, full, data)

    def _write(self, rel: str, full: Path, data: bytes) -> str:
        if full.is_dir():
            raise ToolError(f"{rel} is a folder")
        kind = "exec" if full.is_file() and full.stat().st_mode & stat.S_IXUSR else "file"
        verdict = self.judge.check(rel, data, kind)
        if not verdict.allowed:
            raise ToolError(_refused(rel, verdict))
        full.parent.mkdir(parents=True, exist_ok=True)
        with open(full, "wb") as stream:
            stream.write(data)
        return f"wrote {len(data)} bytes to {rel}" + _warned(verdict)

    # commands -----------------------------------------------------------------------------------
    def run_command(self, given: dict[str, Any]) -> str:
        command = _text(given, "command", "run_command")
        timeout = _number(given, "timeout", "run_command", COMMAND_TIMEOUT)
        timeout = max(1.0, min(float(timeout), COMMAND_TIMEOUT_MAX))
        left = self.limits.remaining_time()
        if left is not None:
            self.limits.check_time(1.0)
            timeout = min(timeout, left)
        return run_command(command, self.shadow, self.env, timeout, self.confine)


# input -------------------------------------------------------------------------------------------
def _text(given: dict[str, Any], key: str, tool: str, default: str | None = None) -> str:
    value = given.get(key, default)
    if value is None:
        raise ToolError(f"{tool}: {key} is missing (a string)")
    if not isinstance(value, str):
        raise ToolError(f"{tool}: {key} must be a string, not {type(value).__name__}")
    return value


def _number(given: dict[str, Any], key: str, tool: str, default: float) -> float:
    value = given.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ToolError(f"{tool}: {key} must be a number, not {type(value).__name__}")
    return float(value)


# what the tools say --------------------------------------------------------------------------------
def _refused(rel: str, verdict: Verdict) -> str:
    if verdict.refusal is not None:
        return f"refused: {verdict.refusal}. Nothing was written."
    lines = [f"refused by the repository's rules; nothing was written to {rel}:"]
    lines += [_violation(v) for v in verdict.errors]
    lines.append("Write only what these rules allow (another path, or other content).")
    return "\n".join(lines)


def _warned(verdict: Verdict) -> str:
    if not verdict.warnings:
        return ""
    return "\nwarnings:\n" + "\n".join(_violation(v) for v in verdict.warnings)


def _violation(violation: Mapping[str, Any]) -> str:
    line = violation.get("line")
    where = f"{violation.get('path')}:{line}" if line else str(violation.get("path"))
    return f"- {violation.get('rule')} ({violation.get('severity')}) at {where}: {violation.get('message')}"


# files ---------------------------------------------------------------------------------------------
def _decoded(data: bytes) -> str | None:
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _walk(folder: Path, shadow: Path) -> Iterator[str]:
    """Every file and folder under `folder` (relative to the shadow), git's own folders left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        base = Path(root).relative_to(shadow)
        for name in dirs:
            yield f"{(base / name).as_posix()}/"
        for name in sorted(files):
            if name != ".git":
                yield (base / name).as_posix()


def _matches(path: Path, shadow: Path, regex: re.Pattern[str], most: int) -> list[str]:
    try:
        if path.stat().st_size > SEARCH_FILE_LIMIT:
            return []
        text = _decoded(path.read_bytes())
    except OSError:
        return []
    if text is None:
        return []
    rel = path.relative_to(shadow).as_posix()
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if regex.search(line):
            found.append(f"{rel}:{number}: {line[:LINE_LIMIT]}")
            if len(found) >= most:
                break
    return found
