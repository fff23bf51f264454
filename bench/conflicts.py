"""Speed of `git agent conflicts` (issue 11): 20 features with 10 to 100 changed files each on
a 50,000-file repository, all 210 pairs (190 pairs of features, 20 against the base branch),
next to one `git merge-tree --write-tree` of a single pair and one pygit2 `merge_trees`.

Run:  python3 bench/conflicts.py [--files 50000] [--dirs 5000] [--features 20] [--repeat 7]

The features are made from refs, the way a clone rebuilds them, not by `git agent start`
(20 worktrees and shadows of 50,000 files would be 2 million files on disk and nothing the
prediction reads): each one's checkpoint chain holds one checkpoint, its row is in the state
database with its base branch. A few files are changed by several features (some on the same
line: conflicts; some on different lines: clean overlaps), and main moves on after the
features start, touching some of those files too. See bench/README-conflicts.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervisor.lifecycle.conflicts import predict  # noqa: E402
from supervisor.lifecycle.workspace import open_workspace  # noqa: E402
from supervisor.store.layout import Layout  # noqa: E402
from supervisor.store.state import FeatureRow, open_state  # noqa: E402

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
"""
LINES = 12  # lines per file


def sh(args: Sequence[str], cwd: Path, stdin: bytes | None = None, check: bool = True) -> str:
    proc = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def isolate(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG)
    for key in list(os.environ):
        if key.startswith("GIT_"):
            del os.environ[key]
    os.environ["HOME"] = str(home)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def layout(files: int, dirs: int) -> list[bytes]:
    per = max(1, files // dirs)
    return [
        b"m%03d/d%02d/f%d.py" % (d // 100, d % 100, f) for d in range(dirs) for f in range(per)
    ][:files]


def content(i: int, edits: dict[int, bytes] | None = None) -> bytes:
    lines = [b"value_%d_%d = %d" % (i, n, n * i) for n in range(LINES)]
    for number, text in (edits or {}).items():
        lines[number] = text
    return b"\n".join(lines) + b"\n"


def fast_import(
    repo: Path, ref: str, parent: str | None, files: dict[bytes, bytes], msg: str
) -> str:
    chunks = [b"commit %s\ncommitter Bench <bench@example.com> 0 +0000\n" % ref.encode()]
    chunks.append(b"data %d\n%s\n" % (len(msg.encode()), msg.encode()))
    if parent:
        chunks.append(b"from %s\n" % parent.encode())
    for path, data in files.items():
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    sh(["git", "fast-import", "--quiet", "--force"], repo, stdin=b"".join(chunks))
    return sh(["git", "rev-parse", ref], repo)


class World:
    """The repository, its features, and the pairs' expected shape."""

    def __init__(self, work: Path, files: int, dirs: int, features: int) -> None:
        self.repo = work / "repo"
        self.repo.mkdir(parents=True)
        sh(["git", "init", "-q", str(self.repo)], work)
        self.paths = layout(files, dirs)
        began = time.perf_counter()
        self.base = fast_import(
            self.repo,
            "refs/heads/main",
            None,
            {p: content(i) for i, p in enumerate(self.paths)},
            "base",
        )
        print(f"built {files:,} files in {time.perf_counter() - began:.1f} s", flush=True)
        chance = random.Random(11)
        index = {p: i for i, p in enumerate(self.paths)}
        hot = chance.sample(self.paths, 30)  # files several features change
        self.names = [f"f{n:02d}" for n in range(features)]
        self.changed: dict[str, int] = {}
        rows = []
        for number, name in enumerate(self.names):
            count = chance.randint(10, 100)
            mine = chance.sample(self.paths, count - 3) + chance.sample(hot, 3)
            files = {}
            for path in dict.fromkeys(mine):
                line = 0 if path in hot[:10] else 1 + number % (LINES - 1)
                files[path] = content(index[path], {line: b"# %s was here" % name.encode()})
            self.changed[name] = len(files)
            message = f"checkpoint 1\n\nCheckpoint: 1\nFeature: {name}\n"
            fast_import(self.repo, f"refs/agent/{name}/checkpoints", self.base, files, message)
            sh(["git", "update-ref", f"refs/heads/agent/{name}", self.base], self.repo)
            rows.append(self.row(name))
        moved = chance.sample(self.paths, 47) + hot[:3]
        fast_import(
            self.repo,
            "refs/heads/main",
            self.base,
            {p: content(index[p], {LINES - 1: b"# main moved on"}) for p in moved},
            "main moves on",
        )
        with open_state(Layout.of(self.repo / ".git").db) as state:
            for row in rows:
                state.insert(row)

    def row(self, name: str) -> FeatureRow:
        home = self.repo / ".git" / "agent" / "features" / name
        return FeatureRow(
            name=name,
            state="active",
            base=self.base,
            worktree=str(home / "worktree"),
            shadow=str(home / "shadow"),
            plan_hash="sha256:" + "0" * 64,
            plan_source=None,
            created=0.0,
            policy_commit=self.base,
            base_ref="refs/heads/main",
        )


def median(run: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times), times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--dirs", type=int, default=5_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work" / "conflicts")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    isolate(args.work / "home")
    sh([sys.executable, "-m", "compileall", "-q", "supervisor", "plugins"], ROOT)
    world = World(args.work, args.files, args.dirs, args.features)
    repo = world.repo
    env = dict(os.environ)
    with open_workspace(env, str(repo)) as ws:  # the records are written here, once
        began = time.perf_counter()
        found = predict(ws)
        first = time.perf_counter() - began
        warm, _ = median(lambda: predict(ws), args.repeat)
    pairs = found.checked
    merged = sum(1 for p in found.pairs)
    conflicted = sum(1 for p in found.pairs if p.conflicts)
    files = sum(len(p.conflicts) + len(p.overlap) for p in found.pairs)
    script = Path(sys.executable).parent / "git-agent"
    cli, _ = median(
        lambda: subprocess.run([str(script), "conflicts", "--json"], cwd=repo, capture_output=True),
        args.repeat,
    )
    a, b = "refs/agent/f00/checkpoints", "refs/agent/f01/checkpoints"
    tree, _ = median(
        lambda: subprocess.run(
            ["git", "merge-tree", "--write-tree", a, b], cwd=repo, capture_output=True
        ),
        args.repeat,
    )
    import pygit2

    raw = pygit2.Repository(str(repo))
    ours, theirs = raw.revparse_single(a), raw.revparse_single(b)
    ancestor = raw[raw.merge_base(ours.id, theirs.id)]
    libgit2, _ = median(
        lambda: raw.merge_trees(ancestor.tree, ours.tree, theirs.tree), max(3, args.repeat // 2)
    )
    changed = sorted(world.changed.values())
    print()
    print(
        f"{args.files:,} files, {args.features} features changing {changed[0]} to {changed[-1]} "
        f"files each ({sum(changed):,} in all); {pairs} pairs checked, {merged} share a changed "
        f"path ({files} paths merged), {conflicted} would conflict"
    )
    print()
    print("| case | median of " + str(args.repeat) + " | target |")
    print("| --- | --- | --- |")
    print(f"| `predict()` in process, warm (all {pairs} pairs) | {ms(warm)} | under 1 s |")
    print(f"| `predict()` in process, first call | {ms(first)} | |")
    print(f"| `git agent conflicts --json` as a process | {ms(cli)} | |")
    print(f"| `git merge-tree --write-tree` of one pair | {ms(tree)} | (baseline) |")
    print(f"| pygit2 `merge_trees` of one pair (whole trees) | {ms(libgit2)} | (baseline) |")
    print(f"| `git merge-tree` x {pairs} pairs (estimate) | {ms(tree * pairs)} | |")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
