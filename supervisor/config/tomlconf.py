"""TOML files read into pydantic models, with every error as `FILE:LINE: message`."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from supervisor.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_AT_END = "(at end of document)"


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Best-effort map from dotted key path to the line that defines it (1-based)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = tuple(_split_key(header.group(1)))
            if line.lstrip().startswith("[["):
                index = counts[table] = counts.get(table, -1) + 1
                lines.setdefault(table, number)
                table = (*table, str(index))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault((*table, *_split_key(key.group(1))), number)
    return lines


def locate(text: str, loc: tuple[str | int, ...], value: object = None) -> int | None:
    """The line of the deepest known prefix of `loc` (of the bad string, in a multi-line array)."""
    known = key_lines(text)
    path = tuple(str(part) for part in loc)
    while path:
        if path in known:
            found = known[path]
            if len(path) < len(loc) and isinstance(value, str):
                return _string_line(text, found, value) or found
            return found
        path = path[:-1]
    return None


def _string_line(text: str, start: int, value: str) -> int | None:
    """The first line from `start` on, before the next key or table, quoting `value`."""
    quoted = (json.dumps(value, ensure_ascii=False), f"'{value}'")
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        if number > start and (_HEADER.match(line) or _KEY.match(line)):
            return None
        if any(q in line for q in quoted):
            return number
    return None


def parse(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _AT_LINE.search(message)
        line = int(match.group(1)) if match else None
        if _AT_END in message:
            line, message = max(1, len(text.splitlines())), message.replace(_AT_END, "")
        raise ConfigError(file, _AT_LINE.sub("", message).strip(), line) from exc


def load_model(model: type[Model], data: bytes, file: str) -> Model:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(file, f"not UTF-8 (byte {exc.start})") from exc
    raw = parse(text, file)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        message = _message(error["type"], error["msg"], where)
        raise ConfigError(file, message, locate(text, loc, error.get("input"))) from exc


def _message(kind: str, msg: str, where: str) -> str:
    if kind == "extra_forbidden":
        return f"unknown key {where!r}"
    if msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}"
