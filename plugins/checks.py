"""The plan's checks: commands run in the content to promote; a failing one refuses promotion."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from supervisor.plugin import RuleContext, Violation, hookimpl, tables


@hookimpl
def git_agent_before_promote(ctx: RuleContext) -> Sequence[Violation]:
    """Each check of the plan, in a checkout made only when there is a check to run."""
    found = []
    for check in ctx.rules.checks:
        argv = _argv(check.run)
        problem = _run(argv, ctx.checkout(), check.timeout)
        if problem:
            found.append(
                Violation(rule="check.failed", path=None, message=f"check {check.name!r} {problem}")
            )
    return found


def _run(argv: list[str], root: Path, timeout: float) -> str | None:
    try:
        proc = subprocess.run(
            argv,
            cwd=root,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:g}s"
    except OSError as exc:
        return f"could not run: {exc.strerror}"
    if proc.returncode == 0:
        return None
    tail = (proc.stdout + proc.stderr).decode(errors="replace").strip().splitlines()[-3:]
    return f"failed with exit {proc.returncode}" + (": " + " | ".join(tail) if tail else "")


def _argv(run: list[str] | str) -> list[str]:
    import shlex

    return shlex.split(run) if isinstance(run, str) else run


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    tables(ctx, "checks", ())  # the checks are the plan's [[checks]]; [plugins.checks] takes none
