"""`git agent install-hooks [--uninstall]`: shims into the common git dir (or core.hooksPath)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from supervisor.gates.shims import hooks_dir, hooks_for, install, uninstall
from supervisor.gitio.locate import locate
from supervisor.gitio.repo import Repo
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    repo = Repo.at(locate(Path(cwd), env))
    target, names = hooks_dir(repo), hooks_for(repo)
    done = uninstall(target, names) if args.uninstall else install(target, sys.executable, names)
    for line in done or ["nothing to do"]:
        out.line(line)
    return 0
