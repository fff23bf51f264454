"""Speed of running an agent under git-agent (issue 10, "Speed"): supervision overhead and
start-to-first-agent-instruction latency, next to a bare run and the git CLI.

Run:  python3 bench/agents.py [--files 50000] [--dirs 5000] [--agent-files 2000] [--bursts 20]
                              [--pause 0.5] [--repeat 3] [--work DIR] [--keep]

One run builds a repository of `--files` files in `--dirs` directories (one commit, packed by
git fast-import, checked out) and writes a scripted agent outside it: its first line records
time.time(), then it writes `--agent-files` files in `--bursts` bursts with `--pause` seconds
of "thinking" between them (half of the files are existing files it appends to, half new files
in new folders), and prints when it began and ended. Then, `--repeat` rounds, taking turns:

- bare: `git worktree add --detach` of the same commit (timed: the git way of getting a
  checkout to work in), then the agent as a plain subprocess in it: its wall time from spawn
  to exit, and the latency from spawn to its first line (the interpreter's start-up);
- ours: `git agent start fN -- python agent.py ...` (a worktree, a shadow, checkpoint 0, the
  supervisor started in the background watching the shadow, the agent queued and started by
  it under Landlock where the kernel has it); the bench follows the feature's audit log until
  its `agent-end` entry, then reads `git agent status fN --json` (`agent.state` must be `done`;
  `agent.wall` is the supervisor's own measure of the agent's wall time) and the agent's
  output (`git agent logs fN`): the latency from invoking `start` to the agent's first line.
  Then `git agent stop fN` (the supervisor, with nothing left to watch, exits) and
  `git agent remove fN --force` (the disk back), untimed.

Each round starts a fresh supervisor, so every `start` is one that launches it. Medians of the
rounds; the target is agent wall time under supervision within 10% of the bare run's. See
bench/README-agents.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervisor.store.layout import Layout  # noqa: E402

TARGET_OVERHEAD = 0.10
GITCONFIG = """\
[user]
\tname = Bench
\temail = bench@example.com
[init]
\tdefaultBranch = main
[gc]
\tauto = 0
[maintenance]
\tauto = false
[advice]
\tdetachedHead = false
"""
# The scripted agent. Its first line is the instruction whose time `start` is measured to.
AGENT = r"""import time
FIRST = time.time()
import json, os, sys

files, bursts, pause, listing = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
print(json.dumps({"first": FIRST, "cwd": os.getcwd()}), flush=True)
with open(listing, "rb") as stream:
    existing = stream.read().split(b"\0")[:-1]
