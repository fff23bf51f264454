"""The one adapter between git-agent and pygit2: every pygit2 call of the core goes through here."""

from __future__ import annotations

import re
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.errors import GitError, UsageError
from supervisor.gitio.light import LightRepo, Unsupported, commit_time, parse_commit
from supervisor.gitio.locate import Location, locate
from supervisor.gitio.objects import COMMIT, SIGNATURE

if TYPE_CHECKING:
    import pygit2

Ignored = Callable[[bytes], bool]
_HEX40 = re.compile(r"^[0-9a-f]{40}$")


def _bad_rev() -> tuple[type[Exception], ...]:
    import pygit2

    return (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError)


class Repo:
    """A repository with the operations git-agent needs, through pygit2.

    One found with `discover` or `at` opens pygit2 only when an operation needs it: until
    then its objects and refs are read and written through `LightRepo` (git's CLI and files),
    so a command that only checkpoints never pays for importing pygit2."""

    def __init__(self, raw: pygit2.Repository | None = None, where: Location | None = None):
        if raw is None and where is None:
            raise ValueError("a Repo needs a pygit2 repository or a location")
        self._raw = raw
        self._where = where
        self._light: LightRepo | None = None

    @property
    def raw(self) -> pygit2.Repository:
        """The pygit2 repository, opened on first use."""
        if self._raw is None:
            import pygit2

            assert self._where is not None
            raw = pygit2.Repository(str(self._where.git_dir))
            work_tree = self._where.work_tree
            if work_tree is not None and Path(raw.workdir or "/").resolve() != work_tree:
                raw.workdir = str(work_tree)
            self._raw = raw
        return self._raw

    @property
    def light(self) -> LightRepo | None:
        """The pygit2-free way in, while pygit2 is not open; None once it is."""
        if self._raw is not None or self._where is None:
            return None
        if self._light is None:
            self._light = LightRepo(self._where.git_dir, self.common_dir)
            weakref.finalize(self, self._light.close)
        return self._light

    @classmethod
    def discover(cls, start: Path, env: Mapping[str, str] | None = None) -> Repo:
        """The repository with a work tree at `start`, found as git finds it."""
        repo = cls.at(locate(start, env or {}))
        if repo.is_bare:
            raise UsageError(f"a bare repository has no work tree for git-agent: {repo.git_dir}")
        return repo

    @classmethod
    def at(cls, where: Location) -> Repo:
        return cls(where=where)

    @classmethod
    def open(cls, path: Path) -> Repo:
        import pygit2

        return cls(pygit2.Repository(str(path)))

    @classmethod
    def init_bare(cls, path: Path) -> Repo:
        import pygit2

        return cls(pygit2.init_repository(str(path), bare=True))

    @property
    def is_bare(self) -> bool:
        if self._raw is None and self._where is not None:
            return self._where.bare
        return bool(self.raw.is_bare)

    @property
    def is_shallow(self) -> bool:
        return bool(self.raw.is_shallow)

    @property
    def git_dir(self) -> Path:
        if self._raw is None and self._where is not None:
            return self._where.git_dir
        return Path(self.raw.path)

    @property
    def common_dir(self) -> Path:
        if self._raw is None and self._where is not None:
            return self._where.common_dir.resolve()
        gitdir = Path(self.raw.path)
        pointer = gitdir / "commondir"
        return (gitdir / pointer.read_text().strip() if pointer.exists() else gitdir).resolve()

    @property
    def git_args(self) -> list[str]:
        """What makes the git CLI work on this repository wherever it runs (the GIT_DIR a
        user set is not passed on to the git commands we start)."""
        return [f"--git-dir={self.git_dir}"]

    @property
    def workdir(self) -> Path:
        if self._raw is None and self._where is not None and self._where.work_tree is not None:
            return self._where.work_tree.resolve()
        return Path(self.raw.workdir).resolve()

    @property
    def objects_dir(self) -> Path:
        return self.common_dir / "objects"

    # objects --------------------------------------------------------------
    def resolve_commit(self, rev: str) -> str:
        import pygit2

        try:
            commit = self.raw.revparse_single(rev).peel(pygit2.Commit)
        except _bad_rev() as exc:
            raise UsageError(f"unknown revision: {rev}") from exc
        return str(commit.id)

    def commit_or_none(self, rev: str) -> str | None:
        """`rev` peeled to a commit, or None when it is not one (or is unknown here)."""
        import pygit2

        try:
            return str(self.raw.revparse_single(rev).peel(pygit2.Commit).id)
        except _bad_rev():
            return None

    def head_commit(self) -> str | None:
        return None if self.raw.head_is_unborn else str(self.raw.head.target)

    def has_head(self) -> bool:
        return not self.raw.head_is_unborn

    def has_object(self, oid: bytes) -> bool:
        light = self.light
        if light is not None:
            return light.has_object(oid)
        import pygit2

        return pygit2.Oid(raw=oid) in self.raw.odb

    def read(self, oid: str | bytes) -> tuple[int, bytes]:
        light = self.light
        if light is not None:
            return light.objects.read(oid)
        kind, data = self.raw.odb.read(_oid(oid))
        return int(kind), data

    def read_blob(self, oid: str | bytes) -> bytes:
        return self.read(oid)[1]

    def header(self, oid: str | bytes) -> tuple[int, int]:
        """(kind, size) from the object's header, without loading its content."""
        light = self.light
        if light is not None:
            return light.objects.header(oid)
        kind, size = self.raw.odb.read_header(_oid(oid))
        return int(kind), int(size)

    def head(self, oid: str | bytes, size: int) -> bytes:
        """The first `size` bytes of a blob; a loose object is only inflated that far."""
        hexid = oid.hex() if isinstance(oid, bytes) else oid
        found = _loose_head(self.objects_dir, hexid, size)
        return found if found is not None else self.read(oid)[1][:size]

    def write(self, kind: int, data: bytes) -> bytes:
        light = self.light
        if light is not None:
            return light.write(kind, data)
        return bytes(self.raw.odb.write(kind, data).raw)

    def write_blob_stream(self, path: Path) -> bytes:
        with path.open("rb") as stream:
            return bytes(self.raw.create_blob_fromiobase(stream).raw)

    def _light_commit(self, commit: str) -> tuple[dict[bytes, list[bytes]], bytes] | None:
        """A commit's headers and message read without pygit2; None when pygit2 must (it is
        open already, the name is no full commit id, or the commit names an encoding)."""
        light = self.light
        if light is None or not _HEX40.match(commit):
            return None
        try:
            kind, data = light.objects.read(commit)
        except GitError:
            return None  # missing: pygit2 says so in its own words
        if kind != COMMIT:
            return None
        headers, message = parse_commit(data)
        if b"encoding" in headers or len(headers.get(b"tree", [])) != 1:
            return None
        return headers, message

    def commit_tree(self, commit: str) -> bytes:
        found = self._light_commit(commit)
        if found is not None:
            return bytes.fromhex(found[0][b"tree"][0].decode())
        import pygit2

        return bytes(self.raw[commit].peel(pygit2.Tree).id.raw)

    def commit_message(self, commit: str) -> str:
        found = self._light_commit(commit)
        if found is not None:
            return found[1].decode("utf-8", "replace")
        import pygit2

        return str(self.raw[commit].peel(pygit2.Commit).message)

    def commit_time(self, commit: str) -> float:
        found = self._light_commit(commit)
        if found is not None:
            try:
                return commit_time(found[0])
            except (Unsupported, ValueError):
                pass
        import pygit2

        return float(self.raw[commit].peel(pygit2.Commit).commit_time)

    def is_ancestor(self, ancestor: str, commit: str) -> bool:
        """Whether `ancestor` is `commit` or one of its ancestors."""
        if ancestor == commit:
            return True
        return bool(self.raw.descendant_of(_oid(commit), _oid(ancestor)))

    def parents(self, commit: str) -> list[str]:
        found = self._light_commit(commit)
        if found is not None:
            return [p.decode() for p in found[0].get(b"parent", [])]
        import pygit2

        return [str(p) for p in self.raw[commit].peel(pygit2.Commit).parent_ids]

    def count_files(self, tree: bytes) -> int:
        """The number of index entries a checkout of `tree` makes (libgit2 reads it in C)."""
        import pygit2

        index = pygit2.Index()
        index.read_tree(self.raw[pygit2.Oid(raw=tree)].peel(pygit2.Tree))
        return len(index)

    def create_commit(self, tree: bytes, parents: Sequence[str], message: str) -> str:
        light = self.light
        if light is not None:
            return light.write(COMMIT, light.commit_bytes(tree, list(parents), message)).hex()
        import pygit2

        sig = self.signature()
        oid = self.raw.create_commit(
            None, sig, sig, message, pygit2.Oid(raw=tree), [pygit2.Oid(hex=p) for p in parents]
        )
        return str(oid)

    def signature(self) -> pygit2.Signature:
        import pygit2

        try:
            return self.raw.default_signature
        except (KeyError, pygit2.GitError):
            return pygit2.Signature(*SIGNATURE)

    def new_commits(self, head: str, hide: Sequence[str]) -> list[str]:
        """Commits reachable from `head` and from none of `hide`, oldest first."""
        import pygit2
        from pygit2.enums import SortMode

        try:
            walker = self.raw.walk(pygit2.Oid(hex=head), SortMode.TOPOLOGICAL | SortMode.REVERSE)
            for commit in hide:
                walker.hide(pygit2.Oid(hex=commit))
            return [str(c.id) for c in walker]
        except (KeyError, pygit2.GitError) as exc:
            hint = " (the clone is shallow: fetch more history)" if self.is_shallow else ""
            raise GitError(f"cannot read the history of {head[:12]}: {exc}{hint}") from exc

    def index_tree(self, index_file: Path | None) -> bytes:
        """The tree of an index (the repository's own when `index_file` is None or names it).

        The own index is read as `raw.index`, the object libgit2 also reads for attribute
        lookups when it diffs blobs: a large index is then parsed once, not twice."""
        import pygit2

        own = index_file is None or index_file.resolve() == (self.git_dir / "index").resolve()
        index = self.raw.index if own else pygit2.Index(str(index_file))
        return bytes(index.write_tree(self.raw).raw)

    # refs -----------------------------------------------------------------
    def ref(self, name: str) -> str | None:
        light = self.light
        if light is not None:
            try:
                return light.ref(name)
            except Unsupported:
                pass
        import pygit2

        try:
            return str(self.raw.references[name].resolve().target)
        except (KeyError, pygit2.InvalidSpecError):
            return None

    def set_ref(self, name: str, target: str, message: str) -> None:
        light = self.light
        if light is not None:
            light.update_ref(name, target, message)
            return
        import pygit2

        try:
            self.raw.create_reference_direct(name, pygit2.Oid(hex=target), True, message=message)
        except (OSError, pygit2.GitError) as exc:
            raise GitError(
                f"cannot update {name}: {str(exc).strip().rstrip(':')} "
                "(a process killed mid-update leaves its .lock; remove it if no git is running)"
            ) from exc

    def create_ref(self, name: str, target: str, message: str) -> None:
        """Create `name`; a UsageError saying why when it exists or another ref is in its way."""
        import pygit2

        clash = self.ref_clash(name)
        if clash is not None:
            raise UsageError(clash)
        try:
            self.raw.create_reference_direct(name, pygit2.Oid(hex=target), False, message=message)
        except (ValueError, pygit2.AlreadyExistsError) as exc:
            raise UsageError(f"{name} already exists") from exc
        except pygit2.GitError as exc:
            raise GitError(f"cannot create {name}: {exc}") from exc

    def ref_clash(self, name: str) -> str | None:
        """Why `name` cannot be created: it exists, a ref is one of its folders (`refs/heads/
        agent` blocks `refs/heads/agent/x`), or refs live below it. None when it can be."""
        if self.ref(name) is not None:
            return f"{name} already exists"
        parts = name.split("/")
        for end in range(2, len(parts)):
            folder = "/".join(parts[:end])
            if folder in self.raw.references:
                return f"cannot create {name}: the ref {folder} is in the way"
        below = next(self.refs_under(name + "/"), None)
        if below is not None:
            return f"cannot create {name}: the ref {below} is below it"
        return None

    def delete_ref(self, name: str) -> None:
        if self.ref(name) is None:
            return
        light = self.light
        if light is not None:
            light.update_ref(name, None, "git-agent: delete")
            return
        import pygit2

        try:
            self.raw.references.delete(name)
        except (KeyError, pygit2.GitError) as exc:
            raise GitError(f"cannot delete {name}: {exc}") from exc

    def refs_under(self, prefix: str) -> Iterator[str]:
        return (r for r in self.raw.references if r.startswith(prefix))

    def config_get(self, key: str) -> str | None:
        try:
            return str(self.raw.config[key])
        except KeyError:
            return None

    # ignore rules ---------------------------------------------------------
    def ignored(self) -> Ignored:
        """The test git applies to an untracked path of the work tree (`.gitignore` & co);
        pygit2 is opened at the first path asked about."""

        def ignored(rel: bytes) -> bool:
            try:
                return bool(self.raw.path_is_ignored(rel.decode("utf-8")))
            except UnicodeDecodeError:
                return False

        return ignored

    @classmethod
    def ignore_view(cls, view: Path, work_tree: Path) -> Repo:
        """A bare repository used only to read the ignore rules of `work_tree` (opened when
        first asked)."""
        return cls(where=Location(view, view, work_tree))


