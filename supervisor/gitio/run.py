"""Running the git CLI: for what libgit2 cannot do (hooks, filters, `worktree lock`) and for the
light path of the gates, which must not pay for importing pygit2."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from supervisor.errors import GitError

# Settings that change what plumbing prints; fixed so parsing never depends on the user's config.
FIXED_CONFIG = ("-c", "core.quotePath=true", "-c", "color.ui=never", "-c", "diff.noprefix=false")


# While a server's receive hook runs, the pushed objects wait in a quarantine only these
# variables lead to: the git commands the hook starts must keep them to see what it judges.
QUARANTINE = ("GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment minus the GIT_* variables a hook inherits (but a receive hook's
    quarantine, see QUARANTINE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if os.environ.get("GIT_QUARANTINE_PATH"):
        env.update({k: os.environ[k] for k in QUARANTINE if k in os.environ})
    env.update(extra or {})
    return env


def run_git(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run the git CLI in `cwd`; raise GitError with git's own message on failure."""
    try:
        proc = subprocess.run(
            ["git", *FIXED_CONFIG, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=clean_env(env),
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if check and proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {last_line(proc.stderr, proc.returncode)}")
    return proc


class Running:
    """A git command started now and read later: git works on the other core meanwhile."""

    def __init__(
        self,
        args: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
        stdin: IO[bytes] | None = None,
    ) -> None:
        self.args = list(args)
        try:
            self.proc = subprocess.Popen(
                ["git", *FIXED_CONFIG, *args],
                cwd=cwd,
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=clean_env(env),
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc}") from exc

    def output(self) -> bytes:
        """Its standard output; GitError with git's own message when it failed."""
        out, err = self.proc.communicate()
        self._check(err)
        return out

    def chunks(self, size: int) -> Iterator[bytes]:
        """Its standard output as it comes."""
        assert self.proc.stdout is not None
        descriptor = self.proc.stdout.fileno()
        while chunk := os.read(descriptor, size):
            yield chunk

    def finish(self) -> None:
        """Wait for it (reading what is left); GitError when it failed."""
        _, err = self.proc.communicate()
        self._check(err)

    def _check(self, err: bytes) -> None:
        if self.proc.returncode != 0:
            raise GitError(f"git {self.args[0]} failed: {last_line(err, self.proc.returncode)}")


def last_line(stderr: bytes, code: int) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit {code}"


@contextmanager
def git_alongside(args: Sequence[str], cwd: Path) -> Iterator[None]:
    """Run the git CLI while the body runs (two cores, two jobs); raise its error after."""
    try:
        proc = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=clean_env(),
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    try:
        yield
    finally:
        _, err = proc.communicate()
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {last_line(err, proc.returncode)}")
