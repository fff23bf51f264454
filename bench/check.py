"""Benchmark: `git agent check` over a long range next to `git log -p` over the same range.

A generated repository: a base commit of FILES files (the default 20,000, in 200 folders), then
COMMITS commits (the default 1,000), each editing FILES / COMMITS distinct files, so the range
touches every file once. The history is written with `git fast-import` in a few seconds.

The commands run as real processes, taking turns, `--repeat` times each (medians and best):

- git:  `git log -p --no-color --no-ext-diff BASE..HEAD > /dev/null`
- ours: `git agent check --base BASE --head HEAD --format text > /dev/null`, start-up included,
  every installed plugin enabled, the default preset as policy;
- for reference, the one git command check reads the range's changes from
  (`git diff-tree --stdin ...` with the same flags), on its own.

Usage: python bench/check.py [--files N] [--commits N] [--repeat N] [--keep DIR] [--split]
       [--profile]
Run it with the interpreter of the checkout under test (its venv); the checkout's modules are
compiled first and the processes run without PYTHONDONTWRITEBYTECODE.
The target (issue 6, "Speed"): ours <= 2x git's (medians of the same run).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

LINES = 20  # lines per generated file
EPOCH = 1_700_000_000


def content(file: int, version: int) -> bytes:
    """A small source-like file; each version changes two of its lines."""
    lines = [f"# module {file}: line {n} of the generated code base" for n in range(LINES)]
    if version:
        lines[version % LINES] = f"value_{file} = {version}  # edited in commit {version}"
        lines[(version * 7) % LINES] = f"def f_{file}_{version}(x): return x + {version}"
    return ("\n".join(lines) + "\n").encode()


def path_of(file: int) -> str:
    return f"pkg{file % 200:03}/mod_{file:05}.py"


def data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def commit_header(mark: int, message: str, parent: int | None) -> bytes:
    when = EPOCH + mark * 60
    out = [
        b"commit refs/heads/main\n",
        b"mark :%d\n" % mark,
        b"author Bench <bench@example.com> %d +0000\n" % when,
        b"committer Bench <bench@example.com> %d +0000\n" % when,
        data(message.encode()),
    ]
    if parent is not None:
        out.append(b"from :%d\n" % parent)
    return b"".join(out)


def stream(files: int, commits: int) -> Iterator[bytes]:
    """A fast-import stream: mark 1 is the base, marks 2..commits+1 the range."""
    yield commit_header(1, f"base: {files} files", None)
    for f in range(files):
        yield b"M 100644 inline %s\n%s" % (path_of(f).encode(), data(content(f, 0)))
    per = max(1, files // commits)
    for c in range(1, commits + 1):
        yield commit_header(c + 1, f"commit {c}: edit {per} files", c)
        for k in range(per):
            f = ((c - 1) * per + k) % files
            yield b"M 100644 inline %s\n%s" % (path_of(f).encode(), data(content(f, c)))
    yield b"done\n"


def build(repo: Path, files: int, commits: int) -> tuple[str, str]:
    env = bench_env()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None
    for chunk in stream(files, commits):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    head = git_out(repo, "rev-parse", "HEAD")
    base = git_out(repo, "rev-list", "--max-parents=0", "HEAD")
    return base, head


def isolate() -> None:
    """No GIT_* variable or user config reaches git; the measured processes may write bytecode
    (PYTHONDONTWRITEBYTECODE, set in some sandboxes, makes each run recompile our modules); this
    interpreter's scripts (its `git-agent`) come first on PATH."""
    for key in list(os.environ):
        if key.startswith("GIT_") or key == "PYTHONDONTWRITEBYTECODE":
            del os.environ[key]
    os.environ.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


def bench_env() -> dict[str, str]:
    return dict(os.environ)


def compile_checkout() -> Path:
    """Compile the modules of the checkout this interpreter imports, as `pip install` of a
    wheel does (asked of a child: importing it here would take the split's imports away)."""
    code = "import os, supervisor; print(os.path.dirname(os.path.dirname(os.path.realpath(supervisor.__file__))))"
    found = subprocess.run(
        [sys.executable, "-P", "-c", code], cwd="/", capture_output=True, text=True, check=True
    )
    root = Path(found.stdout.strip())
    args = [sys.executable, "-m", "compileall", "-q", "supervisor", "plugins"]
    subprocess.run(args, cwd=root, check=True)
    return root


