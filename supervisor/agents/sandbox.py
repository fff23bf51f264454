"""The sandbox of a command agent: Landlock, where the kernel offers it (Linux 5.13 and later).

The agent may write only its shadow, a temporary folder of its own and the paths its plan and
the policy declare; it may read everything but the credentials it was not granted; and, where
the Landlock ABI allows (4 and later), connect only to the TCP ports it was given. The kernel
refuses the rest, in the agent and in every process it starts: a Landlock domain is inherited
across fork and exec and can never be lifted.

The confinement is applied by a tiny launcher, this very file run by the supervisor's own
interpreter (`python -I .../sandbox.py --write P ... -- CMD ARGS`, or `python -m
supervisor.agents.sandbox` where the package is importable), that restricts itself and then
becomes the agent (`os.execvp`): the runner lives in a threaded process, where running Python
between fork and exec is unsafe. `launch()` builds that command line, or says why the agent
runs unsandboxed. Run as a script the module needs the standard library only (so `-I`: no
PYTHON* variable, no user site, no working folder on sys.path), which is why it imports our
errors where it raises them.

Landlock can only allow, never deny: reads are confined by allowing them on every subtree of
`/` that holds no denied path (see `read_roots`). What that leaves open is in
docs/reference/sandbox.md."""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from supervisor.agents.spec import AgentSpec
    from supervisor.lifecycle.feature import Feature

# --- the kernel's interface (include/uapi/linux/landlock.h) -------------------------------------

# landlock_create_ruleset, landlock_add_rule, landlock_restrict_self: the generic syscall table
SYSCALLS: dict[str, tuple[int, int, int]] = {
    "x86_64": (444, 445, 446),
    "aarch64": (444, 445, 446),
    "arm64": (444, 445, 446),
}
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1
RULE_NET_PORT = 2
PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2: rename and link across folders
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

# the rights a rule on a file (not a folder) may carry
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = READ_FILE | EXECUTE  # listing folders (READ_DIR) is not confined: see read_roots
WRITE = (
    WRITE_FILE
    | REMOVE_DIR
    | REMOVE_FILE
    | MAKE_DIR
    | MAKE_REG
    | MAKE_SOCK
    | MAKE_FIFO
    | MAKE_SYM
    | REFER
    | TRUNCATE
    | IOCTL_DEV  # a device it was given (a GPU, say) answers its ioctls
)
DEVICE = READ_FILE | WRITE_FILE | TRUNCATE

# what ordinary programs (git, python, node, a shell) open under /dev; the rest of /dev (disks,
# memory) is neither readable nor writable
DEVICES: dict[str, int] = {
    "/dev/null": DEVICE,
    "/dev/zero": DEVICE,
    "/dev/full": DEVICE,
    "/dev/random": DEVICE,
    "/dev/urandom": DEVICE,
    "/dev/tty": DEVICE | IOCTL_DEV,
    "/dev/ptmx": DEVICE | IOCTL_DEV,
    "/dev/pts": DEVICE | IOCTL_DEV,
    "/dev/shm": READ | WRITE,  # POSIX shared memory and semaphores (multiprocessing)
}
PROC_SELF = "/proc/self"  # the agent's own /proc/<pid> (oom_score_adj, ...)

# credentials an agent never reads unless its plan grants them (`readable`); `~` is $HOME
CREDENTIALS: tuple[str, ...] = (
    "~/.ssh",
    "~/.gnupg",
    "~/.aws",
    "~/.azure",
    "~/.config/gcloud",
    "~/.kube",
    "~/.docker/config.json",
    "~/.netrc",
    "~/.git-credentials",
    "~/.config/git/credentials",
    "~/.config/gh",
    "~/.config/hub",
    "~/.npmrc",
    "~/.yarnrc",
    "~/.pypirc",
    "~/.cargo/credentials",
    "~/.cargo/credentials.toml",
    "~/.gem/credentials",
    "~/.m2/settings.xml",
    "~/.gradle/gradle.properties",
    "~/.composer/auth.json",
    "~/.terraform.d/credentials.tfrc.json",
    "~/.vault-token",
    "~/.pgpass",
    "~/.my.cnf",
    "~/.s3cfg",
    "~/.boto",
    "~/.oci",
    "~/.config/doctl",
    "~/.config/rclone",
    "~/.password-store",
    "~/.local/share/keyrings",
)


