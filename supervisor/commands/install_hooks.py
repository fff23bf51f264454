"""`git agent install-hooks [--uninstall]`: shims into the common git dir (or core.hooksPath)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from supervisor.gates.shims import hooks_dir, install, uninstall
from supervisor.gitio.repo import Repo
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    target = hooks_dir(Repo.discover(Path(cwd), env))
    done = uninstall(target) if args.uninstall else install(target, sys.executable)
    for line in done or ["nothing to do"]:
        out.line(line)
    return 0
