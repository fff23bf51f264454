"""TOML files read into pydantic models, with every error as `FILE:LINE: message`."""

from __future__ import annotations

import re
import tomllib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from supervisor.config.lines import locate
from supervisor.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_AT_END = "(at end of document)"


def parse(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(file, "values nested too deep to read") from None
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
    except RecursionError:
        raise ConfigError(file, "values nested too deep to check") from None
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
