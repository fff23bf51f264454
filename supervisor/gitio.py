"""The one adapter between git-agent and git: pygit2 first, the git CLI where libgit2 cannot."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pygit2
from pygit2.enums import ObjectType

from supervisor.errors import GitError, UsageError

BLOB = int(ObjectType.BLOB)
TREE = int(ObjectType.TREE)
COMMIT = int(ObjectType.COMMIT)
MODE_TREE = 0o040000
MODE_FILE = 0o100644
MODE_EXEC = 0o100755
MODE_LINK = 0o120000
MODE_GITLINK = 0o160000
NULL_OID = "0" * 40
SIGNATURE = ("git-agent", "git-agent@localhost")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment minus the GIT_* variables a hook inherits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
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
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=clean_env(env),
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        detail = message[-1] if message else f"exit {proc.returncode}"
        raise GitError(f"git {args[0]} failed: {detail}")
    return proc


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
        lines = err.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {lines[-1] if lines else proc.returncode}")


class Repo:
    """A repository opened through pygit2, with the operations git-agent needs."""

    def __init__(self, raw: pygit2.Repository) -> None:
        self.raw = raw

    @classmethod
    def discover(cls, start: Path) -> Repo:
        found = pygit2.discover_repository(str(start))
        if found is None:
            raise UsageError(f"not a git repository: {start}")
        repo = cls(pygit2.Repository(found))
        if repo.raw.is_bare:
            raise UsageError(f"a bare repository has no work tree for git-agent: {found}")
        return repo

    @classmethod
    def open(cls, path: Path) -> Repo:
        return cls(pygit2.Repository(str(path)))

    @property
    def common_dir(self) -> Path:
        gitdir = Path(self.raw.path)
        pointer = gitdir / "commondir"
        return (gitdir / pointer.read_text().strip() if pointer.exists() else gitdir).resolve()

    @property
    def workdir(self) -> Path:
        return Path(self.raw.workdir).resolve()

    @property
    def objects_dir(self) -> Path:
        return self.common_dir / "objects"

    # objects --------------------------------------------------------------
    def resolve_commit(self, rev: str) -> str:
        try:
            obj = self.raw.revparse_single(rev)
            commit = obj.peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError) as exc:
            raise UsageError(f"unknown revision: {rev}") from exc
        return str(commit.id)

    def has_head(self) -> bool:
        return not self.raw.head_is_unborn

    def read(self, oid: str | bytes) -> tuple[int, bytes]:
        key = pygit2.Oid(raw=oid) if isinstance(oid, bytes) else pygit2.Oid(hex=oid)
        kind, data = self.raw.odb.read(key)
        return int(kind), data

    def read_blob(self, oid: str | bytes) -> bytes:
        return self.read(oid)[1]

    def write(self, kind: int, data: bytes) -> bytes:
        return self.raw.odb.write(kind, data).raw

    def write_blob_stream(self, path: Path) -> bytes:
        with path.open("rb") as stream:
            return self.raw.create_blob_fromiobase(stream).raw

    def commit_tree(self, commit: str) -> bytes:
        return self.raw[commit].peel(pygit2.Tree).id.raw

    def commit_info(self, oid: str) -> pygit2.Commit:
        return self.raw[oid].peel(pygit2.Commit)

    def create_commit(self, tree: bytes, parents: Sequence[str], message: str) -> str:
        sig = self.signature()
        oid = self.raw.create_commit(
            None, sig, sig, message, pygit2.Oid(raw=tree), [pygit2.Oid(hex=p) for p in parents]
        )
        return str(oid)

    def signature(self) -> pygit2.Signature:
        try:
            return self.raw.default_signature
        except (KeyError, pygit2.GitError):
            return pygit2.Signature(*SIGNATURE)

    # refs -----------------------------------------------------------------
    def ref(self, name: str) -> str | None:
        try:
            return str(self.raw.references[name].resolve().target)
        except (KeyError, pygit2.InvalidSpecError):
            return None

    def set_ref(self, name: str, target: str, message: str) -> None:
        try:
            self.raw.create_reference_direct(name, pygit2.Oid(hex=target), True, message=message)
        except (OSError, pygit2.GitError) as exc:
            raise GitError(
                f"cannot update {name}: {str(exc).strip().rstrip(':')} "
                "(a process killed mid-update leaves its .lock; remove it if no git is running)"
            ) from exc

    def create_ref(self, name: str, target: str, message: str) -> None:
        """Create `name`; fail if it exists."""
        try:
            self.raw.create_reference_direct(name, pygit2.Oid(hex=target), False, message=message)
        except (ValueError, pygit2.AlreadyExistsError) as exc:
            raise UsageError(f"{name} already exists") from exc

    def delete_ref(self, name: str) -> None:
        if self.ref(name) is not None:
            self.raw.references.delete(name)

    def refs_under(self, prefix: str) -> Iterator[str]:
        return (r for r in self.raw.references if r.startswith(prefix))

    def config_get(self, key: str) -> str | None:
        try:
            return str(self.raw.config[key])
        except KeyError:
            return None