# --- is there a sandbox -------------------------------------------------------------------------


class Kernel(NamedTuple):
    """The Landlock ABI this machine offers (0: none), and why there is none."""

    abi: int
    reason: str = ""

    def describe(self) -> str:
        return f"landlock ABI {self.abi}" if self.abi else f"none: {self.reason}"


@functools.cache
def kernel() -> Kernel:
    """Asks the kernel once: `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`."""
    if not sys.platform.startswith("linux"):
        return Kernel(0, f"Landlock is Linux's; this is {sys.platform}")
    machine = platform.machine()
    if machine not in SYSCALLS:
        return Kernel(0, f"no Landlock system call numbers known for {machine}")
    try:
        return Kernel(_syscall(SYSCALLS[machine][0], None, 0, CREATE_RULESET_VERSION))
    except OSError as exc:
        return Kernel(0, _why(exc.errno))


def _why(code: int | None) -> str:
    if code == errno.ENOSYS:
        return "kernel has no Landlock (Linux before 5.13, or built without it)"
    if code == errno.EOPNOTSUPP:
        return "Landlock is built in but not enabled (see the lsm= boot parameter)"
    if code == errno.EPERM:
        return "a seccomp filter (a container's?) refuses the Landlock system calls"
    return f"Landlock cannot be used: {os.strerror(code or 0)}"


def abi() -> int:
    """The Landlock ABI version (0 when unavailable; `describe()` says why)."""
    return kernel().abi


def describe() -> str:
    """`landlock ABI 7`, or `none: kernel has no Landlock (...)`."""
    return kernel().describe()


# --- what an agent may reach --------------------------------------------------------------------


class Confinement(NamedTuple):
    """What a confined agent may reach; absolute paths."""

    writable: tuple[str, ...]  # its shadow, its own temporary folder, what the plan declares
    deny_read: tuple[str, ...]  # credentials it may not read
    readable: tuple[str, ...] = ()  # granted after all (inside a denied path, say)
    connect: tuple[int, ...] | None = None  # TCP ports it may connect to (None: any)
    bind: tuple[int, ...] | None = None  # TCP ports it may listen on (None: any)


def confinement(
    spec: AgentSpec,
    shadow: str,
    tmp: str,
    home: str,
    sandbox: Mapping[str, Any],
    protected: Sequence[str] = (),
    ports: Sequence[int] | None = None,
) -> Confinement:
    """The confinement of `spec`'s agent working in `shadow`, with `tmp` its own temporary
    folder, `home` the $HOME `~` stands for and `sandbox` the policy's `[sandbox]` table.

    The extra writable paths (the policy's and the agent's) may not hold, or lie in, any of
    `protected` (the user's work tree, the git directory, our state): a usage error names it.
    `ports`, the feature's own block, are the only ones it may listen on, and it may connect to
    them as well as to the allowed ones; None leaves listening unrestricted."""
    extra = [_expand(p, home, spec.name) for p in (*sandbox.get("writable", ()), *spec.writable)]
    for path in extra:
        _refuse_overlap(path, protected, spec.name)
    readable = tuple(_unique(_expand(p, home, spec.name) for p in spec.readable))
    credentials = (_expand(p, home, spec.name) for p in CREDENTIALS)
    connect = _narrowest(spec.network, sandbox.get("network"))
    if connect is not None and ports is not None:
        connect = tuple(sorted({*connect, *ports}))
    return Confinement(
        writable=tuple(_unique([os.path.abspath(shadow), os.path.abspath(tmp), *extra])),
        deny_read=tuple(p for p in _unique(credentials) if p not in readable),
        readable=readable,
        connect=connect,
        bind=None if ports is None else tuple(sorted(set(ports))),
    )


