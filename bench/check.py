"""Benchmark: `git agent check` over a long range next to `git log -p` over the same range.

A generated repository: a base commit of FILES files (the default 20,000, in 200 folders), then
COMMITS commits (the default 1,000), each editing FILES / COMMITS distinct files, so the range
touches every file once. The history is written with `git fast-import` in a few seconds.

Both sides run as real processes, each best of `--repeat` runs:

- git:  `git log -p --no-color --no-ext-diff BASE..HEAD > /dev/null`
- ours: `git agent check --base BASE --head HEAD --format text > /dev/null`, start-up included,
  every installed plugin enabled, the default preset as policy.

Usage: python3 bench/check.py [--files N] [--commits N] [--repeat N] [--keep DIR] [--split]
       [--profile]
The target (issue 3, "Speed"): ours <= 2x git's.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

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


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return env


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=bench_env()
    ).stdout.strip()


def timed(runs: dict[str, list[str]], repo: Path, repeat: int) -> dict[str, float]:
    """Best wall time of each command; the commands take turns, so load on the machine hits both."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, argv in runs.items():
            start = time.perf_counter()
            proc = subprocess.run(
                argv, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=bench_env()
            )
            elapsed = time.perf_counter() - start
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr!r}")
            best[name] = min(best[name], elapsed)
    return best


def split(repo: Path, base: str, head: str) -> dict[str, float]:
    """The same work as `check`, in-process, timed by phase (seconds, all commits).

    "libgit2 tree diff" is the bare `diff_to_tree` of each commit, timed apart; "changes" is
    `changes_between` (that tree diff again, rename detection, patches, Change objects).
    """
    start = time.perf_counter()
    from supervisor import plugins
    from supervisor.changes import changes_between, tree_object
    from supervisor.context import RuleContext
    from supervisor.engine import evaluate
    from supervisor.gates import new_commits, parent_tree
    from supervisor.gitio import Repo
    from supervisor.policy import Rules
    from supervisor.policy_source import policy_at

    phases = dict.fromkeys(
        ("imports", "setup", "walk", "libgit2 tree diff", "changes", "rules"), 0.0
    )
    phases["imports"] = time.perf_counter() - start
    mark = time.perf_counter()
    git_repo = Repo.discover(repo)
    rules = Rules(policy_at(git_repo, base))
    manager = plugins.load()
    phases["setup"] = time.perf_counter() - mark
    mark = time.perf_counter()
    commits = new_commits(git_repo, head, [base])
    phases["walk"] = time.perf_counter() - mark
    for commit in commits:
        old, new = parent_tree(git_repo, commit), git_repo.commit_tree(commit)
        t0 = time.perf_counter()
        tree_object(git_repo, old).diff_to_tree(tree_object(git_repo, new))
        t1 = time.perf_counter()
        changes = changes_between(git_repo, old, new)
        t2 = time.perf_counter()
        evaluate(manager, RuleContext(rules, git_repo, None, None), changes)
        t3 = time.perf_counter()
        phases["libgit2 tree diff"] += t1 - t0
        phases["changes"] += t2 - t1
        phases["rules"] += t3 - t2
    return phases


def profile(repo: Path, base: str, head: str) -> None:
    """The same check in-process under cProfile: where the time goes."""
    from supervisor.cli import main
    from supervisor.output import Output

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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, help="build the repository here and keep it (reused when there)"
    )
    parser.add_argument("--split", action="store_true", help="also time each phase in-process")
    parser.add_argument("--profile", action="store_true", help="also profile one check run")
    args = parser.parse_args()

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

        log = ["git", "log", "-p", "--no-color", "--no-ext-diff", f"{base}..{head}"]
        check = ["git", "agent", "check", "--base", base, "--head", head, "--format", "text"]
        best = timed({"git": log, "ours": check}, repo, args.repeat)
        ratio = best["ours"] / best["git"]
        print()
        print(f"| what | command | best of {args.repeat} (s) |")
        print("| --- | --- | --- |")
        print(f"| git | `git log -p BASE..HEAD` | {best['git']:.2f} |")
        print(f"| ours | `git agent check --base BASE --head HEAD` | {best['ours']:.2f} |")
        print(f"| ratio | ours / git | {ratio:.2f}x (target <= 2x) |")
        if args.split:
            phases = split(repo, base, head)
            print()
            print("| phase of `check`, in-process | s |")
            print("| --- | --- |")
            for name, seconds in phases.items():
                print(f"| {name} | {seconds:.2f} |")
        if args.profile:
            profile(repo, base, head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
