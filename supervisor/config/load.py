"""Reading a policy or a plan into the plain objects of `config.rules`.

A file is validated by the pydantic models once; what validation gives is kept as JSON in a
cache keyed by the file's git blob id, so the gates, which run on every commit, read a policy
they have seen before without importing pydantic (~135 ms).
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supervisor import __version__
from supervisor.config.rules import Layer
from supervisor.errors import ConfigError

POLICY_PATH = ".git-agent/policy.toml"
CACHE_FORMAT = 4
MAX_CONFIG_BYTES = (
    1 << 20
)  # a policy or plan larger than this is refused unread  # raise when what a cache entry holds changes
DEFAULT_PRESET = "default"


def check_size(size: int, file: str) -> None:
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(file, f"is {size} bytes; a policy or plan is at most {MAX_CONFIG_BYTES}")


def load_policy(data: bytes, file: str = POLICY_PATH) -> Layer:
    """Validate a policy's bytes; `ConfigError` (`FILE:LINE: message`) when it is not valid."""
    check_size(len(data), file)
    return Layer.from_dict(validated_policy(data, file), file, _text(data))


def load_plan(data: bytes, file: str) -> Layer:
    check_size(len(data), file)
    return Layer.from_dict(validated_plan(data, file), file, _text(data))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def validated_plan(data: bytes, file: str) -> dict[str, Any]:
    from supervisor.config.models import Plan
    from supervisor.config.tomlconf import load_model

    return load_model(Plan, data, file).model_dump(mode="json")


def validated_policy(data: bytes, file: str) -> dict[str, Any]:
    from supervisor.config.models import Policy
    from supervisor.config.tomlconf import load_model

    return load_model(Policy, data, file).model_dump(mode="json")


def plan_hash(data: bytes | None) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data or b"").hexdigest()


def read_policy(blob: str | None, content: Callable[[], bytes], cache: Path | None) -> Layer:
    """The policy whose blob id is `blob` (None: no policy committed, so the default preset),
    through the cache in `cache` when one is given."""
    key = f"{blob}" if blob else f"preset-{DEFAULT_PRESET}"
    entry = cache / f"policy-{key}-{_tag()}.marshal" if cache else None
    cached = _read_cache(entry)
    if cached is not None:
        return Layer.from_dict(cached["valid"], cached["file"], cached["text"])
    if blob is None:
        from supervisor.config.presets import preset_text

        data, file = preset_text(DEFAULT_PRESET), f"preset {DEFAULT_PRESET}.toml"
    else:
        data, file = content(), POLICY_PATH
    check_size(len(data), file)
    valid = validated_policy(data, file)
    _write_cache(entry, {"valid": valid, "file": file, "text": _text(data)})
    return Layer.from_dict(valid, file, _text(data))


def _tag() -> str:
    """What a cache entry depends on besides the file: our version and the interpreter's
    (marshal's format is the interpreter's own)."""
    return f"{CACHE_FORMAT}-{__version__}-py{sys.version_info[0]}{sys.version_info[1]}"


def _read_cache(entry: Path | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    try:
        found = marshal.loads(entry.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(found, dict) or not {"valid", "file", "text"} <= found.keys():
        return None
    return found


def _write_cache(entry: Path | None, valid: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written costs only speed."""
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(valid))
        os.replace(tmp, entry)
    except OSError:
        pass
