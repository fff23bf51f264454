"""A new feature's workspace made ready for its agent, at `start` (the policy's `[setup]` and
the repository's `.worktreeinclude`), before the feature counts as started:

- **files git ignores but an agent needs** (`.env`, a local config) are copied from the
  checkout `start` runs in into the shadow and the worktree: those that match a pattern of
  `.worktreeinclude` (the file other worktree tools read: gitignore syntax, at the top of the
  checkout) or of `[setup] include`, *and* that git ignores there. Never a tracked file, never
  anything outside the checkout, never through a symbolic link (at either end), never over a
  file already there; only regular files. In the shadow each copy is excluded by its own
  ignore view, so no checkpoint and no promotion ever holds one; in the worktree a copy is
  made only where git ignores it too.
- **a block of free TCP ports** (`[setup] ports`, 10 by default), recorded in the ports table
  so no two features of the repository share one: `GIT_AGENT_PORT` (the first) and
  `GIT_AGENT_PORTS` (how many) in the environment of the setup commands and of the agent.
- **`[setup] commands`**, run one after another in the shadow, their output in the agent
  folder's `setup.log`. The first that fails fails the start (exit 1), which is then taken
  back as any failed start is; the log is kept, and named in the error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import signal
import socket
import stat
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from supervisor.errors import EXIT_VIOLATIONS, FatalError
from supervisor.gitio.run import run_git
from supervisor.store import ports as table
from supervisor.store.layout import Layout
from supervisor.store.ports import Block

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

WORKTREEINCLUDE = ".worktreeinclude"
MAX_INCLUDE_BYTES = 64 << 10
SETUP_LOG = "setup.log"
COMMAND_TIMEOUT = 1800.0  # seconds one setup command may take
PORTS_LOW = 20000  # blocks are taken from here up to just below the kernel's ephemeral range
PORTS_HIGH = 65535
Say = Callable[[str], None]


class SetupFailed(FatalError):
    """A setup command of the policy failed: the start is refused and taken back (exit 1)."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, message: str, log: Path, output: bytes) -> None:
        super().__init__(message)
        self.log, self.output = log, output

    def keep_log(self) -> None:
        """Write the setup output back where it was: taking back the start removed it."""
        with contextlib.suppress(OSError):
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self.log.write_bytes(self.output)


class Prepared(NamedTuple):
    """What setting up did."""

    copied: tuple[str, ...]  # paths copied into the shadow
    ports: Block | None
    commands: int  # setup commands run


def prepare(feature: Feature, say: Say | None = None) -> Prepared:
    """Everything `[setup]` and `.worktreeinclude` ask for `feature` (just made, not yet
    started): the ignored files copied in, its ports reserved, the setup commands run."""
    rules = feature.rules.table("setup")
    copied = copy_included(feature, [str(p) for p in rules.get("include", ())], say)
    block = reserve_ports(
        feature.ws.layout, feature.name, int(rules.get("ports", 10)), _held(feature)
    )
    commands = list(rules.get("commands", ()))
    env = {**_clean(feature.ws.settings.env), "GIT_AGENT_FEATURE": feature.name, **port_env(block)}
    run_commands(commands, feature.shadow, env, feature.ws.layout.agent_dir(feature.name), say)
    return Prepared(tuple(copied), block, len(commands))


def environment(layout: Layout, feature: str) -> dict[str, str]:
    """What the agent of `feature` gets in its environment from its setup (its ports)."""
    return port_env(table.block_of(layout, feature))


def port_env(block: Block | None) -> dict[str, str]:
    if block is None:
        return {}
    return {"GIT_AGENT_PORT": str(block.first), "GIT_AGENT_PORTS": str(block.count)}


def _clean(env: Mapping[str, str]) -> dict[str, str]:
    """The environment a setup command runs with: the caller's, minus git's variables (a
    GIT_DIR of the caller's would send the command's git elsewhere)."""
    return {k: v for k, v in env.items() if not k.startswith("GIT_")}


# --- ignored files copied in -------------------------------------------------------------------


def include_patterns(checkout: Path, configured: Sequence[str]) -> list[str]:
    """The patterns of the checkout's `.worktreeinclude` (a regular file, not a link), then the
    policy's `[setup] include`."""
    found: list[str] = []
    path = checkout / WORKTREEINCLUDE
    try:
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_INCLUDE_BYTES:
            found = path.read_text(errors="surrogateescape").splitlines()
    except OSError:
        pass
    return [*found, *configured]


