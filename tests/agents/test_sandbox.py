"""The sandbox, on the real kernel: a test agent (a Python or shell child under the launcher)
that reaches outside what it was given is refused by the kernel (PermissionError), not by us;
what it was given, and what ordinary programs need, keeps working. Skipped only where the
kernel offers no Landlock; the unsandboxed fallback is tested by saying so, not by mocking."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from supervisor.agents import sandbox
from supervisor.agents.sandbox import Confinement, Kernel
from supervisor.agents.spec import AgentSpec, resolve
from supervisor.config.rules import Layer, Rules
from supervisor.errors import OperationalError, UsageError
from tests.kit import Started, start

needs_landlock = pytest.mark.skipif(sandbox.abi() == 0, reason=f"no sandbox: {sandbox.describe()}")
needs_net = pytest.mark.skipif(sandbox.abi() < 4, reason="TCP rules need Landlock ABI 4")
needs_scopes = pytest.mark.skipif(sandbox.abi() < 6, reason="scoped signals need Landlock ABI 6")
REFUSED = {"EACCES", "EPERM"}

# the test agent: tries each (operation, argument) and prints what became of it
PROBE = textwrap.dedent(
    """
    import errno, json, os, socket, sys

    def attempt(kind, arg):
        try:
            if kind == "write":
                with open(arg, "a") as handle:
                    handle.write("agent was here\\n")
            elif kind == "read":
                with open(arg, "rb") as handle:
                    handle.read()
            elif kind == "mkdir":
                os.mkdir(arg)
            elif kind == "truncate":
                os.truncate(arg, 0)
            elif kind == "link":  # a hard link to it, made in the working folder
                os.link(arg, os.path.basename(arg) + ".link")
            elif kind == "connect":
                socket.create_connection(("127.0.0.1", int(arg)), timeout=5).close()
            elif kind == "kill":
                os.kill(int(arg), 0)
            return "ok"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc))

    print(json.dumps([attempt(kind, arg) for kind, arg in json.loads(sys.argv[1])]))
    """
)


class World(NamedTuple):
    started: Started
    tmp: Path
    home: Path
    spec: AgentSpec

    @property
    def repo(self) -> Path:
        return self.started.repo

    @property
    def shadow(self) -> Path:
        return self.started.shadow

    @property
    def protected(self) -> list[str]:
        return [str(self.repo), str(self.repo / ".git"), str(self.repo / ".git" / "agent")]

    def confinement(self, spec: AgentSpec | None = None, **table: Any) -> Confinement:
        return sandbox.confinement(
            spec or self.spec,
            str(self.shadow),
            str(self.tmp),
            str(self.home),
            table,
            protected=self.protected,
        )


@pytest.fixture
def world(repo: Path, tmp_path: Path) -> World:
    """Feature f started on `repo`; the agent's own temporary folder; a $HOME holding fake
    credentials."""
    home = Path(os.environ["HOME"])
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN FAKE KEY-----\n")
    (home / ".ssh" / "known_hosts").write_text("example.com ssh-ed25519 AAAA\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = fake\n")
    (home / ".netrc").write_text("machine example.com password fake\n")
    tmp = tmp_path / "agent-tmp"
    tmp.mkdir()
    spec = resolve(Rules(Layer()), None, ["probe"])
    return World(start(repo), tmp, home, spec)


def run(
    c: Confinement, command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    launched = sandbox.launch(c, command)
    assert launched.confined, launched.sandbox
    return subprocess.run(
        launched.argv,
        cwd=cwd,
        env={**os.environ, **sandbox.tmp_environ(c.writable[1]), **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(c: Confinement, cwd: Path, *ops: tuple[str, str | int | Path]) -> list[str]:
    """What became of each operation the test agent tried, under `c`."""
    wanted = json.dumps([(kind, str(arg)) for kind, arg in ops])
    result = run(c, [sys.executable, "-c", PROBE, wanted], cwd)
    assert result.returncode == 0, result.stderr
    answer: list[str] = json.loads(result.stdout)
    return answer


@pytest.fixture
def elsewhere() -> Iterator[Path]:
    """A path in the system's /tmp, outside everything the agent was given."""
    path = Path(tempfile.gettempdir()) / f"elsewhere-{uuid.uuid4().hex}"
    yield path
    if path.exists():
        path.unlink()


# --- is there a sandbox -----------------------------------------------------------------------


def test_describe_names_the_abi_or_says_why_not() -> None:
    found = sandbox.kernel()
    if found.abi:
        assert sandbox.describe() == f"landlock ABI {found.abi}"
    else:
        assert sandbox.describe().startswith("none: ") and found.reason