def of_feature(feature: Feature, spec: AgentSpec, tmp: str, home: str) -> tuple[Confinement, bool]:
    """The confinement of `spec`'s agent in `feature`'s shadow (its policy's `[sandbox]`, the
    repository, its git directory and the feature's worktree protected, the feature's own
    ports), and whether that policy requires a sandbox."""
    from supervisor.store.ports import block_of

    table = feature.rules.table("sandbox")
    repo = feature.ws.repo
    protected = [str(repo.workdir), str(repo.common_dir), str(feature.worktree)]
    block = block_of(feature.ws.layout, feature.name)
    own = list(range(block.first, block.last + 1)) if block is not None else None
    c = confinement(spec, str(feature.shadow), tmp, home, table, protected, own)
    return c, bool(table.get("required"))


def tmp_environ(tmp: str) -> dict[str, str]:
    """The variables that send a program's temporary files to the agent's own folder (what
    it writes to /tmp itself is refused)."""
    return {"TMPDIR": tmp, "TMP": tmp, "TEMP": tmp}


def _expand(path: str, home: str, agent: str) -> str:
    from supervisor.errors import UsageError

    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    if not os.path.isabs(path):
        raise UsageError(f"agent {agent}: {path!r} is not an absolute path (or one under ~)")
    return os.path.normpath(path)


def _refuse_overlap(path: str, protected: Sequence[str], agent: str) -> None:
    from supervisor.errors import UsageError

    real = os.path.realpath(path)
    for guarded in protected:
        mine = os.path.realpath(guarded)
        if _beneath(real, mine) or _beneath(mine, real):
            raise UsageError(f"agent {agent}: writable {path} would let it write {guarded}")


def _narrowest(*lists: Sequence[int] | None) -> tuple[int, ...] | None:
    """The ports every one of `lists` allows (None allows any)."""
    given = [set(x) for x in lists if x is not None]
    return None if not given else tuple(sorted(set.intersection(*given)))


