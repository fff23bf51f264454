"""A repository's objects and refs without pygit2: `git cat-file` reads, loose objects written
in Python, refs read from their files and moved by `git update-ref`.

A command that checkpoints a shadow needs a handful of objects and two refs; importing pygit2
alone costs it more than all of that (90 ms). `Repo` uses this until something asks for more
(then it opens pygit2 and keeps using that), so the two never disagree on what they share: the
object store and the refs on disk.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import time
import zlib
from pathlib import Path

from supervisor.errors import GitError
from supervisor.gitio.catfile import CatFile
from supervisor.gitio.objects import KIND_NAMES, SIGNATURE
from supervisor.gitio.run import run_git

HEX40 = re.compile(rb"^[0-9a-f]{40}$")
# refs that live in a worktree's own git dir, not in the common one: read through pygit2
PER_WORKTREE = ("refs/bisect/", "refs/worktree/", "refs/rewritten/")
NULL = "0" * 40
_TMP = itertools.count()
LOCK_HINT = " (a process killed mid-update leaves its .lock; remove it if no git is running)"


class Unsupported(Exception):
    """What the light path does not read (a symbolic ref, another ref storage): use pygit2."""


class LightRepo:
    def __init__(self, git_dir: Path, common_dir: Path) -> None:
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.objects = CatFile(git_dir)
        self._config: dict[str, str] | None = None

    def close(self) -> None:
        self.objects.close()

    # objects --------------------------------------------------------------
    def has_object(self, oid: bytes) -> bool:
        return self.objects.info(oid.hex()) is not None

    def write(self, kind: int, data: bytes) -> bytes:
        """A loose object, as git and libgit2 write one (zlib of `<kind> <size>\\0<data>`),
        renamed into place whole."""
        raw = b"%s %d\0" % (KIND_NAMES[kind].encode(), len(data)) + data
        oid = hashlib.sha1(raw).digest()
        folder = self.common_dir / "objects" / oid[:1].hex()
        target = folder / oid[1:].hex()
        if target.exists():
            return oid
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"tmp_obj_{os.getpid()}_{next(_TMP)}"
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(zlib.compress(raw, 1))
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return oid

    # refs -----------------------------------------------------------------
    def ref(self, name: str) -> str | None:
        """The object `name` points to, read from the ref files; Unsupported when it is not a
        plain ref of the common dir in the files backend."""
        if not name.startswith("refs/") or name.startswith(PER_WORKTREE):
            raise Unsupported(name)
        if (self.common_dir / "reftable").exists():
            raise Unsupported("reftable")
        try:
            content = (self.common_dir / name).read_bytes().strip()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return self._packed(name)
        if not HEX40.match(content):
            raise Unsupported(name)  # symbolic, or not what git writes
        return content.decode()

    def _packed(self, name: str) -> str | None:
        try:
            lines = (self.common_dir / "packed-refs").read_bytes().splitlines()
        except FileNotFoundError:
            return None
        want = name.encode()
        for line in lines:
            oid, _, ref = line.partition(b" ")
            if ref == want and HEX40.match(oid):
                return oid.decode()
        return None

    def update_ref(self, name: str, target: str | None, message: str) -> None:
        """Point `name` at `target` (None: delete it), with a reflog entry where git keeps one.

        A plain ref of the common dir is written as git and libgit2 write it (a `.lock` made
        exclusively, then renamed over the ref), without starting git; anything else (a
        deletion, a ref in a worktree's dir, a folder in the way) goes through `update-ref`."""
        if target is not None and self._write_ref(name, target, message):
            return
        args = ["update-ref", "-m", message, name, target] if target else ["update-ref", "-d", name]
        proc = run_git([f"--git-dir={self.git_dir}", *args], self.git_dir, check=False)
        if proc.returncode != 0:
            lines = proc.stderr.decode(errors="replace").strip().splitlines()
            said = lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else ""
            raise GitError(
                f"cannot {'update' if target else 'delete'} {name}: {said.rstrip(':')}{LOCK_HINT}"
            )

    def _write_ref(self, name: str, target: str, message: str) -> bool:
        """Write a loose ref in Python; False when git should (it names the problem better)."""
        try:
            old = self.ref(name) or NULL
        except Unsupported:
            return False
        path = self.common_dir / name
        lock = path.with_name(path.name + ".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError as exc:
            raise GitError(
                f"cannot update {name}: Unable to create '{lock}': File exists.{LOCK_HINT}"
            ) from exc
        except OSError:
            return False
        try:
            with os.fdopen(descriptor, "w") as out:
                out.write(f"{target}\n")
            os.replace(lock, path)
        except OSError:
            lock.unlink(missing_ok=True)
            return False  # a folder where the ref would be, say: git says what is wrong
        self._log_ref(name, old, target, message)
        return True

    def _log_ref(self, name: str, old: str, new: str, message: str) -> None:
        """A reflog line where git keeps a reflog for this ref (it exists, or the config says
        every ref has one), as git writes it."""
        log = self.common_dir / "logs" / name
        if not log.is_file() and self.config("core.logallrefupdates").lower() != "always":
            return
        who, email = self.identity()
        line = f"{old} {new} {who} <{email}> {_stamp()}\t{' '.join(message.split())}\n"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as out:
            out.write(line)

    # commits --------------------------------------------------------------
    def config(self, key: str) -> str:
        """A value of the repository's config among those this module reads (user.name,
        user.email, core.logallrefupdates), read with one `git config` per process."""
        if self._config is None:
            pattern = r"^(user\.(name|email)|core\.logallrefupdates)$"
            proc = run_git(
                [f"--git-dir={self.git_dir}", "config", "-z", "--get-regexp", pattern],
                self.git_dir,
                check=False,
            )
            self._config = {}
            for item in proc.stdout.decode("utf-8", "replace").split("\0"):
                found, _, value = item.partition("\n")
                if found:
                    self._config[found.lower()] = value.strip()
        return self._config.get(key, "")

    def identity(self) -> tuple[str, str]:
        """user.name and user.email as the repository's config gives them (libgit2's default
        signature), or git-agent's own when either is missing or unusable."""
        name, email = self.config("user.name"), self.config("user.email")
        usable = name and email and not any(c in name + email for c in "<>\n")
        return (name, email) if usable else SIGNATURE

    def commit_bytes(self, tree: bytes, parents: list[str], message: str) -> bytes:
        name, email = self.identity()
        person = f"{name} <{email}> {_stamp()}"
        lines = [f"tree {tree.hex()}", *(f"parent {p}" for p in parents)]
        lines += [f"author {person}", f"committer {person}"]
        return ("\n".join(lines) + "\n\n" + message).encode()


def _stamp() -> str:
    """Now, as git writes a time: seconds and the local offset."""
    now = int(time.time())
    offset = time.localtime(now).tm_gmtoff // 60
    sign = "-" if offset < 0 else "+"
    return f"{now} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"


def parse_commit(data: bytes) -> tuple[dict[bytes, list[bytes]], bytes]:
    """A commit's headers (name -> values, in order) and its raw message."""
    head, _, message = data.partition(b"\n\n")
    headers: dict[bytes, list[bytes]] = {}
    last = b""
    for line in head.split(b"\n"):
        if line.startswith(b" ") and last:
            headers[last][-1] += b"\n" + line[1:]  # a continued header (a signature)
            continue
        key, _, value = line.partition(b" ")
        headers.setdefault(key, []).append(value)
        last = key
    return headers, message


def commit_time(headers: dict[bytes, list[bytes]]) -> float:
    committer = headers.get(b"committer", [b""])[0]
    parts = committer.rsplit(b" ", 2)
    if len(parts) != 3:
        raise Unsupported("a commit without a committer time")
    return float(int(parts[1]))
