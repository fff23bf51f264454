"""Speed of live supervision (issue 9, "Speed"), next to `git status` on the same repository.

Run:  python3 bench/live.py [--files 50000] [--dirs 5000] [--writes 1000] [--writer-files 10000]
                            [--repeat 5] [--quiet-ms MS] [--work DIR] [--keep]

One run builds a repository of `--files` files in `--dirs` directories (one commit, packed by
git fast-import, checked out), starts one feature (`git agent start f`, no agent) and measures,
with the supervisor in the background as `git agent watch f --detach` leaves it:

- the time to start watching the feature (`watch --detach` returns once the supervisor has
  scanned and judged the whole shadow and answers on its socket), cold and again after a stop;
- write-to-verdict latency: `--writes` single-file writes in the shadow, one at a time; each
  waits for the audit log's `batch` entry naming its path; the latency is that entry's time
  minus the time the write ended, minus the configured quiet period (`[live] quiet_ms`);
- a writer process changing `--writer-files` files as fast as it can: files judged per second
  (writer start to the audit entry that judged its last file) and none missed (the paths of
  the audit's `batch` and `reconcile` entries against the writer's own list);
- `git agent checkpoint f` from the CLI with 10 files changed while watched, next to
  `git stash create` (+ `update-ref`) on the same shadow through a scratch git dir whose work
  tree is the shadow (objects borrowed by alternates), interleaved; and both again once the
  supervisor is stopped (the CLI then scans the whole shadow itself);
- the supervisor's resident memory watching one feature, and after a second one is handed to
  it (`git agent watch f2 --detach`, timed too);
- `git status` on the same repository (the main work tree), the yardstick of every time above.

Every supervisor it starts is stopped at the end (`git agent stop`, then SIGKILL of its pid if
it is still there). See bench/README-live.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervisor.lifecycle.workspace import open_workspace  # noqa: E402
from supervisor.store.layout import Layout  # noqa: E402

FEATURE = "f"
SECOND = "f2"
JUDGED = ("batch", "reconcile")  # audit entries that carry the paths they judged
TARGET_P99 = 0.050
TARGET_RATE = 2000.0
TARGET_CHECKPOINT = 4.0
TARGET_RSS = 80 << 20
TARGET_RSS_MORE = 10 << 20
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
WRITER = r"""
import json, sys, time
root, listing = sys.argv[1].encode(), sys.argv[2]
with open(listing, "rb") as stream:
    paths = stream.read().split(b"\0")[:-1]
began = time.time()
for number, path in enumerate(paths):
    with open(root + b"/" + path, "ab") as handle:
        handle.write(b"writer %d\n" % number)
print(json.dumps({"start": began, "end": time.time(), "files": len(paths)}))
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


def sh(
    args: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
) -> str:
    proc = subprocess.run(
        list(args), cwd=cwd, env=env, input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(args)} (in {cwd}) exited {proc.returncode}: {detail}")
    return proc.stdout.decode(errors="replace").strip()


def timed(run: Callable[[], object]) -> float:
    begin = time.perf_counter()
    run()
    return time.perf_counter() - begin


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def mb(size: float) -> str:
    return f"{size / (1 << 20):.1f} MB"


