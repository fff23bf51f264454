"""Speed of git-agent's core against the plain git CLI doing the same job (issue 2, "Speed").

Run:  python3 bench/core.py [--files 50000] [--dirs 5000] [--repeat 5] [--profile]

One run builds two repositories (the large one and one a tenth of its size), starts a feature in
each, then for 1, 10, 100 and 1,000 changed files in the shadow times our checkpoint, validate
and revert next to the git ways of doing the same job without touching the user's index, and
prints medians, ratios (git / ours) and the issue's targets. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervisor.lifecycle import verdict  # noqa: E402
from supervisor.lifecycle.feature import Feature  # noqa: E402
from supervisor.lifecycle.revert import revert  # noqa: E402
from supervisor.lifecycle.workspace import Workspace, open_workspace  # noqa: E402

FEATURE = "f"
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


# --------------------------------------------------------------------------- helpers


def isolate(home: Path) -> None:
    """No user config or GIT_* variable reaches the bench; git never gc's behind our back.

    The processes we time may write bytecode (PYTHONDONTWRITEBYTECODE, set in some sandboxes,
    would make every `git agent` process recompile our modules), and our modules are compiled
    first, as an install would: see compile_checkout."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG)
    for key in list(os.environ):
        if key.startswith(("GIT_", "GIT_AGENT_")) or key == "PYTHONDONTWRITEBYTECODE":
            del os.environ[key]
    os.environ.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1"
    )
    # `git agent` is this interpreter's (its venv's bin first), not another install on PATH
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


def compile_checkout() -> None:
    """`.pyc` files for the checkout under test, as `pip install` writes them for a wheel."""
    interp = sys.executable
    sh([interp, "-m", "compileall", "-q", "supervisor", "plugins"], ROOT)


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


def median_time(
    run: Callable[[], object], repeat: int, prepare: Callable[[], object] | None = None
) -> float:
    """Median wall time of `run` over `repeat` runs; `prepare` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def timed(run: Callable[[], object]) -> float:
    begin = time.perf_counter()
    run()
    return time.perf_counter() - begin


def interleaved(
    cases: dict[str, Callable[[], float]], repeat: int, prepare: Callable[[], object]
) -> dict[str, float]:
    """Median of each case (a callable returning its own elapsed time), run in turn."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, case in cases.items():
            prepare()
            times[name].append(case())
    return {name: statistics.median(values) for name, values in times.items()}


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[float, float | None], bool]  # (ours, git) -> met


def at_least(times: float) -> Target:
    def check(ours: float, git: float | None) -> bool:
        return git is not None and git / ours >= times

    return Target(f">= {times:g}x", check)


def under(seconds: float) -> Target:
    return Target(f"< {seconds * 1000:g} ms", lambda ours, _: ours < seconds)


@dataclass(frozen=True)
class Row:
    operation: str
    files: int
    n: int | None
    ours: float | None
    git_way: str = ""
    git: float | None = None
    target: Target | None = None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = "-"
        if self.ours and self.git is not None:
            ratio = f"{self.git / self.ours:.1f}x"
        verdict = ""
        if self.target is not None and self.ours is not None:
            verdict = "met" if self.target.check(self.ours, self.git) else "MISSED"
        return [
            self.operation,
            f"{self.files:,}",
            "-" if self.n is None else f"{self.n:,}",
            fmt(self.ours) if self.ours is not None else f"error: {self.note}"[:40],
            self.git_way or "-",
            fmt(self.git),
            ratio,
            self.target.text if self.target else "",
            verdict,
        ]


HEADER = ["operation", "files", "N", "ours", "git way", "git", "git/ours", "target", "met"]


def table(rows: Sequence[Row]) -> str:
    body = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(HEADER))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(body[0]), rule, *(line(c) for c in body[1:])])


# --------------------------------------------------------------------------- repositories


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


@dataclass
class Toucher:
    """Changes files by appending a line that was never written before."""

    counter: int = 0

    def __call__(self, root: Path, paths: Sequence[bytes]) -> None:
        base = os.fsencode(root)
        for path in paths:
            self.counter += 1
            with open(base + b"/" + path, "ab") as handle:
                handle.write(b"edit %d\n" % self.counter)


# --------------------------------------------------------------------------- the bench