def ignored_matches(checkout: Path, git_dir: Path, patterns: Sequence[str]) -> list[bytes]:
    """The untracked files of `checkout` (whose repository is `git_dir`) that match `patterns`
    (gitignore syntax, from its top) and that git ignores there: what other worktree tools
    copy into a new worktree."""
    if not any(p.strip() and not p.lstrip().startswith("#") for p in patterns):
        return []
    where = [f"--git-dir={git_dir}", f"--work-tree={checkout}"]
    with tempfile.NamedTemporaryFile("wb", suffix=".include") as listing:
        listing.write("\n".join(patterns).encode(errors="surrogateescape") + b"\n")
        listing.flush()
        found = run_git(
            [*where, "ls-files", "-z", "--others", "--ignored", f"--exclude-from={listing.name}"],
            checkout,
        ).stdout
    candidates = [p for p in found.split(b"\0") if p]
    return _git_ignored(where, checkout, candidates)


def _git_ignored(where: list[str], top: Path, paths: Sequence[bytes]) -> list[bytes]:
    """Those of `paths` git ignores in the work tree at `top` (`where`: git's options that
    name its repository, if any)."""
    if not paths:
        return []
    proc = run_git(
        [*where, "check-ignore", "-z", "--stdin"], top, stdin=b"\0".join(paths), check=False
    )
    if proc.returncode not in (0, 1):  # 1: none of them is ignored
        return []
    ignored = set(proc.stdout.split(b"\0"))
    return [p for p in paths if p in ignored]


def copy_included(feature: Feature, configured: Sequence[str], say: Say | None = None) -> list[str]:
    """Copy the files `include_patterns` and `ignored_matches` name into the shadow (each then
    excluded by its ignore view) and into the worktree (where git ignores it too); the
    shadow's copies."""
    checkout = feature.repo.workdir
    patterns = include_patterns(checkout, configured)
    wanted = ignored_matches(checkout, feature.repo.git_dir, patterns)
    wanted = [p for p in wanted if _utf8(p)]  # an ignore rule can only name what decodes
    if not wanted:
        return []
    copied = [p for p in wanted if copy_file(checkout, feature.shadow, p)]
    _exclude_in_shadow(feature, copied)
    for path in _git_ignored([], feature.worktree, wanted):
        copy_file(checkout, feature.worktree, path)
    if say is not None and copied:
        say(f"setup: copied {', '.join(os.fsdecode(p) for p in copied)} (ignored) into the shadow")
    return [os.fsdecode(p) for p in copied]


def _utf8(path: bytes) -> bool:
    try:
        path.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def copy_file(source: Path, target: Path, rel: bytes) -> bool:
    """Copy the regular file `rel` of `source` to the same path under `target`; never through
    a symbolic link at either end, never over anything there. Whether it was copied."""
    parts = rel.split(b"/")
    if any(part in (b"", b".", b"..", b".git") for part in parts):
        return False
    try:
        with folder_beneath(source, parts[:-1], create=False) as src_dir:
            src = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src_dir)
    except OSError:  # a link (ELOOP), gone, not a folder on the way
        return False
    try:
        info = os.fstat(src)
        if not stat.S_ISREG(info.st_mode):
            return False
        return _write_copy(src, target, parts, info.st_mode & 0o777)
    finally:
        os.close(src)


def _write_copy(src: int, target: Path, parts: list[bytes], mode: int) -> bool:
    try:
        with folder_beneath(target, parts[:-1], create=True) as dst_dir:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            dst = os.open(parts[-1], flags, mode, dir_fd=dst_dir)
            try:
                while chunk := os.read(src, 1 << 20):
                    os.write(dst, chunk)
            except OSError:
                os.unlink(parts[-1], dir_fd=dst_dir)
                raise
            finally:
                os.close(dst)
    except OSError:  # there already, a link on the way, no room
        return False
    return True


