"""Steps the hostile tests share: a started feature and its paths, commands as a person and as
the agent (from the shadow, with its environment)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import Result, cli, commit_all, git


def start(repo: Path, name: str = "f", *extra: str) -> tuple[Path, Path]:
    """Start `name`; (shadow, worktree)."""
    done = cli(repo, "start", name, *extra)
    assert done.code == 0, done
    info = cli(repo, "status", name, "--json").json()
    assert isinstance(info, dict)
    return Path(info["shadow"]), Path(info["worktree"])


def policy(repo: Path, text: str, message: str = "policy") -> str:
    (repo / ".git-agent").mkdir(exist_ok=True)
    (repo / ".git-agent" / "policy.toml").write_text(text)
    return commit_all(repo, message)


def agent(shadow: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """`git agent ...` run by the agent: a real process, in its shadow."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    full.update(env or {})
    proc = subprocess.run(
        ["git", "agent", *args], cwd=shadow, env=full, capture_output=True, check=False
    )
    return Result(
        proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err + result.out, result
    assert result.err.count("\n") <= 1, result


__all__ = ["agent", "commit_all", "git", "no_traceback", "policy", "start"]
