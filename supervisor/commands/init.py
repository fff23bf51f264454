"""`git agent init [--preset NAME] [--force]`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.config.load import POLICY_PATH, load_policy
from supervisor.config.presets import preset_text
from supervisor.errors import UsageError
from supervisor.gitio.repo import Repo
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    repo = Repo.discover(Path(cwd), env)
    data = preset_text(args.preset)
    load_policy(data, f"preset {args.preset}")
    target = repo.workdir / POLICY_PATH
    if target.exists() and not args.force:
        raise UsageError(f"{POLICY_PATH} already exists (use --force to overwrite it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    out.line(f"wrote {POLICY_PATH} (preset {args.preset}); commit it to put it in force")
    return 0