def test_without_a_sandbox_the_agent_runs_unsandboxed_and_says_why(world: World) -> None:
    none = Kernel(0, "kernel has no Landlock (simulated)")
    launched = sandbox.launch(world.confinement(), ["agent", "--go"], machine=none)
    assert launched == (("agent", "--go"), "none: kernel has no Landlock (simulated)", False)


def test_a_policy_that_requires_a_sandbox_refuses_to_run_without_one(world: World) -> None:
    none = Kernel(0, "kernel has no Landlock (simulated)")
    with pytest.raises(OperationalError, match=r"requires a sandbox.*simulated"):
        sandbox.launch(world.confinement(), ["agent"], required=True, machine=none)


def test_an_older_abi_says_what_it_cannot_enforce(world: World) -> None:
    c = world.confinement(network=[443])
    launched = sandbox.launch(c, ["agent"], machine=Kernel(3))
    assert launched.confined
    assert launched.sandbox == (
        "landlock ABI 3 (network not restricted (needs Landlock ABI 4, Linux 6.7))"
    )
    assert sandbox.launch(c, ["agent"], machine=Kernel(7)).sandbox == "landlock ABI 7"
    assert "truncation not restricted" in sandbox.launch(c, ["a"], machine=Kernel(2)).sandbox
    absent = c._replace(writable=(*c.writable, "/nonexistent/cache"))
    assert sandbox.launch(absent, ["a"], machine=Kernel(7)).sandbox == (
        "landlock ABI 7 (absent, so not writable: /nonexistent/cache)"
    )


def test_rights_follow_the_abi() -> None:
    assert not sandbox.fs_rights(1) & (sandbox.REFER | sandbox.TRUNCATE | sandbox.IOCTL_DEV)
    assert sandbox.fs_rights(2) & sandbox.REFER and not sandbox.fs_rights(2) & sandbox.TRUNCATE
    assert sandbox.fs_rights(3) & sandbox.TRUNCATE and not sandbox.fs_rights(3) & sandbox.IOCTL_DEV
    assert sandbox.fs_rights(5) & sandbox.IOCTL_DEV
    assert not sandbox.fs_rights(7) & sandbox.READ_DIR  # listing is not confined
    c = Confinement((), (), connect=(443,))
    assert sandbox.net_rights(c, 3) == 0
    assert sandbox.net_rights(c, 4) == sandbox.NET_CONNECT_TCP
    assert sandbox.scopes(5) == 0 and sandbox.scopes(6)
    every = sandbox.path_rules(c, 1)
    assert all(not rights & ~sandbox.fs_rights(1) for _, rights in every)


# --- what the agent may reach -----------------------------------------------------------------


def test_the_confinement_of_an_agent(world: World) -> None:
    spec = world.spec._replace(writable=("~/.claude",), readable=("~/.ssh",), network=(443, 22))
    c = world.confinement(spec, writable=["/opt/cache"], network=[443, 80])
    home = str(world.home)
    assert c.writable == (str(world.shadow), str(world.tmp), "/opt/cache", f"{home}/.claude")
    assert f"{home}/.aws" in c.deny_read and f"{home}/.netrc" in c.deny_read
    assert f"{home}/.ssh" not in c.deny_read  # granted
    assert c.readable == (f"{home}/.ssh",)
    assert c.connect == (443,)  # what both the policy and the agent allow
    assert c.bind is None


def test_network_is_open_unless_someone_narrows_it(world: World) -> None:
    assert world.confinement().connect is None
    assert world.confinement(network=[]).connect == ()
    assert world.confinement(world.spec._replace(network=(443,))).connect == (443,)


def test_the_features_own_ports_may_be_listened_on_and_reached(world: World) -> None:
    c = sandbox.confinement(
        world.spec, "/s", "/t", str(world.home), {"network": [443]}, ports=[4100, 4101]
    )
    assert c.bind == (4100, 4101)
    assert c.connect == (443, 4100, 4101)


@pytest.mark.parametrize(
    "where", ["repo", "repo/src", "repo/.git", "repo/.git/agent/features", ".", "/"]
)
def test_a_writable_path_may_not_reach_the_repository_or_our_state(
    world: World, where: str
) -> None:
    path = os.path.normpath(world.repo.parent / where)
    spec = world.spec._replace(writable=(path,))
    with pytest.raises(UsageError, match=r"agent probe: writable .* would let it write"):
        world.confinement(spec)


def test_a_writable_path_must_be_absolute(world: World) -> None:
    with pytest.raises(UsageError, match="not an absolute path"):
        world.confinement(world.spec._replace(writable=("build",)))