@dataclass
class Bench:
    files: int
    dirs: int
    work: Path
    repeat: int
    counts: Sequence[int]
    profile_dir: Path | None
    rows: list[Row] = field(default_factory=list)
    touch: Toucher = field(default_factory=Toucher)

    def __post_init__(self) -> None:
        self.repo = self.work / "repo"
        self.paths = layout(self.files, self.dirs)
        self.sample = random.Random(2).sample(self.paths, max(self.counts))

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(
            f"  {row.operation} N={row.n}: ours {fmt(row.ours)}  {row.git_way} {fmt(row.git)}",
            flush=True,
        )

    # set-up ------------------------------------------------------------------
    def run(self) -> list[Row]:
        rmtree(self.work)
        self.work.mkdir(parents=True)
        self.repo.mkdir()
        began = time.perf_counter()
        self.base = build(self.repo, self.paths)
        print(
            f"built {self.files:,} files in {self.dirs:,} directories "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        self.time_start()
        self.scratch_init()
        with contextlib.ExitStack() as stack:
            ws = stack.enter_context(open_workspace(os.environ, str(self.repo)))
            feature = ws.feature(FEATURE)
            for n in self.counts:
                self.phase(ws, feature, n)
        return self.rows

    def time_start(self) -> None:
        """`git agent start` between two `git worktree add` of the same commit, `repeat` rounds.

        Round 0 starts the feature the later phases use and keeps its two worktrees (`wt1` is
        the revert phase's); each later round starts a feature of its own, and everything it
        made is removed again, untimed, before the next."""
        ours, git = [], []
        for round_ in range(self.repeat):
            os.sync()  # the last round's writeback must not land on whatever is timed next
            name = FEATURE if round_ == 0 else f"s{round_}"
            first, second = self.work / f"wt{2 * round_ + 1}", self.work / f"wt{2 * round_ + 2}"
            took = self.worktree_add(first)
            ours.append(timed(lambda: sh(["git", "agent", "start", name], self.repo)))  # noqa: B023
            git.append(took + self.worktree_add(second))
            if round_:
                sh(["git", "agent", "remove", name, "--force"], self.repo)
                for path in (first, second):
                    sh(["git", "worktree", "remove", "--force", str(path)], self.repo)
        self.add(
            Row(
                "start (process)",
                self.files,
                None,
                statistics.median(ours),
                "2x worktree add",
                statistics.median(git),
                at_least(1),
            )
        )
        status = sh(["git", "agent", "status", FEATURE, "--json"], self.repo)
        self.shadow = Path(json.loads(status)["shadow"])

    def worktree_add(self, path: Path) -> float:
        args = ["git", "worktree", "add", "-q", "--detach", str(path), self.base]
        return timed(lambda: sh(args, self.repo))

    def scratch_init(self) -> None:
        """A git dir of its own (objects borrowed by alternates) whose work tree is the shadow."""
        scratch = self.work / "scratch"
        sh(["git", "init", "-q", str(scratch)], self.work)
        self.scratch_git = scratch / ".git"
        alternates = self.scratch_git / "objects" / "info" / "alternates"
        alternates.write_text(str(self.repo / ".git" / "objects") + "\n")
        self.scratch_env = {
            **os.environ,
            "GIT_DIR": str(self.scratch_git),
            "GIT_WORK_TREE": str(self.shadow),
        }
        self.git(["update-ref", "refs/heads/main", self.base])
        self.git(["read-tree", "HEAD"])
        self.git(["update-index", "-q", "--refresh"])

    def git(
        self, args: Sequence[str], index: Path | None = None, stdin: bytes | None = None
    ) -> str:
        env = self.scratch_env
        if index is not None:
            env = {**env, "GIT_INDEX_FILE": str(index)}
        return sh(["git", *args], self.shadow, env, stdin)

    def scratch_sync(self) -> str:
        """Scratch index and HEAD equal to the shadow as it is now; the HEAD commit."""
        self.git(["add", "-A"])
        self.git(["commit", "-q", "--no-verify", "--allow-empty", "-m", "sync"])
        return self.git(["rev-parse", "HEAD"])

    # one count of changed files ---------------------------------------------
    def phase(self, ws: Workspace, feature: Feature, n: int) -> None:
        paths = self.sample[:n]
        print(f"[{self.files:,} files] {n} changed", flush=True)
        self.checkpoints(ws, feature, paths)
        self.validate(ws, feature, paths)
        self.revert(ws, feature, paths)

    def profiled(self, name: str, run: Callable[[], object], prepare: Callable[[], object]) -> None:
        if self.profile_dir is None:
            return
        prepare()
        profiler = cProfile.Profile()
        profiler.runcall(run)
        stem = self.profile_dir / f"{name}-{self.files}-{len(self.rows)}"
        profiler.dump_stats(f"{stem}.prof")
        with open(f"{stem}.txt", "w") as out:
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(20)

    def checkpoints(self, ws: Workspace, feature: Feature, paths: list[bytes]) -> None:
        """Ours (warm, known paths; CLI, nothing known) and the three git ways, interleaved.

        Every repetition modifies the same N files again before each case, and the cases run
        one after the other, so a machine that slows down slows all of them alike.
        """
        n = len(paths)
        head = self.scratch_sync()
        index = self.scratch_git / "index"
        copy = self.work / "copy.index"
        private = self.work / "private.index"
        shutil.copyfile(index, private)
        parents = {"copy": head, "known": head}
        listing = b"".join(p + b"\0" for p in paths)

        def warm() -> None:
            assert feature.chain.checkpoint(paths=paths).created, "checkpoint saw no change"

        def locked_warm() -> float:
            with ws.locked(FEATURE):
                return timed(warm)

        def cli() -> None:
            out = sh(["git", "agent", "checkpoint", FEATURE], self.repo)
            assert out.startswith("checkpoint "), out

        def stash() -> None:
            commit = self.git(["stash", "create", "bench"])
            assert commit, "stash create saw no change"
            self.git(["update-ref", "refs/bench/stash", commit])

        def commit(kind: str, index: Path) -> None:
            tree = self.git(["write-tree"], index)
            made = self.git(["commit-tree", tree, "-p", parents[kind], "-m", "c"], index)
            self.git(["update-ref", f"refs/bench/{kind}", made], index)
            parents[kind] = made

        def index_copy() -> None:
            shutil.copyfile(index, copy)
            self.git(["add", "-A"], copy)
            commit("copy", copy)

        def known() -> None:
            self.git(["update-index", "--add", "--remove", "-z", "--stdin"], private, listing)
            commit("known", private)

        cases: dict[str, Callable[[], float]] = {
            "warm": locked_warm,
            "cli": lambda: timed(cli),
            "stash": lambda: timed(stash),
            "copy": lambda: timed(index_copy),
            "known": lambda: timed(known),
        }
        self.touch(self.shadow, paths)
        locked_warm()  # warm-up: plugins loaded, caches read once
        got = interleaved(cases, self.repeat, lambda: self.touch(self.shadow, paths))
        if self.profile_dir is not None:
            from supervisor.cli import main
            from supervisor.render.output import Output

            quiet = Output(io.StringIO(), io.StringIO())
            prepare = lambda: self.touch(self.shadow, paths)  # noqa: E731
            with ws.locked(FEATURE):
                self.profiled(f"checkpoint-warm-n{n}", warm, prepare)
            self.profiled(
                f"checkpoint-cli-n{n}",
                lambda: main(["checkpoint", FEATURE], quiet, cwd=str(self.repo)),
                prepare,
            )
        label = "checkpoint warm, known paths"
        stash_target = at_least(20) if n <= 10 else at_least(1) if n >= 1000 else None
        self.add(
            Row(
                label,
                self.files,
                n,
                got["warm"],
                "stash create+update-ref",
                got["stash"],
                stash_target,
            )
        )
        self.add(
            Row(
                label,
                self.files,
                n,
                got["warm"],
                "index copy+add -A+...",
                got["copy"],
                at_least(1) if n >= 1000 else None,
            )
        )
        self.add(
            Row(
                label,
                self.files,
                n,
                got["warm"],
                "private index, known paths",
                got["known"],
                at_least(3) if n == 100 else at_least(1) if n >= 1000 else None,
            )
        )
        self.add(
            Row(
                "checkpoint CLI, nothing known",
                self.files,
                n,
                got["cli"],
                "stash create+update-ref",
                got["stash"],
                at_least(1),
            )
        )

    def validate(self, ws: Workspace, feature: Feature, paths: list[bytes]) -> None:
        n = len(paths)

        def prepare() -> None:
            self.touch(self.shadow, paths)

        def known() -> None:
            report = verdict.evaluate(feature, feature.scanner.scan(paths))
            assert len(report.changes) == n, f"{len(report.changes)} changes, expected {n}"

        def full() -> None:
            verdict.validate(feature)

        with ws.locked(FEATURE):
            prepare()
            known()
            fast = median_time(known, self.repeat, prepare)
            self.profiled(f"validate-known-n{n}", known, prepare)
            slow = median_time(full, self.repeat, prepare)
        self.add(
            Row(
                "validate in-process, known paths",
                self.files,
                n,
                fast,
                target=under(0.050) if n == 100 else None,
            )
        )
        self.add(Row("validate in-process, full scan", self.files, n, slow))

    def revert(self, ws: Workspace, feature: Feature, paths: list[bytes]) -> None:
        """Ours: N paths of the shadow back one checkpoint; git: checkout C in a worktree."""
        n = len(paths)
        names = [os.fsdecode(p) for p in paths]
        target = [0]
        worktree = self.work / "wt1"
        listing = self.work / "revert.list"
        listing.write_bytes(b"".join(p + b"\0" for p in paths))
        args = ["git", "checkout", self.base, f"--pathspec-from-file={listing}"]
        args.append("--pathspec-file-nul")

        def prepare() -> None:
            self.touch(self.shadow, paths)
            with ws.locked(FEATURE):
                number = feature.chain.checkpoint(paths=paths).number
            target[0] = number - 1
            self.touch(worktree, paths)

        def ours() -> None:
            done = revert(feature, to=target[0], paths=names, dirty=paths)  # a watcher knows them
            assert len(done.paths) == n, f"reverted {len(done.paths)}, expected {n}"

        def locked_ours() -> float:
            with ws.locked(FEATURE):
                return timed(ours)

        cases = {"ours": locked_ours, "git": lambda: timed(lambda: sh(args, worktree))}
        got = interleaved(cases, self.repeat, prepare)
        self.profiled(f"revert-n{n}", locked_ours, prepare)  # prepare takes the lock itself
        target_100 = Target(">= 0.8x (about as fast)", at_least(0.8).check)
        self.add(
            Row(
                "revert N paths in-process",
                self.files,
                n,
                got["ours"],
                "checkout C --pathspec-from-file",
                got["git"],
                target_100 if n == 100 else None,
            )
        )


# --------------------------------------------------------------------------- copy-on-write


def build_mixed(repo: Path, small: int, large: int, large_bytes: int) -> str:
    """A one-commit repository of `small` ~800-byte files and `large` files of `large_bytes`
    random bytes, for the copy-on-write start; its commit."""
    sh(["git", "init", "-q", str(repo)], repo.parent)
    chunks = [
        b"commit refs/heads/main\ncommitter Bench <bench@example.com> 0 +0000\ndata 5\nbase\n"
    ]
    rng = random.Random(3)
    for i in range(small):
        data = content(i)
        path = b"src/d%02d/f%d.py" % (i % 50, i)
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    for i in range(large):
        data = rng.randbytes(large_bytes)
        chunks.append(b"M 100644 inline assets/a%d.bin\ndata %d\n%s\n" % (i, len(data), data))
    sh(["git", "fast-import", "--quiet"], repo, stdin=b"".join(chunks))
    sh(["git", "reset", "-q", "--hard", "main"], repo)
    return sh(["git", "rev-parse", "HEAD"], repo)


def cow_start(where: Path, repeat: int) -> list[Row]:
    """`start` on a file system with reflinks (btrfs, XFS) against two `git worktree add`, in
    interleaved rounds, for a repository whose bytes are mostly in large files."""
    from supervisor.gitio.repo import Repo
    from supervisor.lifecycle import clone

    work = where / "git-agent-bench-cow"
    rmtree(work)
    work.mkdir(parents=True)
    repo = work / "repo"
    repo.mkdir()
    small, large, size = 5_000, 200, 1 << 20
    base = build_mixed(repo, small, large, size)
    store = Repo.open(repo)
    home = repo / ".git" / "agent" / "features"
    home.mkdir(parents=True)
    plan = clone.plan(store, store.commit_tree(base), home / "worktree", home / "shadow")
    print(f"copy-on-write in {where}: {plan}", flush=True)
    ours, git = [], []
    try:
        for round_ in range(max(repeat, 3)):
            os.sync()
            name, first, second = f"c{round_}", work / f"a{round_}", work / f"b{round_}"
            add = ["git", "worktree", "add", "-q", "--detach"]
            took = timed(lambda: sh([*add, str(first), base], repo))  # noqa: B023
            ours.append(timed(lambda: sh(["git", "agent", "start", name], repo)))  # noqa: B023
            git.append(took + timed(lambda: sh([*add, str(second), base], repo)))  # noqa: B023
            sh(["git", "agent", "remove", name, "--force"], repo)
            for path in (first, second):
                sh(["git", "worktree", "remove", "--force", str(path)], repo)
    finally:
        rmtree(work)
    files = small + large
    label = "start (process), reflinks" if plan.clones else "start (process), no reflinks"
    return [
        Row(
            label,
            files,
            None,
            statistics.median(ours),
            "2x worktree add",
            statistics.median(git),
            at_least(1),
            note=f"{large} files of {size >> 20} MiB",
        )
    ]


# --------------------------------------------------------------------------- start-up


def startup(repeat: int) -> str:
    runs = max(repeat, 5)
    interp = sys.executable
    cases = [
        (f"{interp} -c pass", [interp, "-c", "pass"]),
        (f"{interp} -S -c pass (no site)", [interp, "-S", "-c", "pass"]),
        ("import supervisor.cli", [interp, "-c", "import supervisor.cli"]),
        ("git agent --version", ["git", "agent", "--version"]),
    ]
    parts = []
    for label, args in cases:
        seconds = median_time(lambda a=args: sh(a, ROOT), runs)  # type: ignore[misc]
        parts.append(f"{label} {fmt(seconds)}")
    return f"interpreter start-up (median of {runs}): " + "; ".join(parts)


# --------------------------------------------------------------------------- scaling


def scaling(small: Sequence[Row], large: Sequence[Row]) -> str:
    """Our time on the large repository over the small one, for the same N changed files."""
    ops = [
        "checkpoint warm, known paths",
        "validate in-process, known paths",
        "checkpoint CLI, nothing known",
        "revert N paths in-process",
    ]
    lines = ["| operation | N | small | large | large/small |", "| --- | --- | --- | --- | --- |"]
    done: set[tuple[str, int | None]] = set()
    for op in ops:
        mine = {r.n: r.ours for r in small if r.operation == op}
        for row in large:
            other = mine.get(row.n)
            if row.operation != op or other is None or row.ours is None:
                continue
            if (op, row.n) in done:
                continue
            done.add((op, row.n))
            lines.append(
                f"| {op} | {row.n:,} | {fmt(other)} | {fmt(row.ours)} | {row.ours / other:.1f}x |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--dirs", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--counts", default="1,10,100,1000", help="changed files per phase")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    parser.add_argument("--no-small", action="store_true", help="skip the tenth-size repository")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    parser.add_argument(
        "--cow-dir",
        type=Path,
        help="also time start on this folder's file system (btrfs or XFS: copy-on-write)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also write cProfile dumps of in-process ops to WORK/profiles",
    )
    args = parser.parse_args(argv)
    counts = sorted({int(c) for c in args.counts.split(",")})
    work = args.work.resolve()
    began = time.perf_counter()
    isolate(work / "home")
    compile_checkout()
    profile_dir = work / "profiles" if args.profile else None
    if profile_dir is not None:
        rmtree(profile_dir)
        profile_dir.mkdir(parents=True)
    started = startup(args.repeat)
    print(started, flush=True)
    sizes = [(args.files, args.dirs)]
    if not args.no_small:
        sizes.insert(0, (args.files // 10, max(1, math.ceil(args.dirs / 10))))
    results: list[list[Row]] = []
    for files, dirs in sizes:
        counts_here = [c for c in counts if c <= files]
        bench = Bench(files, dirs, work / f"repo-{files}", args.repeat, counts_here, profile_dir)
        try:
            results.append(bench.run())
        finally:
            if not args.keep:
                rmtree(bench.work)
    cow = cow_start(args.cow_dir.resolve(), args.repeat) if args.cow_dir else []
    print()
    print(started)
    print()
    for rows in results:
        print(table(rows))
        print()
    if cow:
        print(table(cow))
        print(f"({cow[0].note}, 5,000 small ones; {args.cow_dir})\n")
    if len(results) == 2:
        print("cost growth with repository size (ours, same N changed files):")
        print(scaling(results[0], results[1]))
    print(
        f"\ntotal bench time {time.perf_counter() - began:.0f} s, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, git {sh(['git', '--version'], ROOT)[12:]}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
