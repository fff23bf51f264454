"""`git agent install-hooks [--uninstall]`: shims into the common git dir (or core.hooksPath)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from supervisor.gitio import Repo
from supervisor.hookfiles import install, uninstall
from supervisor.output import Output


def hooks_dir(repo: Repo) -> Path:
    configured = repo.config_get("core.hooksPath")
    if configured:
        return (repo.workdir / Path(configured).expanduser()).resolve()
    return repo.common_dir / "hooks"


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    target = hooks_dir(Repo.discover(Path(cwd)))
    done = uninstall(target) if args.uninstall else install(target, sys.executable)
    for line in done or ["nothing to do"]:
        out.line(line)
    return 0