def test_read_roots_leave_out_denied_paths_and_links_to_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".config" / "gh").mkdir(parents=True)
    (home / ".config" / "nvim").mkdir(parents=True)
    (home / "notes.txt").write_text("")
    (home / "keys").symlink_to(home / ".ssh")
    (home / "cfg").symlink_to(home / ".config")
    roots = sandbox.read_roots([str(home / ".ssh"), str(home / ".config" / "gh")], str(home))
    assert roots == [str(home / ".config" / "nvim"), str(home / "notes.txt")]


def test_the_launcher_command_line_says_the_whole_confinement() -> None:
    c = Confinement(("/s", "/t"), ("/h/.ssh",), ("/h/.ssh/known_hosts",), (), (4100,))
    argv = sandbox.launcher(c)
    assert argv[:3] == [sys.executable, "-I", sandbox.__file__]
    assert sandbox.parse([*argv[3:], "--", "agent", "--flag"]) == (c, ["agent", "--flag"])
    spaced = ["--write", "/s", "--connect", "443", "--bind", "none", "--", "x"]
    assert sandbox.parse(spaced) == (Confinement(("/s",), (), (), (443,), ()), ["x"])


@pytest.mark.parametrize(
    "args",
    [["--write=/s"], ["--write=/s", "--"], ["--nope=1", "--", "x"], ["--connect=99999", "--", "x"]],
)
def test_bad_launcher_options_run_nothing(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-I", sandbox.__file__, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("git-agent sandbox: ")


# --- the kernel refuses -----------------------------------------------------------------------


@needs_landlock
def test_writes_outside_the_shadow_are_refused_by_the_kernel(world: World, elsewhere: Path) -> None:
    readme = world.repo / "README.md"
    config = world.repo / ".git" / "config"
    before = readme.read_bytes(), config.read_bytes()
    results = probe(
        world.confinement(),
        world.shadow,
        ("write", readme),
        ("write", config),
        ("write", world.repo / ".git" / "agent" / "planted"),
        ("mkdir", world.repo / ".git" / "agent" / "features" / "f" / "worktree" / "x"),
        ("write", world.home / "outside.txt"),
        ("write", elsewhere),
        ("write", world.shadow / "src" / "new.py"),
        ("write", world.shadow / "README.md"),
        ("mkdir", world.shadow / "pkg"),
        ("write", world.tmp / "scratch"),
    )
    assert all(r in REFUSED for r in results[:6]), results
    assert results[6:] == ["ok"] * 4
    assert (readme.read_bytes(), config.read_bytes()) == before
    assert not (world.repo / ".git" / "agent" / "planted").exists()
    assert not (world.home / "outside.txt").exists()
    assert not elsewhere.exists()
    assert (world.shadow / "src" / "new.py").read_text() == "agent was here\n"


@needs_landlock
def test_credentials_are_unreadable_unless_the_plan_grants_them(world: World) -> None:
    key = world.home / ".ssh" / "id_rsa"
    ops = (
        ("read", key),
        ("read", world.home / ".aws" / "credentials"),
        ("read", world.home / ".netrc"),
        ("read", world.home / ".gitconfig"),
        ("read", world.repo / "README.md"),
    )
    results = probe(world.confinement(), world.shadow, *ops)
    assert all(r in REFUSED for r in results[:3]), results
    assert results[3:] == ["ok", "ok"]
    granted = world.spec._replace(readable=("~/.ssh",))
    assert probe(world.confinement(granted), world.shadow, *ops)[0] == "ok"
    hosts_only = world.spec._replace(readable=("~/.ssh/known_hosts",))
    known_hosts = world.home / ".ssh" / "known_hosts"
    results = probe(
        world.confinement(hosts_only), world.shadow, ("read", key), ("read", known_hosts)
    )
    assert results[0] in REFUSED and results[1] == "ok"


@needs_landlock
def test_no_detour_through_links_or_truncation(world: World) -> None:
    readme = world.repo / "README.md"
    before = readme.read_bytes()
    (world.shadow / "detour").symlink_to(readme)
    results = probe(
        world.confinement(),
        world.shadow,
        ("write", world.shadow / "detour"),  # a link the agent planted, to the repository
        ("truncate", readme),
        ("link", world.home / ".ssh" / "id_rsa"),  # a credential, linked into the shadow
    )
    assert results[0] in REFUSED and results[1] in REFUSED, results
    assert results[2] in {*REFUSED, "EXDEV"}, results  # Landlock says EXDEV for REFER
    assert readme.read_bytes() == before
    assert not (world.shadow / "id_rsa.link").exists()


@needs_landlock
def test_children_and_grandchildren_of_the_agent_are_confined_too(
    world: World, elsewhere: Path
) -> None:
    nested = world.shadow / "nested.py"
    nested.write_text(
        textwrap.dedent(
            """
            import subprocess, sys
            depth, target = int(sys.argv[1]), sys.argv[2]
            if depth:  # a child in a session of its own, that starts the next
                command = [sys.executable, __file__, str(depth - 1), target]
                sys.exit(subprocess.run(command, start_new_session=True).returncode)
            open(target, "w")
            """
        )
    )
    script = f'"{sys.executable}" nested.py 2 "{elsewhere}"'
    result = run(world.confinement(), ["sh", "-c", script], world.shadow)
    assert result.returncode != 0
    assert "PermissionError" in result.stderr
    assert not elsewhere.exists()


@needs_landlock
def test_ordinary_programs_work_in_the_shadow(world: World) -> None:
    script = (
        "echo hello > file && cat file"
        " && echo to-null > /dev/null"
        " && echo to-stdout > /dev/stdout"
        " && mkdir -p a/b && mv file a/b/moved && ln -s a/b/moved link && rm -r a link"
        f" && {sys.executable} -c 'import tempfile; tempfile.NamedTemporaryFile().write(b\"x\")'"
        f" && {sys.executable} -c 'print(2 + 2)'"
        " && git status --porcelain"
        " && git add -A && git -c user.name=A -c user.email=a@b commit -qm agent && git log --oneline -1"
    )
    (world.shadow / "made.txt").write_text("x\n")
    result = run(world.confinement(), ["sh", "-c", script], world.shadow)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["hello", "to-stdout", "4"]
    assert "?? made.txt" in lines
    assert lines[-1].endswith(" agent")


@needs_net
def test_tcp_connections_go_only_to_allowed_ports(world: World) -> None:
    with listening() as allowed, listening() as other:
        c = world.confinement(network=[allowed])
        results = probe(c, world.shadow, ("connect", allowed), ("connect", other))
        assert results[0] == "ok"
        assert results[1] in REFUSED
        unrestricted = probe(world.confinement(), world.shadow, ("connect", other))
        assert unrestricted == ["ok"]


@needs_landlock
def test_the_agent_cannot_reach_into_processes_outside(world: World) -> None:
    me = os.getpid()
    results = probe(world.confinement(), world.shadow, ("read", f"/proc/{me}/mem"))
    assert results[0] in REFUSED
    if sandbox.abi() >= 6:
        assert probe(world.confinement(), world.shadow, ("kill", me)) == ["EPERM"]


@needs_landlock
def test_disks_and_memory_devices_are_out_of_reach(world: World) -> None:
    found = [p for p in ("/dev/mem", "/dev/vda", "/dev/sda", "/dev/nvme0n1") if os.path.exists(p)]
    if not found:
        pytest.skip("no disk device to try")
    results = probe(world.confinement(), world.shadow, *(("read", p) for p in found))
    assert all(r in REFUSED for r in results), results


@needs_landlock
def test_the_agent_cannot_read_the_environment_of_processes_outside(tmp_path: Path) -> None:
    """As an ordinary user; as root (CAP_SYS_PTRACE) the kernel lets /proc/<pid>/environ
    through, so the test then runs itself as nobody when it can."""
    driver = textwrap.dedent(
        f"""
        import os, subprocess, sys, time
        holder = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"],
            env={{**os.environ, "SECRET_TOKEN": "s3cr3t"}},
        )
        time.sleep(0.3)
        code = "print(open('/proc/%d/environ', 'rb').read().count(b's3cr3t'))" % holder.pid
        try:
            plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            boxed = subprocess.run(
                [sys.executable, "-I", {sandbox.__file__!r}, "--write=/nonexistent", "--",
                 sys.executable, "-c", code],
                capture_output=True, text=True, cwd="/",
            )
        finally:
            holder.kill()
        print(plain.stdout.strip(), "PermissionError" in boxed.stderr)
        """
    )
    command = [sys.executable, "-c", driver]
    if os.getuid() == 0:
        python = shutil.which("python3", path="/usr/bin:/bin")
        if shutil.which("setpriv") is None or python is None:
            pytest.skip("running as root, and no setpriv to become nobody")
        ids = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        command = ["setpriv", *ids, python, "-c", driver]
    result = subprocess.run(
        command, capture_output=True, text=True, cwd="/", timeout=60, check=False
    )
    assert result.stdout.split() == ["1", "True"], result.stderr


class listening:
    """A TCP listener on 127.0.0.1 for the duration of a `with`; its port."""

    def __enter__(self) -> int:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        port: int = self.sock.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