def _unique(paths: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _beneath(path: str, folder: str) -> bool:
    """`path` is `folder` or lies inside it (both normalised, absolute)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# --- the rules ----------------------------------------------------------------------------------


def read_roots(deny: Iterable[str], root: str = "/") -> list[str]:
    """The largest subtrees of `root` that hold none of `deny`: reading is allowed beneath each.

    Landlock cannot deny inside an allowed tree, so the folders on the way to a denied path
    are split into their entries, and the denied ones left out. Only those folders are listed
    (`/`, the folders above $HOME, $HOME, and the credential folders holding a denied file):
    an entry made in one of them later is not readable. A symbolic link whose target is, holds
    or lies inside a denied path is left out too (a rule follows links)."""
    denied = frozenset(os.path.realpath(p) for p in deny)
    return list(_split(os.path.realpath(root), denied))


def _split(path: str, denied: frozenset[str]) -> Iterator[str]:
    if any(_beneath(path, d) for d in denied):
        return
    if not any(_beneath(d, path) for d in denied):
        yield path
        return
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        child = os.path.join(path, entry.name)
        if entry.is_symlink():
            target = os.path.realpath(child)
            if not any(_beneath(target, d) or _beneath(d, target) for d in denied):
                yield child
        else:
            yield from _split(child, denied)


def path_rules(c: Confinement, version: int) -> list[tuple[str, int]]:
    """(path, rights) of every rule, the rights cut to what ABI `version` knows."""
    known = fs_rights(version)
    rules = [(p, READ) for p in read_roots([*c.deny_read, "/dev"])]
    rules += [(p, READ) for p in c.readable]
    rules += [(p, WRITE) for p in c.writable]
    # what it writes it may read back, unless that is a credential (a writable $HOME, say)
    rules += [(p, READ) for w in c.writable for p in read_roots(c.deny_read, w)]
    rules += list(DEVICES.items())
    rules.append((PROC_SELF, READ_FILE | WRITE_FILE | TRUNCATE))
    return [(path, rights & known) for path, rights in rules]


def fs_rights(version: int) -> int:
    """The filesystem rights ABI `version` handles (all but READ_DIR: listing is not confined)."""
    rights = (MAKE_SYM << 1) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights & ~READ_DIR


def net_rights(c: Confinement, version: int) -> int:
    if version < 4:
        return 0
    return (NET_CONNECT_TCP if c.connect is not None else 0) | (
        NET_BIND_TCP if c.bind is not None else 0
    )


def scopes(version: int) -> int:
    """ABI 6: no signals to, and no abstract UNIX sockets of, processes outside the sandbox."""
    return SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0


def gaps(c: Confinement, version: int) -> list[str]:
    """What ABI `version` cannot enforce of `c`."""
    found = []
    if version < 4 and (c.connect is not None or c.bind is not None):
        found.append("network not restricted (needs Landlock ABI 4, Linux 6.7)")
    if 0 < version < 2:
        found.append("no renames across folders (Landlock ABI 1)")
    if 0 < version < 3:
        found.append("truncation not restricted (needs Landlock ABI 3, Linux 6.2)")
    absent = [p for p in c.writable if not os.path.lexists(p)]
    if absent:
        found.append(f"absent, so not writable: {', '.join(absent)}")
    return found


# --- applying them ------------------------------------------------------------------------------


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _NetPortAttr(ctypes.Structure):
    _fields_ = (("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64))


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    return libc


def _syscall(number: int, *args: object) -> int:
    """libc's `syscall()`; OSError on failure."""
    words = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    result = int(_libc().syscall(ctypes.c_long(number), *words))
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _ruleset_size(version: int) -> int:
    """The struct as ABI `version` knows it (net from 4, scoped from 6)."""
    return 8 if version < 4 else 16 if version < 6 else ctypes.sizeof(_RulesetAttr)


def confine(c: Confinement, version: int | None = None) -> None:
    """Confine this process, and whatever it runs from now on, to `c`. Irrevocable.

    OSError when the kernel refuses (no Landlock: see `describe()`); a path that does not
    exist is skipped (there is nothing there to allow)."""
    version = abi() if version is None else version
    if version <= 0:
        raise OSError(f"no sandbox: {kernel().reason}")
    create, add, restrict = SYSCALLS[platform.machine()]
    attr = _RulesetAttr(fs_rights(version), net_rights(c, version), scopes(version))
    ruleset = _syscall(create, ctypes.byref(attr), _ruleset_size(version), 0)
    try:
        for path, rights in path_rules(c, version):
            _allow_path(add, ruleset, path, rights)
        if attr.handled_access_net:
            _allow_ports(add, ruleset, c)
        if _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(code)}")
        _syscall(restrict, ruleset, 0)
    finally:
        os.close(ruleset)