def percentile(values: Sequence[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


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


def build(repo: Path, paths: Sequence[bytes], quiet_ms: int | None) -> str:
    """A one-commit repository of `paths` (and a policy setting the quiet period, when one is
    given), packed by fast-import, checked out; its commit."""
    sh(["git", "init", "-q", str(repo)], repo.parent)
    chunks = [
        b"commit refs/heads/main\ncommitter Bench <bench@example.com> 0 +0000\ndata 5\nbase\n"
    ]
    if quiet_ms is not None:
        policy = b"version = 1\n\n[live]\nquiet_ms = %d\n" % quiet_ms
        chunks.append(
            b"M 100644 inline .git-agent/policy.toml\ndata %d\n%s\n" % (len(policy), policy)
        )
    for i, path in enumerate(paths):
        data = content(i)
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    sh(["git", "fast-import", "--quiet"], repo, stdin=b"".join(chunks))
    sh(["git", "reset", "-q", "--hard", "main"], repo)
    return sh(["git", "rev-parse", "HEAD"], repo)


class Toucher:
    """Changes files by appending a line that was never written before."""

    def __init__(self) -> None:
        self.counter = 0

    def __call__(self, root: Path, paths: Iterable[bytes]) -> float:
        """Append to each of `paths`; the time.time() when the last write ended."""
        base = os.fsencode(root)
        for path in paths:
            self.counter += 1
            with open(base + b"/" + path, "ab") as handle:
                handle.write(b"edit %d\n" % self.counter)
        return time.time()


# --------------------------------------------------------------------------- the audit log


class AuditTail:
    """The entries appended to a feature's audit log since the last look (whole lines only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.rest = b""

    def poll(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self.offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        data = self.rest + data
        lines = data.split(b"\n")
        self.rest = lines.pop()
        return [json.loads(line) for line in lines if line.strip()]

    def until(
        self, wanted: set[str], timeout: float, pause: float = 0.005
    ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """Read on until every path of `wanted` is named by a judging entry or `timeout` runs
        out: {path: the first entry naming it}, and every entry read."""
        found: dict[str, dict[str, Any]] = {}
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.poll():
                seen.append(entry)
                if entry["type"] in JUDGED:
                    for path in entry["data"].get("paths", []):
                        if path in wanted and path not in found:
                            found[path] = entry
            if len(found) == len(wanted) or time.monotonic() > deadline:
                return found, seen
            time.sleep(pause)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    what: str
    ours: str
    git_way: str = ""
    git: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""

    def cells(self) -> list[str]:
        git = [self.git_way or "-", self.git or "-", self.ratio or "-"]
        return [self.what, self.ours, *git, self.target, self.met]


HEADER = ["measurement", "ours", "git way", "git", "ratio", "target", "met"]


def table(rows: Sequence[Row]) -> str:
    body = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(HEADER))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(body[0]), rule, *(line(c) for c in body[1:])])


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --------------------------------------------------------------------------- the bench


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.repo = work / "repo"
        self.paths = layout(args.files, args.dirs)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.touch = Toucher()
        self.pids: set[int] = set()  # every supervisor this bench saw start
        sample = random.Random(9).sample(self.paths, len(self.paths))
        writes = min(args.writes, len(sample) // 3)
        self.latency_paths = sample[:writes]
        self.writer_paths = sample[writes : writes + min(args.writer_files, len(sample) // 2)]
        self.checkpoint_paths = sample[-10:]

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.what}: {row.ours}  {row.git_way} {row.git}  {row.ratio}", flush=True)

    def git_agent(self, *args: str) -> str:
        return sh(["git", "agent", *args], self.repo)

    # set-up -------------------------------------------------------------------------------
    def run(self) -> None:
        self.repo.mkdir(parents=True)
        began = time.perf_counter()
        self.base = build(self.repo, self.paths, self.args.quiet_ms)
        print(
            f"built {len(self.paths):,} files in {self.args.dirs:,} directories "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        os.sync()
        self.status_times = self.time_git_status()
        self.git_status = statistics.median(self.status_times)
        self.add(
            Row(
                f"git status of the repository (median of {len(self.status_times)})",
                "-",
                "git status",
                fmt(self.git_status),
            )
        )
        self.git_agent("start", FEATURE)
        info = json.loads(self.git_agent("status", FEATURE, "--json"))
        self.shadow = Path(info["shadow"])
        layout_ = Layout.of(self.repo / ".git")
        self.audit = layout_.audit(FEATURE)
        with open_workspace(os.environ, str(self.repo)) as ws:
            self.quiet = ws.feature(FEATURE).rules.live.quiet_ms / 1000
        print(f"  quiet period ([live] quiet_ms): {self.quiet * 1000:g} ms", flush=True)
        try:
            self.watch_start()
            self.latency()
            self.writer()
            self.scratch_init()
            self.checkpoints(watched=True)
            self.second_feature()
            self.stop_all()
            self.checkpoints(watched=False)
        finally:
            self.stop_all()

    def time_git_status(self) -> list[float]:
        sh(["git", "status"], self.repo)  # warm-up: the index refreshed, the cache warm
        return [timed(lambda: sh(["git", "status"], self.repo)) for _ in range(self.args.repeat)]

    # watching -----------------------------------------------------------------------------
    def watch(self, name: str) -> tuple[float, int]:
        began = time.perf_counter()
        out = self.git_agent("watch", name, "--detach")
        took = time.perf_counter() - began
        found = re.search(r"process (\d+)", out)
        if found is None:
            raise RuntimeError(f"git agent watch said: {out}")
        pid = int(found.group(1))
        self.pids.add(pid)
        return took, pid

    def wait_gone(self, pid: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while psutil.pid_exists(pid) and time.monotonic() < deadline:
            try:
                if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                    return
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)
        if psutil.pid_exists(pid):
            raise RuntimeError(f"supervisor {pid} still runs {timeout:g} s after its stop")

    def watch_start(self) -> None:
        """`watch --detach` cold (the first), then again after each stop; RSS once watching."""
        times = []
        for round_ in range(self.args.watch_repeat):
            if round_:
                self.git_agent("stop", FEATURE)
                self.wait_gone(self.pid)
            took, self.pid = self.watch(FEATURE)
            times.append(took)
        self.rss_one = psutil.Process(self.pid).memory_info().rss
        gs = self.git_status
        self.add(
            Row(
                "start watching one feature (`watch f --detach`), first",
                fmt(times[0]),
                "git status",
                fmt(gs),
                f"{times[0] / gs:.1f}x git status",
            )
        )
        if len(times) > 1:
            again = statistics.median(times[1:])
            self.add(
                Row(
                    f"start watching again after a stop (median of {len(times) - 1})",
                    fmt(again),
                    "git status",
                    fmt(gs),
                    f"{again / gs:.1f}x git status",
                )
            )

    def settle(self) -> None:
        """Let the supervisor finish what follows the watch start (its first predictions)."""
        tail = AuditTail(self.audit)
        time.sleep(0.5)
        tail.poll()

    # write-to-verdict -----------------------------------------------------------------------
    def latency(self) -> None:
        self.settle()
        tail = AuditTail(self.audit)
        latencies: list[float] = []
        missed: list[str] = []
        via_reconcile = 0
        beside: list[tuple[float, float, list[str]]] = []  # latency, when, other entries
        n = len(self.latency_paths)
        print(f"  {n} single-file writes, each waiting for its verdict...", flush=True)
        began = time.perf_counter()
        for path in self.latency_paths:
            name = path.decode()
            wrote = self.touch(self.shadow, [path])
            found, seen = tail.until({name}, timeout=30.0, pause=0.002)
            entry = found.get(name)
            if entry is None:
                missed.append(name)
                continue
            via_reconcile += entry["type"] != "batch"
            latencies.append(entry["time"] - wrote - self.quiet)
            others = sorted({e["type"] for e in seen if e is not entry})
            beside.append((latencies[-1], time.perf_counter() - began, others))
        print(f"  ... done in {time.perf_counter() - began:.0f} s", flush=True)
        if not latencies:
            raise RuntimeError("no write got a verdict")
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        quiet = f"{self.quiet * 1000:g} ms"
        self.add(
            Row(
                f"write-to-verdict minus quiet ({quiet}), p50 of {len(latencies)}",
                fmt(p50),
                "git status",
                fmt(self.git_status),
            )
        )
        self.add(
            Row(
                f"write-to-verdict minus quiet ({quiet}), p99 of {len(latencies)}",
                fmt(p99),
                "git status",
                fmt(self.git_status),
                "",
                "p99 < 50 ms",
                met(p99 < TARGET_P99 and not missed),
            )
        )
        self.notes.append(
            f"write-to-verdict: max {fmt(max(latencies))}, min {fmt(min(latencies))}, "
            f"{len(missed)} writes without a verdict in 30 s, {via_reconcile} judged by a "
            "full scan (reconcile) rather than from events"
        )
        slowest = sorted(beside, reverse=True)[: max(1, len(beside) // 100)]
        self.notes.append(
            "write-to-verdict, the slowest 1% (latency at seconds into the phase, other "
            "audit entries written while it waited): "
            + "; ".join(
                f"{fmt(took)} at {when:.0f} s ({', '.join(others) or 'none'})"
                for took, when, others in slowest
            )
        )

    # a writer as fast as it can -------------------------------------------------------------
    def writer(self) -> None:
        if not self.writer_paths:
            return
        self.settle()
        listing = self.work / "writer.list"
        listing.write_bytes(b"".join(p + b"\0" for p in self.writer_paths))
        script = self.work / "writer.py"
        script.write_text(WRITER)
        tail = AuditTail(self.audit)
        n = len(self.writer_paths)
        print(f"  writer: {n} files as fast as it can...", flush=True)
        out = sh([sys.executable, str(script), str(self.shadow), str(listing)], self.work)
        wrote = json.loads(out)
        wanted = {p.decode() for p in self.writer_paths}
        found, seen = tail.until(wanted, timeout=max(60.0, n / 200), pause=0.05)
        missed = wanted - set(found)
        last = max((e["time"] for e in found.values()), default=wrote["end"])
        span = last - wrote["start"]
        rate = len(found) / span if span > 0 else float("inf")
        writer_rate = n / max(wrote["end"] - wrote["start"], 1e-9)
        by_scan = sum(1 for e in found.values() if e["type"] != "batch")
        batches = [e for e in seen if e["type"] == "batch"]
        kinds: dict[str, int] = {}
        for entry in seen:
            kinds[entry["type"]] = kinds.get(entry["type"], 0) + 1
        self.add(
            Row(
                f"writer: {n:,} files as fast as it can, judged per second",
                f"{rate:,.0f} files/s",
                "writer's own rate",
                f"{writer_rate:,.0f} files/s",
                "",
                ">= 2,000/s, none missed",
                met(rate >= TARGET_RATE and not missed),
            )
        )
        self.add(
            Row(
                "writer: files missed (audit vs the writer's list)",
                f"{len(missed)} of {n:,}",
                "",
                "",
                "",
                "0",
                met(not missed),
            )
        )
        self.notes.append(
            f"writer: wrote for {fmt(wrote['end'] - wrote['start'])}; last verdict "
            f"{fmt(last - wrote['end'])} after its last write (the quiet period included; "
            f"without it: {len(found) / max(span - self.quiet, 1e-9):,.0f} files/s); "
            f"{len(batches)} batch entries "
            f"(largest {max((len(e['data']['paths']) for e in batches), default=0)} paths); "
            f"{by_scan} files judged by a full scan; entries seen: {kinds}"
        )

    # checkpoints ----------------------------------------------------------------------------
    def scratch_init(self) -> None:
        """A git dir of its own (objects borrowed by alternates) whose work tree is the shadow,
        its index and HEAD equal to the shadow as it is now."""
        scratch = self.work / "scratch"
        sh(["git", "init", "-q", str(scratch)], self.work)
        alternates = scratch / ".git" / "objects" / "info" / "alternates"
        alternates.write_text(str(self.repo / ".git" / "objects") + "\n")
        self.scratch_env = {
            **os.environ,
            "GIT_DIR": str(scratch / ".git"),
            "GIT_WORK_TREE": str(self.shadow),
        }
        self.scratch(["update-ref", "refs/heads/main", self.base])
        self.scratch(["read-tree", "HEAD"])
        self.scratch(["add", "-A"])
        self.scratch(["commit", "-q", "--no-verify", "--allow-empty", "-m", "sync"])
        self.scratch(["update-index", "-q", "--refresh"])

    def scratch(self, args: Sequence[str]) -> str:
        return sh(["git", *args], self.shadow, self.scratch_env)

    def checkpoints(self, watched: bool) -> None:
        """10 files changed, then (once the watcher has judged them, when watched) ours or
        git's, in turn; one warm-up round first (it also takes up whatever earlier phases left)."""
        paths = self.checkpoint_paths
        names = {p.decode() for p in paths}
        tail = AuditTail(self.audit)

        def changed() -> None:
            self.touch(self.shadow, paths)
            if watched:
                found, _ = tail.until(names, timeout=30.0)
                if len(found) != len(names):
                    raise RuntimeError("the watcher did not judge the 10 changed files")

        def ours() -> float:
            began = time.perf_counter()
            out = self.git_agent("checkpoint", FEATURE)
            took = time.perf_counter() - began
            if not out.startswith("checkpoint "):
                raise RuntimeError(f"git agent checkpoint said: {out}")
            return took

        def stash() -> float:
            began = time.perf_counter()
            commit = self.scratch(["stash", "create", "bench"])
            self.scratch(["update-ref", "refs/bench/stash", commit])
            took = time.perf_counter() - began
            if not commit:
                raise RuntimeError("git stash create saw no change")
            return took

        times: dict[str, list[float]] = {"ours": [], "stash": []}
        for round_ in range(self.args.repeat + 1):
            for name, case in (("ours", ours), ("stash", stash)):
                changed()
                took = case()
                if round_:
                    times[name].append(took)
        got = {name: statistics.median(values) for name, values in times.items()}
        ratio = got["stash"] / got["ours"]
        if watched:
            what = "`git agent checkpoint f`, 10 files changed, watched"
            target, verdict = ">= 4x faster than stash", met(ratio >= TARGET_CHECKPOINT)
        else:
            what = "`git agent checkpoint f`, 10 files changed, not watched (full scan)"
            target, verdict = "", ""
        self.add(
            Row(
                f"{what} (median of {self.args.repeat})",
                fmt(got["ours"]),
                "stash create+update-ref",
                fmt(got["stash"]),
                f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower",
                target,
                verdict,
            )
        )
        if watched:
            self.notes.append(
                f"checkpoint, watched: ours / git status {got['ours'] / self.git_status:.2f}x; "
                f"stash create / git status {got['stash'] / self.git_status:.2f}x"
            )

    # a second feature -----------------------------------------------------------------------
    def second_feature(self) -> None:
        if self.args.no_second:
            return
        rss_before = psutil.Process(self.pid).memory_info().rss
        self.git_agent("start", SECOND)
        self.settle()
        took, pid = self.watch(SECOND)
        if pid != self.pid:
            raise RuntimeError(f"{SECOND} went to process {pid}, not {self.pid}")
        time.sleep(1.0)
        rss_two = psutil.Process(self.pid).memory_info().rss
        self.add(
            Row(
                "watch a second feature (handed to the running supervisor)",
                fmt(took),
                "git status",
                fmt(self.git_status),
                f"{took / self.git_status:.1f}x git status",
            )
        )
        self.add(
            Row(
                "supervisor resident memory, one feature (at watch start)",
                mb(self.rss_one),
                "",
                "",
                "",
                "< 80 MB",
                met(self.rss_one < TARGET_RSS),
            )
        )
        self.add(
            Row(
                "supervisor resident memory, a second feature (more than before it)",
                mb(rss_two - rss_before),
                "",
                "",
                "",
                "< 10 MB more",
                met(rss_two - rss_before < TARGET_RSS_MORE),
            )
        )
        self.notes.append(
            f"supervisor RSS: {mb(self.rss_one)} at the first watch start, "
            f"{mb(rss_before)} after the writes and checkpoints, "
            f"{mb(rss_two)} watching two features"
        )

    # the end --------------------------------------------------------------------------------
    def stop_all(self) -> None:
        """Stop every feature's supervision; kill any supervisor of ours still there."""
        for name in (FEATURE, SECOND):
            with contextlib.suppress(RuntimeError):  # not started
                self.git_agent("stop", name)
        for pid in self.pids:
            try:
                self.wait_gone(pid, timeout=15.0)
            except RuntimeError:
                print(f"  supervisor {pid} still runs: SIGKILL", flush=True)
                os.kill(pid, signal.SIGKILL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--dirs", type=int, default=5_000)
    parser.add_argument("--writes", type=int, default=1000, help="single-file writes timed")
    parser.add_argument("--writer-files", type=int, default=10_000, help="files the writer changes")
    parser.add_argument("--repeat", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--watch-repeat", type=int, default=3, help="watch starts (default 3)")
    parser.add_argument(
        "--quiet-ms", type=int, help="commit a policy with this [live] quiet_ms (default: none)"
    )
    parser.add_argument("--no-second", action="store_true", help="skip the second feature")
    parser.add_argument("--work", type=Path, help="work dir (default: a new one under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    args = parser.parse_args(argv)
    work = (
        args.work.resolve()
        if args.work
        else Path(tempfile.mkdtemp(prefix="bench-live-", dir="/tmp"))
    )
    if work.exists() and any(work.iterdir()):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
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
        f"{args.files:,} files in {args.dirs:,} directories; git status median of "
        f"{len(bench.status_times)}: {fmt(bench.git_status)}"
    )
    print()
    print(table(bench.rows))
    print()
    for note in bench.notes:
        print(f"- {note}")
    end_load = os.getloadavg()
    print(
        f"\ntotal bench time {time.perf_counter() - began:.0f} s, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, git {sh(['git', '--version'], ROOT)[12:]}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{load[0]:.2f} at the start, {end_load[0]:.2f} at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