def _oid(oid: str | bytes) -> pygit2.Oid:
    import pygit2

    return pygit2.Oid(raw=oid) if isinstance(oid, bytes) else pygit2.Oid(hex=oid)


def init_shadow(path: Path, branch: str, objects: Path, base: str, tree: bytes) -> Repo:
    """A repository of its own at `path`, borrowing `objects` (alternates), with `branch` at
    `base` checked out in its index (the files are written by the caller)."""
    import pygit2

    own = pygit2.init_repository(str(path), initial_head=branch)
    (Path(own.path) / "objects" / "info" / "alternates").write_text(f"{objects}\n")
    own = pygit2.Repository(str(path))
    own.create_reference_direct(f"refs/heads/{branch}", pygit2.Oid(hex=base), False)
    index = own.index
    try:
        index.read_tree(pygit2.Oid(raw=tree))
    except pygit2.GitError as exc:
        raise GitError(f"cannot check out {base[:12]}: {exc}") from exc
    index.write()
    return Repo(own)


def _loose_head(objects: Path, oid: str, size: int) -> bytes | None:
    """Inflate just enough of a loose object (`blob <n>\\0<bytes>`); None when not loose."""
    try:
        stream = (objects / oid[:2] / oid[2:]).open("rb")
    except OSError:
        return None
    want = size + 32  # the header is "blob " + at most 20 digits + NUL
    inflate = zlib.decompressobj()
    data = b""
    with stream:
        try:
            chunk = stream.read(4096)
            while chunk and len(data) < want:
                data += inflate.decompress(chunk, want - len(data))
                chunk = inflate.unconsumed_tail or stream.read(4096)
        except (OSError, zlib.error):
            return None
    header, sep, body = data.partition(b"\0")
    if not sep or not header.startswith(b"blob "):
        return None
    return body[:size]