written = 0
for burst in range(bursts):
    if burst:
        time.sleep(pause)  # thinking
    count = files // bursts + (burst < files % bursts)
    os.makedirs("agent_out/b%03d" % burst, exist_ok=True)
    for k in range(count):
        if written % 2 == 0 and written // 2 < len(existing):
            with open(existing[written // 2], "ab") as handle:
                handle.write(b"# touched by the agent, burst %d\n" % burst)
        else:
            with open("agent_out/b%03d/n%d.py" % (burst, k), "wb") as handle:
                handle.write(b"def f_%d_%d():\n    return %d\n" % (burst, k, written))
        written += 1
print(json.dumps({"last": time.time(), "wrote": written}), flush=True)
"""


# --------------------------------------------------------------------------- helpers


def isolate(home: Path) -> None:
    """No user config or GIT_* variable reaches the bench; bytecode may be written (see
    compile_checkout); `git agent` is this interpreter's."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG)
    for key in list(os.environ):
        if key.startswith("GIT_") or key == "PYTHONDONTWRITEBYTECODE":
            del os.environ[key]
    os.environ.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1"
    )
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


def compile_checkout() -> None:
    """`.pyc` files for the checkout under test, as `pip install` writes them for a wheel."""
    sh([sys.executable, "-m", "compileall", "-q", "supervisor", "plugins"], ROOT)


def sh(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> str:
    proc = subprocess.run(list(args), cwd=cwd, input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(args)} (in {cwd}) exited {proc.returncode}: {detail}")
    return proc.stdout.decode(errors="replace").strip()


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    return ", ".join(fmt(v) for v in values)


# --------------------------------------------------------------------------- repository


def layout(files: int, dirs: int) -> list[bytes]:
    """`files` paths in `dirs` leaf directories, a hundred leaves to a top directory."""
    out = []
    for i in range(files):
        leaf = i % dirs
        out.append(b"m%03d/d%02d/f%d.py" % (leaf // 100, leaf % 100, i // dirs))
    return out


def content(i: int) -> bytes:
    return b"".join(b"value_%d_%d = %d * %d  # line %d\n" % (i, k, k, i, k) for k in range(20))


def build(repo: Path, paths: Sequence[bytes]) -> str:
    """A one-commit repository of `paths`, packed by fast-import, checked out; its commit."""
    sh(["git", "init", "-q", str(repo)], repo.parent)
    chunks = [
        b"commit refs/heads/main\ncommitter Bench <bench@example.com> 0 +0000\ndata 5\nbase\n"
    ]
    for i, path in enumerate(paths):
        data = content(i)
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    sh(["git", "fast-import", "--quiet"], repo, stdin=b"".join(chunks))
    sh(["git", "reset", "-q", "--hard", "main"], repo)
    return sh(["git", "rev-parse", "HEAD"], repo)


def agent_lines(text: str) -> dict[str, Any]:
    """The agent's JSON lines, merged."""
    found: dict[str, Any] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            found.update(json.loads(line))
    return found


# --------------------------------------------------------------------------- one round


@dataclass
class Bare:
    worktree_add: float
    wall: float
    first: float  # spawn to the agent's first line
    inside: float  # the agent's first line to its last


@dataclass
class Ours:
    start_cli: float  # `git agent start` until it returns
    to_spawn: float  # invoking start to the supervisor spawning the agent
    first: float  # invoking start to the agent's first line
    wall: float  # agent.wall in status
    inside: float
    to_end: float  # invoking start to the agent-end entry
    sandbox: str
    supervisor_cpu: float | None


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.repo = work / "repo"
        self.paths = layout(args.files, args.dirs)
        self.pids: set[int] = set()
        self.bare: list[Bare] = []
        self.ours: list[Ours] = []

    def git_agent(self, *args: str) -> str:
        return sh(["git", "agent", *args], self.repo)

    def prepare(self) -> None:
        self.repo.mkdir(parents=True)
        began = time.perf_counter()
        self.base = build(self.repo, self.paths)
        print(
            f"built {len(self.paths):,} files in {self.args.dirs:,} directories "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        os.sync()
        sh(["git", "status"], self.repo)  # warm-up
        self.status_times = []
        for _ in range(5):
            began = time.perf_counter()
            sh(["git", "status"], self.repo)
            self.status_times.append(time.perf_counter() - began)
        self.git_status = median(self.status_times)
        self.agent = self.work / "agent.py"
        self.agent.write_text(AGENT)
        listing = self.work / "existing.list"
        chosen = random.Random(10).sample(self.paths, min(len(self.paths), self.args.agent_files))
        listing.write_bytes(b"".join(p + b"\0" for p in chosen))
        self.command = [
            sys.executable,
            str(self.agent),
            str(self.args.agent_files),
            str(self.args.bursts),
            str(self.args.pause),
            str(listing),
        ]

    def run(self) -> None:
        self.prepare()
        try:
            for round_ in range(self.args.repeat):
                cases = [self.run_bare, self.run_ours]
                if round_ % 2:
                    cases.reverse()
                for case in cases:
                    case(round_)
        finally:
            self.stop_all()

    def run_bare(self, round_: int) -> None:
        where = self.work / f"bare{round_}"
        os.sync()  # the last round's writes and removals must not land on what is timed now
        began = time.perf_counter()
        sh(["git", "worktree", "add", "-q", "--detach", str(where), self.base], self.repo)
        worktree_add = time.perf_counter() - began
        invoked = time.time()
        began = time.perf_counter()
        out = sh(self.command, where)
        wall = time.perf_counter() - began
        said = agent_lines(out)
        done = Bare(worktree_add, wall, said["first"] - invoked, said["last"] - said["first"])
        self.bare.append(done)
        print(
            f"  round {round_} bare: worktree add {fmt(worktree_add)}, wall {fmt(wall)}, "
            f"first line after {fmt(done.first)}",
            flush=True,
        )
        sh(["git", "worktree", "remove", "--force", str(where)], self.repo)

    def run_ours(self, round_: int) -> None:
        name = f"f{round_}"
        audit = Layout.of(self.repo / ".git").audit(name)
        os.sync()
        invoked = time.time()
        began = time.perf_counter()
        info = json.loads(self.git_agent("start", name, "--json", "--", *self.command))
        start_cli = time.perf_counter() - began
        pid = info.get("agent", {}).get("supervisor")
        if pid:
            self.pids.add(int(pid))
        entries = self.follow(audit, "agent-end", timeout=self.args.timeout)
        status = json.loads(self.git_agent("status", name, "--json"))
        agent = status["agent"]
        if agent["state"] != "done":
            raise RuntimeError(f"agent of {name} ended {agent['state']}: {agent}")
        cpu = None
        if pid:
            try:
                times = psutil.Process(int(pid)).cpu_times()
                cpu = times.user + times.system
            except psutil.NoSuchProcess:
                pass
        said = agent_lines(self.git_agent("logs", name))
        ended = next(e for e in entries if e["type"] == "agent-end")
        done = Ours(
            start_cli=start_cli,
            to_spawn=agent["started"] - invoked,
            first=said["first"] - invoked,
            wall=float(agent["wall"]),
            inside=said["last"] - said["first"],
            to_end=ended["time"] - invoked,
            sandbox=str(agent.get("sandbox")),
            supervisor_cpu=cpu,
        )
        self.ours.append(done)
        print(
            f"  round {round_} ours: start returned after {fmt(start_cli)}, first line after "
            f"{fmt(done.first)}, wall {fmt(done.wall)} ({done.sandbox})",
            flush=True,
        )
        self.git_agent("stop", name)
        if pid:
            self.wait_gone(int(pid))
        self.git_agent("remove", name, "--force")

    def follow(self, audit: Path, kind: str, timeout: float) -> list[dict[str, Any]]:
        """Every audit entry up to the first of `kind`."""
        deadline = time.monotonic() + timeout
        seen: list[dict[str, Any]] = []
        offset, rest = 0, b""
        while time.monotonic() < deadline:
            try:
                with open(audit, "rb") as stream:
                    stream.seek(offset)
                    data = stream.read()
            except FileNotFoundError:
                data = b""
            offset += len(data)
            lines = (rest + data).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line.strip():
                    seen.append(json.loads(line))
                    if seen[-1]["type"] == kind:
                        return seen
            time.sleep(0.1)
        raise RuntimeError(f"no {kind} entry in {audit} after {timeout:g} s")

    def wait_gone(self, pid: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                    return
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)
        raise RuntimeError(f"supervisor {pid} still runs {timeout:g} s after its stop")

    def stop_all(self) -> None:
        """Every feature's supervision stopped; any supervisor of ours still there killed."""
        for round_ in range(self.args.repeat):
            name = f"f{round_}"
            if (self.repo / ".git" / "agent" / "features" / name).exists():
                try:
                    self.git_agent("stop", name)
                except RuntimeError as exc:
                    print(f"  {exc}", flush=True)
        for pid in self.pids:
            try:
                self.wait_gone(pid, timeout=15.0)
            except RuntimeError:
                print(f"  supervisor {pid} still runs: SIGKILL", flush=True)
                os.kill(pid, signal.SIGKILL)

    # the table ------------------------------------------------------------------------------
    def table(self) -> str:
        bare, ours = self.bare, self.ours
        wall_bare = median([b.wall for b in bare])
        wall_ours = median([o.wall for o in ours])
        overhead = wall_ours / wall_bare - 1
        paired = median([o.wall / b.wall - 1 for o, b in zip(ours, bare, strict=True)])
        inside_bare = median([b.inside for b in bare])
        inside_ours = median([o.inside for o in ours])
        first_bare = median([b.first for b in bare])
        worktree = median([b.worktree_add for b in bare])
        first_ours = median([o.first for o in ours])
        n = len(ours)
        rows = [
            ["git status of the repository (median of 5)", "-", "-", fmt(self.git_status), "", ""],
            [
                f"agent wall time, {self.args.agent_files:,} files in {self.args.bursts} bursts",
                fmt(wall_ours),
                fmt(wall_bare),
                "",
                f"{overhead:+.1%} (paired per round: {paired:+.1%})",
                "under +10%: " + ("met" if overhead < TARGET_OVERHEAD else "MISSED"),
            ],
            [
                "the agent's own span, first line to last",
                fmt(inside_ours),
                fmt(inside_bare),
                "",
                f"{inside_ours / inside_bare - 1:+.1%}",
                "",
            ],
            [
                "start-to-first-agent-instruction (invoking `start` to the agent's first line)",
                fmt(first_ours),
                fmt(first_bare) + " (spawn to first line)",
                fmt(worktree) + " (`git worktree add`)",
                f"{first_ours / worktree:.1f}x git worktree add",
                "",
            ],
            [
                "invoking `start` to the supervisor spawning the agent",
                fmt(median([o.to_spawn for o in ours])),
                "",
                "",
                "",
                "",
            ],
            [
                "invoking `start` to `start` returning",
                fmt(median([o.start_cli for o in ours])),
                "",
                "",
                "",
                "",
            ],
            [
                "invoking `start` to the audit's agent-end entry",
                fmt(median([o.to_end for o in ours])),
                fmt(wall_bare) + " (spawn to exit)",
                "",
                "",
                "",
            ],
        ]
        header = [f"measurement (median of {n} rounds)", "ours", "bare", "git", "ratio", "target"]
        body = [header, *rows]
        widths = [max(len(line[i]) for line in body) for i in range(len(header))]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

        rule = "| " + " | ".join("-" * w for w in widths) + " |"
        return "\n".join([line(body[0]), rule, *(line(c) for c in body[1:])])

    def notes(self) -> list[str]:
        out = [
            "per round, ours: "
            + "; ".join(
                f"wall {fmt(o.wall)}, first line {fmt(o.first)}, start CLI {fmt(o.start_cli)}"
                for o in self.ours
            ),
            "per round, bare: "
            + "; ".join(f"wall {fmt(b.wall)}, first line {fmt(b.first)}" for b in self.bare),
            f"sandbox: {self.ours[0].sandbox}" if self.ours else "no run",
        ]
        cpu = [o.supervisor_cpu for o in self.ours if o.supervisor_cpu is not None]
        if cpu:
            out.append(
                "supervisor CPU (user+system) from its start to the agent's end: " + spread(cpu)
            )
        return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--dirs", type=int, default=5_000)
    parser.add_argument("--agent-files", type=int, default=2000, help="files the agent writes")
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between bursts")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--timeout", type=float, default=600.0, help="for one agent run")
    parser.add_argument("--work", type=Path, help="work dir (default: a new one under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    args = parser.parse_args(argv)
    if args.work:
        work = args.work.resolve()
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-agents-", dir="/tmp"))
    began = time.perf_counter()
    isolate(work / "home")
    compile_checkout()
    load = os.getloadavg()
    bench = Bench(args, work)
    try:
        bench.run()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{args.files:,} files in {args.dirs:,} directories; the agent writes "
        f"{args.agent_files:,} files in {args.bursts} bursts, {args.pause:g} s apart"
    )
    print()
    print(bench.table())
    print()
    for note in bench.notes():
        print(f"- {note}")
    end = os.getloadavg()
    print(
        f"\ntotal bench time {time.perf_counter() - began:.0f} s, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, git {sh(['git', '--version'], ROOT)[12:]}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{load[0]:.2f} at the start, {end[0]:.2f} at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