def diff_flags() -> list[str]:
    """The flags check gives `git diff-tree` (asked of a child, for the split's sake)."""
    code = "from supervisor.gitio.diffs import DIFF_FLAGS; print(*DIFF_FLAGS, sep=chr(10))"
    found = subprocess.run(
        [sys.executable, "-P", "-c", code], cwd="/", capture_output=True, text=True, check=True
    )
    return found.stdout.split()


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=bench_env()
    ).stdout.strip()


class Command(NamedTuple):
    argv: list[str]
    stdin: Path | None = None  # a file fed to its standard input
    prepare: Callable[[], object] | None = None  # run untimed before each run


def timed(runs: dict[str, Command], repo: Path, repeat: int) -> dict[str, list[float]]:
    """Wall times of each command; the commands take turns, so load on the machine hits all."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, command in runs.items():
            if command.prepare is not None:
                command.prepare()
            with open(command.stdin or os.devnull, "rb") as stdin:
                start = time.perf_counter()
                proc = subprocess.run(
                    command.argv,
                    cwd=repo,
                    stdin=stdin,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=bench_env(),
                )
                elapsed = time.perf_counter() - start
            if proc.returncode not in (0, 1):
                argv = " ".join(command.argv)
                raise SystemExit(f"{argv} exited {proc.returncode}: {proc.stderr!r}")
            times[name].append(elapsed)
    return times


def split(repo: Path, base: str, head: str) -> dict[str, float]:
    """The same work as `check`, in-process, timed by phase (seconds, all commits).

    The real `gates.ci.check_range` runs, with timers wrapped around what it calls: the walk
    (`rev-list`, the summaries), the stream of `git diff-tree --stdin` (time spent waiting for
    and reading git's output, and parsing it), the object headers asked of `cat-file`, and the
    rules (`GateRepo.judge`: every plugin, the report); "other" is the rest of the loop.
    """
    start = time.perf_counter()
    from supervisor.gates import ci
    from supervisor.gates.repository import GateRepo, gate_repo
    from supervisor.gitio import diffs
    from supervisor.gitio.catfile import CatFile
    from supervisor.gitio.plumbing import Plumbing
    from supervisor.render import formats

    imports = time.perf_counter() - start
    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - began

        return wrapper

    def timed_stream(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            stream = fn(*args, **kwargs)
            while True:
                began = time.perf_counter()
                try:
                    item = next(stream)
                except StopIteration:
                    return
                finally:
                    spent["stream"] = spent.get("stream", 0.0) + time.perf_counter() - began
                yield item

        return wrapper

    patches: list[tuple[object, str, Any]] = [
        (Plumbing, "new_commits", timed("walk", Plumbing.new_commits)),
        (Plumbing, "summaries", timed("walk", Plumbing.summaries)),
        (ci, "commit_changes", timed_stream(vars(ci)["commit_changes"])),
        (diffs._Stream, "more", timed("read", diffs._Stream.more)),
        (diffs, "parse_block", timed("parse", diffs.parse_block)),
        (CatFile, "prefetch_headers", timed("headers", CatFile.prefetch_headers)),
        (GateRepo, "judge", timed("rules", GateRepo.judge)),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, wrapper in patches:
        setattr(owner, name, wrapper)
    try:
        mark = time.perf_counter()
        with gate_repo(repo, bench_env()) as gate:
            rules = ci.base_rules(gate, ci.resolve_base(gate, base))
            gate.plugins(rules)
            setup = time.perf_counter() - mark
            mark = time.perf_counter()
            reports = ci.check_range(gate, rules, base, head)
            total = time.perf_counter() - mark
        mark = time.perf_counter()
        formats.text(reports, base)
        render = time.perf_counter() - mark
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    stream, read, parse = spent.get("stream", 0.0), spent.get("read", 0.0), spent.get("parse", 0.0)
    loop = ("walk", "stream", "headers", "rules")
    return {
        "imports (gates, gitio, rules, config, render)": imports,
        "setup (locate, base, policy of base, plugin loading)": setup,
        "walk (rev-list, summaries)": spent.get("walk", 0.0),
        "diff stream: waiting for and reading git diff-tree --stdin": read,
        "diff stream: parsing (raw, numstat, patch)": parse,
        "diff stream: the rest (blocks, commits judged one by one)": stream - read - parse,
        "object headers (cat-file --batch-command, in chunks)": spent.get("headers", 0.0),
        "rules (GateRepo.judge: every plugin, the report)": spent.get("rules", 0.0),
        "the rest of check_range": total - sum(spent.get(k, 0.0) for k in loop),
        "render (text)": render,
    }


def profile(repo: Path, base: str, head: str) -> None:
    """The same check in-process under cProfile: where the time goes."""
    from supervisor.cli import main
    from supervisor.render.output import Output

    with open(os.devnull, "w") as sink:
        profiler = cProfile.Profile()
        profiler.enable()
        main(["check", "--base", base, "--head", head], Output(sink, sys.stderr), None, str(repo))
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--commits", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, help="build the repository here and keep it (reused when there)"
    )
    parser.add_argument("--split", action="store_true", help="also time each phase in-process")
    parser.add_argument("--profile", action="store_true", help="also profile one check run")
    args = parser.parse_args()
    isolate()
    print(f"compiled {compile_checkout()}")

    with tempfile.TemporaryDirectory(prefix="git-agent-bench-") as tmp:
        repo = args.keep or Path(tmp) / "repo"
        start = time.perf_counter()
        if (repo / ".git").is_dir():  # --keep of an earlier run: reuse it
            head = git_out(repo, "rev-parse", "main")
            base = git_out(repo, "rev-list", "--max-parents=0", "main")
        else:
            base, head = build(repo, args.files, args.commits)
        built = time.perf_counter() - start
        count = git_out(repo, "rev-list", "--count", f"{base}..{head}")
        files = git_out(repo, "ls-tree", "-r", "--name-only", base).count("\n") + 1
        print(f"history: {count} commits over {files} files, ready in {built:.1f} s")
        listing = Path(tmp) / "commits"
        listing.write_text(git_out(repo, "rev-list", "--reverse", f"{base}..{head}") + "\n")
        stream = ["git", "diff-tree", "--stdin", "--always", "--root", *diff_flags()]
        runs = {
            "git": Command(["git", "log", "-p", "--no-color", "--no-ext-diff", f"{base}..{head}"]),
            "ours": Command(
                ["git", "agent", "check", "--base", base, "--head", head, "--format", "text"]
            ),
            "stream": Command(stream, listing),
        }
        cache = repo / ".git" / "agent" / "cache"  # validated policies, the plugin scan
        runs["cold"] = runs["ours"]._replace(prepare=lambda: shutil.rmtree(cache, True))
        timed(runs, repo, 1)  # warm-up: page cache, git-agent's caches
        times = timed(runs, repo, args.repeat)
        med = {name: statistics.median(found) for name, found in times.items()}
        best = {name: min(found) for name, found in times.items()}

        def versus_git(name: str) -> str:
            ratio = med[name] / med["git"]
            runs = zip(times[name], times["git"], strict=True)
            paired = statistics.median(o / g for o, g in runs)
            verdict = "met" if ratio <= 2 else "MISSED"
            return f"**{ratio:.2f}x** (target <= 2x: {verdict}; paired per run: {paired:.2f}x)"

        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print()
        print(
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, load average {load}; "
            f"{args.repeat} interleaved runs of each"
        )
        print()
        print("| what | command | median (s) | best (s) | / git log -p (medians) |")
        print("| --- | --- | ---: | ---: | ---: |")
        print(f"| git | `git log -p BASE..HEAD` | {med['git']:.2f} | {best['git']:.2f} | 1.00x |")
        check = "`git agent check --base BASE --head HEAD`"
        print(f"| ours | {check} | {med['ours']:.2f} | {best['ours']:.2f} | {versus_git('ours')} |")
        print(
            f"| ours, caches removed first (a fresh CI clone) | {check} | {med['cold']:.2f} "
            f"| {best['cold']:.2f} | {versus_git('cold')} |"
        )
        print(
            f"| git, the diff check reads | `git diff-tree --stdin --always --root -r -z -M "
            f"--raw --numstat --patch -U0 ...` | {med['stream']:.2f} | {best['stream']:.2f} "
            f"| {med['stream'] / med['git']:.2f}x |"
        )
        if args.split:
            phases = split(repo, base, head)
            print()
            print("| phase of `check`, in-process | s |")
            print("| --- | ---: |")
            for name, seconds in phases.items():
                print(f"| {name} | {seconds:.2f} |")
            print(f"| = in-process total | {sum(phases.values()):.2f} |")
        if args.profile:
            profile(repo, base, head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