def _allow_path(add: int, ruleset: int, path: str, rights: int) -> None:
    """One rule; none where the path is absent, or on a kernel-internal filesystem (EBADFD):
    a rule left out only ever allows less."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        if rights:
            rule = _PathBeneathAttr(rights, fd)
            _syscall(add, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    except OSError as exc:
        if exc.errno != errno.EBADFD:
            raise OSError(exc.errno, f"{path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _allow_ports(add: int, ruleset: int, c: Confinement) -> None:
    allowed: dict[int, int] = {}
    for port in c.connect or ():
        allowed[port] = allowed.get(port, 0) | NET_CONNECT_TCP
    for port in c.bind or ():
        allowed[port] = allowed.get(port, 0) | NET_BIND_TCP
    for port, rights in sorted(allowed.items()):
        rule = _NetPortAttr(rights, port)
        _syscall(add, ruleset, RULE_NET_PORT, ctypes.byref(rule), 0)


# --- the launcher -------------------------------------------------------------------------------


class Launch(NamedTuple):
    """How to start an agent: its command line, and the sandbox `status` reports."""

    argv: tuple[str, ...]
    sandbox: str  # "landlock ABI 7", or "none: <why>"
    confined: bool


def launch(
    c: Confinement, command: Sequence[str], required: bool = False, machine: Kernel | None = None
) -> Launch:
    """The command line that runs `command` confined to `c`, through the launcher; or, where
    `machine` (default: this one) has no sandbox, `command` itself, saying why. `required`
    (the policy's `[sandbox] required`) makes that an error instead."""
    from supervisor.errors import OperationalError

    machine = kernel() if machine is None else machine
    if machine.abi <= 0:
        if required:
            raise OperationalError(
                f"the policy requires a sandbox ([sandbox] required = true) and there is "
                f"none here: {machine.reason}"
            )
        return Launch(tuple(command), machine.describe(), False)
    notes = gaps(c, machine.abi)
    said = machine.describe() + (f" ({'; '.join(notes)})" if notes else "")
    return Launch((*launcher(c), "--", *command), said, True)


def launcher(c: Confinement) -> list[str]:
    """This file, run by this interpreter in isolated mode, with `c` as options (`--` and the
    command follow): the launcher is the code of the supervisor that confines, whatever the
    agent's environment or working folder hold."""
    argv = [sys.executable, "-I", os.path.abspath(__file__)]
    argv += [f"--write={p}" for p in c.writable]
    argv += [f"--deny-read={p}" for p in c.deny_read]
    argv += [f"--read={p}" for p in c.readable]
    argv += _port_options("connect", c.connect) + _port_options("bind", c.bind)
    return argv


def _port_options(name: str, ports: tuple[int, ...] | None) -> list[str]:
    if ports is None:
        return []
    return [f"--{name}={p}" for p in ports] if ports else [f"--{name}=none"]


def parse(args: Sequence[str]) -> tuple[Confinement, list[str]]:
    """The launcher's options (`--write P`, `--write=P`, `--deny-read`, `--read`, `--connect
    PORT` or `none`, `--bind`), then `--` and the command. ValueError when malformed."""
    options: dict[str, list[str]] = {k: [] for k in ("write", "deny-read", "read")}
    ports: dict[str, list[int] | None] = {"connect": None, "bind": None}
    words = list(args)
    while words and words[0] != "--":
        name, value = _option(words)
        if name in options:
            options[name].append(value)
        elif name in ports:
            ports[name] = (ports[name] or []) + ([] if value == "none" else [_port(value)])
        else:
            raise ValueError(f"unknown option --{name}")
    if len(words) < 2:
        raise ValueError("no command: `-- CMD ARGS...` ends the options")
    confined = Confinement(
        writable=tuple(options["write"]),
        deny_read=tuple(options["deny-read"]),
        readable=tuple(options["read"]),
        connect=None if ports["connect"] is None else tuple(ports["connect"]),
        bind=None if ports["bind"] is None else tuple(ports["bind"]),
    )
    return confined, words[1:]


def _option(words: list[str]) -> tuple[str, str]:
    """Takes `--name=value` or `--name value` off the front of `words`."""
    word = words.pop(0)
    if not word.startswith("--"):
        raise ValueError(f"expected an option, got {word!r}")
    name, eq, value = word[2:].partition("=")
    if not eq:
        if not words or words[0] == "--":
            raise ValueError(f"--{name} needs a value")
        value = words.pop(0)
    return name, value


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"not a TCP port: {value}")
    return port


def main(args: Sequence[str]) -> int:
    """Confine, then become the command. Exit 126 when it cannot be confined (it never runs
    unconfined), 127 when the command is not found, 2 on bad options."""
    try:
        confined, command = parse(args)
    except ValueError as exc:
        print(f"git-agent sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        confine(confined)
    except OSError as exc:
        print(f"git-agent sandbox: cannot confine the agent: {exc}", file=sys.stderr)
        return 126
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"git-agent sandbox: {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127 if isinstance(exc, FileNotFoundError) else 126


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
