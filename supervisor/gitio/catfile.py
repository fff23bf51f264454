"""Reading objects through one long-lived `git cat-file --batch-command`: the object reader of
the light path, where importing pygit2 would cost more than the work."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from supervisor.errors import GitError
from supervisor.gitio.objects import KINDS
from supervisor.gitio.run import FIXED_CONFIG, clean_env


class CatFile:
    """Objects of the repository whose git dir is `git_dir`, read on demand (read-only)."""

    CHUNK = 512  # requests written before their answers are read (pipes hold ~64 KB)

    def __init__(self, git_dir: Path, env: dict[str, str] | None = None) -> None:
        self.git_dir = git_dir
        self._env = env
        self._proc: subprocess.Popen[bytes] | None = None
        self._headers: dict[str, tuple[int, int]] = {}

    def _pipe(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    [
                        "git",
                        *FIXED_CONFIG,
                        f"--git-dir={self.git_dir}",
                        "cat-file",
                        "--batch-command",
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=clean_env(self._env),
                )
            except OSError as exc:
                raise GitError(f"cannot run git: {exc}") from exc
        assert self._proc.stdin is not None and self._proc.stdout is not None
        return self._proc.stdin, self._proc.stdout

    def _ask(self, command: str, name: str) -> tuple[str, int, str] | None:
        """Send one command; (kind name, size, hex id) from its header, None when missing."""
        if "\n" in name:
            return None
        stdin, stdout = self._pipe()
        try:
            stdin.write(f"{command} {name}\n".encode("utf-8", "surrogateescape"))
            stdin.flush()
        except OSError as exc:
            raise GitError(f"git cat-file stopped: {exc}") from exc
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file stopped answering")
        parts = header.split()
        if len(parts) != 3:
            return None  # "<name> missing" or "<name> ambiguous"
        return parts[1].decode(), int(parts[2]), parts[0].decode()

    def info(self, name: str) -> tuple[str, int, str] | None:
        """(kind name, size, hex id) of the object `name` (an id or `rev:path`), or None."""
        return self._ask("info", name)

    def read(self, oid: bytes | str) -> tuple[int, bytes]:
        """(kind, content) of an object; GitError when it is missing."""
        name = oid.hex() if isinstance(oid, bytes) else oid
        found = self._ask("contents", name)
        if found is None:
            raise GitError(f"object {name} is missing")
        kind, size, _ = found
        _, stdout = self._pipe()
        data = stdout.read(size + 1)[:size]
        return KINDS[kind], data

    def header(self, oid: bytes | str) -> tuple[int, int]:
        """(kind, size) of an object, without reading its content."""
        name = oid.hex() if isinstance(oid, bytes) else oid
        known = self._headers.get(name)
        if known is not None:
            return known
        found = self.info(name)
        if found is None:
            raise GitError(f"object {name} is missing")
        return KINDS[found[0]], found[1]

    def prefetch_headers(self, oids: Iterable[str]) -> None:
        """Ask for many headers at once, a chunk of requests per write: one round trip per
        chunk instead of one per object (a range of 20,000 changed files)."""
        wanted = sorted({o for o in oids if o not in self._headers and "\n" not in o})
        stdin, stdout = self._pipe()
        for start in range(0, len(wanted), self.CHUNK):
            chunk = wanted[start : start + self.CHUNK]
            stdin.write("".join(f"info {oid}\n" for oid in chunk).encode())
            stdin.flush()
            for oid in chunk:
                parts = stdout.readline().split()
                if len(parts) == 3:
                    self._headers[oid] = (KINDS[parts[1].decode()], int(parts[2]))

    def head(self, oid: bytes | str, size: int) -> bytes:
        return self.read(oid)[1][:size]

    def close(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            if proc.stdin is not None:
                proc.stdin.close()
            if proc.stdout is not None:
                proc.stdout.close()
            proc.wait()
