"""Remotes through the git CLI: which there are, what refs one has, fetching objects without
touching refs, and pushing refs (hooks run, as for any push)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from supervisor.errors import GitError, Refused, UsageError
from supervisor.gitio.run import last_line, run_git


class Rejected(Refused):
    """The remote refused a ref (not a fast-forward, a hook declined it): exit 1."""


def remotes(cwd: Path) -> list[str]:
    return run_git(["remote"], cwd).stdout.decode().split()


def resolve_remote(cwd: Path, given: str | None) -> str:
    """`given` when it is a remote, a path or a URL; else `origin`, or the only remote."""
    names = remotes(cwd)
    if given:
        if given in names or "/" in given or ":" in given:
            return given
        raise UsageError(f"no remote named {given!r} (remotes here: {', '.join(names) or 'none'})")
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return names[0]
    raise UsageError(
        "name the remote: "
        + (f"there are several ({', '.join(names)})" if names else "there is none")
    )


def ls_remote(cwd: Path, remote: str, patterns: Sequence[str]) -> dict[str, str]:
    """ref -> id of the remote's refs matching `patterns` (globs allowed)."""
    proc = run_git(["ls-remote", "--refs", remote, *patterns], cwd, check=False)
    if proc.returncode != 0:
        raise GitError(f"cannot reach {remote}: {last_line(proc.stderr, proc.returncode)}")
    found = {}
    for line in proc.stdout.decode(errors="surrogateescape").splitlines():
        oid, _, name = line.partition("\t")
        found[name] = oid
    return found


def fetch_objects(cwd: Path, remote: str, refs: Sequence[str]) -> None:
    """Fetch what `refs` of the remote reach, setting no ref (not even FETCH_HEAD)."""
    if refs:
        run_git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, *refs], cwd)


def fetch_refs(cwd: Path, remote: str, refspecs: Sequence[str]) -> bool:
    """Fetch with `refspecs`; False when git could not (nothing matched is no failure)."""
    if not refspecs:
        return True
    proc = run_git(["fetch", "--quiet", "--no-tags", remote, *refspecs], cwd, check=False)
    return proc.returncode == 0


def push(cwd: Path, remote: str, refs: Sequence[str], leases: dict[str, str] | None = None) -> None:
    """Push each ref to the same name on `remote`, all or none where the remote can; a ref in
    `leases` replaces what the remote has only if that is still the given id."""
    leases = leases or {}
    args = [f"--force-with-lease={ref}:{expect}" for ref, expect in leases.items()]
    specs = [f"{'+' if ref in leases else ''}{ref}:{ref}" for ref in refs]
    for atomic in (["--atomic"], []):
        proc = run_git(["push", "--porcelain", *atomic, *args, remote, *specs], cwd, check=False)
        if proc.returncode == 0:
            return
        said = proc.stderr.decode(errors="replace") + proc.stdout.decode(errors="replace")
        if atomic and "does not support --atomic" in said:
            continue
        if any(line.startswith("!") for line in said.splitlines()):
            raise Rejected(f"{remote} refused the push: {_why(said, proc.returncode)}")
        raise GitError(f"git push to {remote} failed: {_why(said, proc.returncode)}")


def _why(said: str, code: int) -> str:
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    rejected = [line for line in lines if line.startswith("!")]
    hook = [line for line in lines if "git-agent:" in line or "hook declined" in line]
    found = hook[:3] + rejected[:3] or lines[-1:]
    return "; ".join(found) if found else f"exit {code}"
