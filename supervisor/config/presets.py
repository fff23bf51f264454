"""The ready policies shipped in the wheel (`policies/*.toml`)."""

from __future__ import annotations

from importlib import resources

from supervisor.errors import UsageError


def preset_text(name: str) -> bytes:
    if name not in presets():  # never a path: `../x` or `/tmp/x` must not reach a file
        raise UsageError(f"unknown preset {name!r}: choose from {', '.join(presets())}")
    return resources.files("git_agent_policies").joinpath(f"{name}.toml").read_bytes()


def presets() -> list[str]:
    files = resources.files("git_agent_policies").iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))