@contextlib.contextmanager
def folder_beneath(root: Path, parts: Sequence[bytes], create: bool) -> Iterator[int]:
    """A descriptor of the folder `parts` below `root`, reached without following any link
    (ELOOP then); missing folders made when `create`."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
            below = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = below
        yield fd
    finally:
        os.close(fd)


def _exclude_in_shadow(feature: Feature, copied: list[bytes]) -> None:
    """Exclude each copy in the shadow's ignore view (what its checkpoints obey) and in the
    shadow's own repository (what the agent's `git status` shows); a copy the view would
    still take is removed again."""
    if not copied:
        return
    from supervisor.gitio.repo import Repo

    lines = "".join(f"{literal(os.fsdecode(p))}\n" for p in copied)
    view = feature.ws.layout.view(feature.name)
    for exclude in (view / "info" / "exclude", feature.shadow / ".git" / "info" / "exclude"):
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with exclude.open("a") as stream:
            stream.write("# copied in by git-agent at start (ignored in the checkout)\n" + lines)
    ignored = Repo.ignore_view(view, feature.shadow).ignored()
    for path in [p for p in copied if not ignored(p)]:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(os.fsencode(feature.shadow), path))
        copied.remove(path)


def literal(path: str) -> str:
    """An ignore rule that matches exactly `path` (from the top), whatever it holds."""
    escaped = "".join("\\" + c if c in "\\*?[]!#" else c for c in path)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return "/" + escaped


# --- ports -----------------------------------------------------------------------------------


def _held(feature: Feature) -> Callable[[str], bool]:
    """Whether a feature named in the ports table still holds its block (it exists and is
    not removed): a start taken back or a removed feature gives its ports back this way."""
    state = feature.ws.state

    def held(name: str) -> bool:
        row = state.get(name)
        return row is not None and row.state in ("starting", "active")

    return held


def reserve_ports(
    layout: Layout, feature: str, count: int, held: Callable[[str], bool]
) -> Block | None:
    """A block of `count` consecutive TCP ports, free now and held by no other feature
    (`held` says which names in the table still count), recorded for `feature`."""
    with table.changing(layout) as blocks:
        for name in [n for n in blocks if n == feature or not held(n)]:
            del blocks[name]
        if count <= 0:
            return None
        found = free_block(count, list(blocks.values()), f"{layout.root}:{feature}")
        blocks[feature] = found
    return found


def free_block(count: int, taken: Sequence[Block], seed: str) -> Block:
    """The first block of `count` ports, from a place `seed` chooses, that overlaps none of
    `taken` and whose every port can be bound now."""
    low, high = PORTS_LOW, _below_ephemeral()
    slots = (high - low + 1) // count
    if slots < 1:
        raise FatalError(f"no room for a block of {count} ports between {low} and {high}")
    start = zlib.crc32(seed.encode(errors="surrogateescape")) % slots
    for step in range(slots):
        block = Block(low + ((start + step) % slots) * count, count)
        if not any(block.overlaps(other) for other in taken) and all(
            port_free(port) for port in range(block.first, block.last + 1)
        ):
            return block
    raise FatalError(f"no block of {count} free TCP ports between {low} and {high}")


def _below_ephemeral() -> int:
    """Just below the ports the kernel hands out to outgoing connections, where it says."""
    try:
        first = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return PORTS_HIGH
    return first - 1 if first - 1 > PORTS_LOW else PORTS_HIGH


def port_free(port: int) -> bool:
    """Whether a server could listen on `port` now, on every address (IPv4 and IPv6)."""
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 here
            continue
        with probe:
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind((address, port))
            except OSError as exc:
                if family == socket.AF_INET or exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    return False
    return True


# --- setup commands ---------------------------------------------------------------------------


def run_commands(
    commands: Sequence[list[str] | str],
    shadow: Path,
    env: Mapping[str, str],
    agent_dir: Path,
    say: Say | None = None,
) -> None:
    """Run each command in the shadow, in order, its output appended to `setup.log`; a
    SetupFailed at the first that fails, times out or cannot run."""
    if not commands:
        return
    agent_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(agent_dir, 0o700)  # the agent's folder is its owner's only
    log = agent_dir / SETUP_LOG
    with log.open("wb") as stream:
        for number, command in enumerate(commands, 1):
            argv = shlex.split(command) if isinstance(command, str) else list(command)
            if say is not None:
                say(f"setup: {shlex.join(argv)}")
            stream.write(f"$ {shlex.join(argv)}\n".encode())
            stream.flush()
            start = stream.tell()
            problem = _run(argv, shadow, env, stream)
            if problem is not None:
                stream.flush()
                _fail(log, start, f"{number} of {len(commands)} ({shlex.join(argv)}) {problem}")


def _run(argv: list[str], cwd: Path, env: Mapping[str, str], log: IO[bytes]) -> str | None:
    """None when `argv` succeeded, else what went wrong."""
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: ended whole on a timeout or a Ctrl-C
        )
    except OSError as exc:
        return f"could not run: {exc.strerror}"
    try:
        code = proc.wait(COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        _end(proc)
        return f"timed out after {COMMAND_TIMEOUT:g}s"
    except BaseException:  # a Ctrl-C: the command's whole group ends with the start
        _end(proc)
        raise
    return None if code == 0 else f"failed with exit {code}"


def _end(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _fail(log: Path, start: int, what: str) -> None:
    output = log.read_bytes()
    tail = output[start:].decode(errors="replace").strip().splitlines()[-3:]
    said = ": " + " | ".join(line.strip() for line in tail) if tail else ""
    raise SetupFailed(
        f"start: setup command {what}{said}; the feature was not started (output: {log})",
        log,
        output,
    )
