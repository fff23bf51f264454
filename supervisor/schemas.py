"""JSON Schemas of the policy, the plan and the JSON reports, generated into `schemas/`.

Regenerate after changing a model or a command's JSON output:

    python3 -m supervisor.schemas            # writes schemas/<name>.schema.json
    python3 -m supervisor.schemas --check    # exit 1 when a file in schemas/ is stale

The report models below describe the JSON exactly as the commands print it (`status`/`list`,
`checkpoint`, `checkpoints`, `validate`); tests/test_schemas.py holds them to that.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from supervisor.config.models import Plan, Policy

DIALECT = "https://json-schema.org/draft/2020-12/schema"
OUT = Path(__file__).resolve().parent.parent / "schemas"
COMMIT = r"^[0-9a-f]{40}([0-9a-f]{24})?$"


class Exact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Verdict(Exact):
    """The last validation of a feature."""

    ok: bool
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)


class Promoted(Exact):
    """The last promotion of a feature."""

    commit: str = Field(pattern=COMMIT)
    checkpoint: int = Field(ge=0)


class Live(Exact):
    """What the supervisor watching a feature says of it, when one does and answers."""

    pid: int
    supervision: Literal["watching", "paused"]
    polling: bool  # events cannot be trusted here: full scans on a timer
    pending: int = Field(ge=0)  # paths events named that are not judged yet
    changed: int = Field(ge=0)  # paths that differ from the last checkpoint


class Status(Exact):
    """`git agent status <feature> --json`; `list --json` and `status --json` print a list of these."""

    feature: str
    state: str
    base: str = Field(pattern=COMMIT)
    branch: str
    head: str | None = Field(pattern=COMMIT)
    worktree: str
    shadow: str
    checkpoints: int | None = Field(ge=1)
    last_checkpoint: int | None = Field(ge=0)
    promoted: Promoted | None
    plan_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    verdict: Verdict | None
    supervision: Literal["watching", "paused", "interrupted", "stopped"] | None
    live: Live | None
    agent: dict[str, Any] | None


class Checkpoint(Exact):
    """`git agent checkpoint <feature> --json`."""

    number: int = Field(ge=0)
    commit: str = Field(pattern=COMMIT)
    created: bool = Field(description="false when nothing changed since the last checkpoint")


class CheckpointItem(Exact):
    """One checkpoint of the chain."""

    number: int = Field(ge=0)
    commit: str = Field(pattern=COMMIT)
    time: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")
    message: str


class Checkpoints(RootModel[list[CheckpointItem]]):
    """`git agent checkpoints <feature> --json`: the chain, oldest first."""


class ViolationItem(Exact):
    """What a rule found."""

    rule: str
    severity: Literal["error", "warning"]
    path: str | None
    line: int | None = Field(ge=1)
    message: str


class ChangeItem(Exact):
    """One changed path; `mode` and `old_mode` are git's octal modes."""

    path: str
    status: Literal["A", "M", "D", "R", "C", "T"]
    old_path: str | None
    added: int = Field(ge=0)
    deleted: int = Field(ge=0)
    binary: bool
    mode: str | None = Field(pattern=r"^[0-7]{6}$")
    old_mode: str | None = Field(pattern=r"^[0-7]{6}$")


class Report(Exact):
    """`git agent validate <feature> --json`."""

    ok: bool
    violations: list[ViolationItem]
    changes: list[ChangeItem]
    incomplete: bool = Field(
        description="plugins were blocked locally (GIT_AGENT_DISABLE_PLUGINS): never ok"
    )
    blocked: list[str] = Field(description="the plugins blocked locally")


MODELS: dict[str, type[BaseModel]] = {
    "policy": Policy,
    "plan": Plan,
    "status": Status,
    "checkpoint": Checkpoint,
    "checkpoints": Checkpoints,
    "report": Report,
}


def schema(name: str) -> dict[str, Any]:
    return {"$schema": DIALECT, **MODELS[name].model_json_schema()}


def render() -> dict[str, str]:
    """File name -> text of every schema: sorted keys, a trailing newline."""
    return {
        f"{name}.schema.json": json.dumps(schema(name), indent=2, sort_keys=True) + "\n"
        for name in MODELS
    }


def stale(out: Path) -> list[str]:
    """The schema files in `out` that are missing or differ from the models."""
    found = []
    for file, text in render().items():
        target = out / file
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            found.append(file)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m supervisor.schemas", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="the folder (default schemas/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(args.out)
        for file in outdated:
            print(f"stale: {args.out / file} (run python3 -m supervisor.schemas)", file=sys.stderr)
        return 1 if outdated else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for file, text in render().items():
        (args.out / file).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
