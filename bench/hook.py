"""Speed of the pre-commit hook on a large repository (issue 6, "Speed"), with its split.

Run:  python bench/hook.py [--files 50000] [--dirs 5000] [--changed 10] [--repeat 11]
                           [--before-python PATH]

Run it with the interpreter of the checkout under test (its venv: `git agent install-hooks`
writes that interpreter into the shim, and `git-agent` is taken from the same folder).

One run builds a repository of `--files` files in `--dirs` directories (one commit, packed by
git fast-import, with the default policy and a pre-commit framework config committed), stages
`--changed` modified files, installs the real shims with `git agent install-hooks`, and times,
as medians over `--repeat` rounds (every measurement once per round, interleaved, after one
warm-up round):

- the hook: the installed shim as git runs it (top of the work tree, GIT_INDEX_FILE set),
  `git-agent hook pre-commit` and `git agent hook pre-commit`; the shim again with the
  git-agent caches (validated policies, the scan of installed plugins) removed before each run;
- the baselines: one `git status` of the same repository; the pre-commit framework running a
  no-op hook (`repo: local`, `language: system`, `entry: true`, `pass_filenames: false`) by
  `pre-commit run`, with PRE_COMMIT_HOME in the work dir; `python -c pass` (the hook's own
  interpreter) and `python -S -c pass`; the hook's git command (`git diff-index --cached ...`)
  on its own; `git commit` with and without (`--no-verify`) the hook;
- the split: a fresh interpreter runs the real `supervisor.cli.main()` (as the shim runs it)
  with perf_counter timers wrapped around the hook's steps, put in place as each module is
  imported (so the imports stay where they are: some run while git works); start-up and exit
  come from comparing its first and last perf_counter (CLOCK_MONOTONIC) with the parent's
  spawn and reap; plugin loading one entry point at a time in another fresh interpreter;
- the import time of the hook by package, from `python -X importtime`, for this checkout and,
  with `--before-python`, for another checkout's interpreter (the state before the restructure,
  90fc34e), whose whole hook is timed in the same rounds too.

Before timing anything, the checkouts' modules are compiled (`python -m compileall -q
supervisor plugins`, as `pip install` of a wheel would) and every measured process runs without
PYTHONDONTWRITEBYTECODE (set in some sandboxes, it makes each run recompile our modules).

It prints the ratios against the targets (under 150 ms and under 0.6x one `git status`), the
split, wall and CPU times of every process (CPU: user + system of the process and its children,
steadier on a shared machine), the best of the rounds, and the import tables. See
bench/README-hook.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0
TARGET_STATUS = 0.6
PYTHON = sys.executable  # the interpreter `git agent install-hooks` writes into the shim
BIN = Path(PYTHON).parent  # its venv's scripts: git-agent, pre-commit
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
PRE_COMMIT_CONFIG = b"""\
repos:
  - repo: local
    hooks:
      - id: no-op
        name: no-op
        language: system
        entry: "true"
        pass_filenames: false
"""

# One fresh interpreter running the real `git-agent hook pre-commit` (supervisor.cli.main) with
# timers around the hook's steps. The timers are put in place by a finder that patches each
# module right after it is executed, so nothing is imported earlier than the hook imports it
# (the hook starts git on the staged diff and imports the rules while git works). The last line
# of stderr: every span, and the absolute perf_counter (CLOCK_MONOTONIC, shared with the parent)
# of the child's first and last line, so that the parent can tell start-up and exit apart.
CHILD = r"""
import time
_begin = time.perf_counter()
import sys
from supervisor.cli import main
_cli = time.perf_counter()
spans = {}

def span(name, fn):
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spans.setdefault(name, []).append((began, time.perf_counter()))
    return wrapper

def patch_hook(m):
    m.run = span("run", m.run)
    m.locate = span("locate", m.locate)
    m._staged = span("staged", m._staged)
    m._pre_commit = span("pre_commit", m._pre_commit)

def patch_diffs(m):
    m.StagedDiff.changes = span("changes", m.StagedDiff.changes)
    m.parse_block = span("parse", m.parse_block)

def patch_repository(m):
    m.GateRepo.__init__ = span("GateRepo", m.GateRepo.__init__)
    m.GateRepo.policy_at = span("policy", m.GateRepo.policy_at)
    m.GateRepo.plugins = span("plugins", m.GateRepo.plugins)
    m.GateRepo.judge = span("judge", m.GateRepo.judge)

def patch_staged(m):
    m.judge_staged = span("judge_staged", m.judge_staged)
    m.feature_plan = span("plan", m.feature_plan)
    m.Rules = span("Rules", m.Rules)

PATCHES = {
    "supervisor.commands.hook": patch_hook,
    "supervisor.gitio.diffs": patch_diffs,
    "supervisor.gates.repository": patch_repository,
    "supervisor.gates.staged": patch_staged,
}

class Patcher:
    def find_spec(self, name, path=None, target=None):
        patch = PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if finder is not self and find else None
            if spec is not None:
                break
        else:
            return None
        execute = spec.loader.exec_module
        def exec_module(module):
            execute(module)
            patch(module)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Patcher())
sys.argv = ["git-agent", "hook", "pre-commit"]  # main() as the program runs it
_main = time.perf_counter()
code = main()
_done = time.perf_counter()
sys.stdout.flush()
import json
out = {"spans": spans, "code": code, "begin": _begin, "cli": _cli, "main": _main, "done": _done}
out["end"] = time.perf_counter()
print(json.dumps(out), file=sys.stderr)
"""

# Plugin loading as the hook does it (after the hook's own imports), one entry point at a
# time: the (cached) scan of installed plugins, then importing each plugin module.
PLUGINS = r"""
import sys, time, json
from pathlib import Path
import supervisor.commands.hook, supervisor.gates.repository
from supervisor.rules.entrypoints import cached_entry_points
from supervisor.store.layout import Layout
out = {}
t = time.perf_counter()
eps = cached_entry_points(Layout.of(Path(sys.argv[1])).plugins_cache)
out["scan of installed plugins (cached)"] = time.perf_counter() - t
for ep in eps:
    t = time.perf_counter()
    ep.load()
    out[ep.value] = time.perf_counter() - t
print(json.dumps(out))
"""

# Each module's own `-X importtime` time goes to its group: a third-party package, a package of
# ours (`supervisor.<package or module>`), the plugin modules, or interpreter start-up (what is
# imported before runpy); a module in none of them (the standard library) goes to the group of
# the nearest module above it that has one, so the rows partition the time. Modules imported
# through importlib.import_module (the command module, the plugins) are not reported by
# -X importtime themselves: their own imports show up as top-level lines, and the plugin
# table times them.
THIRD_PARTY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pygit2 (+cffi)", ("pygit2", "cffi", "_cffi_backend", "pycparser")),
    (
        "pydantic (+pydantic_core, annotated_types, typing_extensions, ...)",
        ("pydantic", "pydantic_core", "annotated_types", "typing_extensions", "typing_inspection"),
    ),
    ("pluggy", ("pluggy",)),
    ("importlib.metadata (+email, zipfile, csv, ...)", ("importlib.metadata",)),
    ("pathspec", ("pathspec",)),
    ("filelock", ("filelock",)),
    ("sqlite3", ("sqlite3",)),
    ("detect_secrets", ("detect_secrets",)),
    ("tomli_w", ("tomli_w",)),
)
START_UP = "interpreter start-up (site, the .pth files, runpy)"
PLUGIN_MODULES = "git_agent_plugins (what the plugin modules import)"
OTHER = "the rest (stdlib modules imported at top level)"
ALL_IMPORTS = "**all imports** (inflated by -X importtime itself)"
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


# --------------------------------------------------------------------------- helpers


def isolate(home: Path, pre_commit_home: Path) -> dict[str, str]:
    """An environment with no user git config, no GIT_* or PYTHON* variable (no
    PYTHONDONTWRITEBYTECODE), this interpreter's scripts first on PATH; git never gc's."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1")
    env.update(PRE_COMMIT_HOME=str(pre_commit_home), PATH=f"{BIN}{os.pathsep}{env['PATH']}")
    return env


def checkout_of(python: str, env: Mapping[str, str]) -> Path:
    """The checkout whose `supervisor` package `python` imports."""
    code = "import os, supervisor; print(os.path.dirname(os.path.dirname(os.path.realpath(supervisor.__file__))))"
    proc = subprocess.run(  # -P, and not from here: the bench's own checkout is not the one
        [python, "-P", "-c", code], cwd="/", env=env, capture_output=True, text=True, check=True
    )
    return Path(proc.stdout.strip())


def compile_checkout(python: str, env: Mapping[str, str]) -> Path:
    """Compile the checkout's modules, as `pip install` of a wheel does; its path."""
    root = checkout_of(python, env)
    args = [python, "-m", "compileall", "-q", "supervisor", "plugins"]
    subprocess.run(args, cwd=root, env=env, check=True)
    return root


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    proc: subprocess.CompletedProcess[bytes]
    began: float  # perf_counter before the spawn
    ended: float  # perf_counter once it was reaped
    cpu: float  # user + system seconds of the process and every process it waited for

    @property
    def wall(self) -> float:
        return self.ended - self.began


@dataclass
class Runner:
    cwd: Path
    env: dict[str, str]

    def run(
        self,
        args: Sequence[str],
        stdin: bytes | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> Run:
        env = {**self.env, **(extra or {})}
        cpu = cpu_of_children()
        began = time.perf_counter()
        proc = subprocess.run(
            list(args), cwd=self.cwd, env=env, input=stdin, capture_output=True, check=False
        )
        ended = time.perf_counter()
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).decode(errors="replace").strip()
            raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {detail[-2000:]}")
        return Run(proc, began, ended, cpu_of_children() - cpu)

    def out(self, args: Sequence[str]) -> str:
        return self.run(args).proc.stdout.decode(errors="replace").strip()


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


# --------------------------------------------------------------------------- the repository


def paths_of(files: int, dirs: int) -> list[bytes]:
    """`files` paths in `dirs` leaf directories, a hundred leaves to a top directory."""
    out = []
    for i in range(files):
        leaf = i % dirs
        out.append(b"m%03d/d%02d/f%d.py" % (leaf // 100, leaf % 100, i // dirs))
    return out


def content(i: int) -> bytes:
    return b"".join(b"value_%d_%d = %d * %d  # line %d\n" % (i, k, k, i, k) for k in range(20))


def inline(path: bytes, data: bytes) -> bytes:
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data)


def build(git: Runner, paths: Sequence[bytes]) -> None:
    """One commit of `paths`, the default policy and a pre-commit config, by fast-import."""
    git.run(["git", "init", "-q", "."])
    policy = resources.files("git_agent_policies").joinpath("default.toml").read_bytes()
    chunks = [
        b"commit refs/heads/main\ncommitter Bench <bench@example.com> 0 +0000\ndata 5\nbase\n",
        inline(b".git-agent/policy.toml", policy),
        inline(b".pre-commit-config.yaml", PRE_COMMIT_CONFIG),
    ]
    chunks += [inline(path, content(i)) for i, path in enumerate(paths)]
    git.run(["git", "fast-import", "--quiet"], stdin=b"".join(chunks))
    git.run(["git", "reset", "-q", "--hard", "main"])


def stage(git: Runner, paths: Sequence[bytes]) -> None:
    """Append a few new lines to each of `paths` and `git add` them."""
    for n, path in enumerate(paths):
        with open(os.fsencode(git.cwd) + b"/" + path, "ab") as handle:
            for k in range(5):
                handle.write(b"edited_%d_%d = compute(%d, %d)\n" % (n, k, n, k))
    git.run(["git", "add", "--", *(os.fsdecode(p) for p in paths)])


# --------------------------------------------------------------------------- import times


@dataclass
class Node:
    name: str
    depth: int
    own: int  # microseconds
    children: list[Node] = field(default_factory=list)


def parse_importtime(text: str) -> list[Node]:
    """The import tree of `-X importtime` (children print before their parent)."""
    pending: list[Node] = []
    for line in text.splitlines():
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        own, _, indent, name = match.groups()
        node = Node(name, len(indent) // 2, int(own))
        while pending and pending[-1].depth > node.depth:
            node.children.insert(0, pending.pop())
        pending.append(node)
    return pending


def group_of(name: str) -> str | None:
    for label, prefixes in THIRD_PARTY:
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return label
    if name == "supervisor" or name.startswith("supervisor."):
        return ".".join(name.split(".")[:2])
    if name.startswith("git_agent_plugins"):
        return PLUGIN_MODULES
    return None


def attribute(roots: Sequence[Node]) -> dict[str, float]:
    """Seconds of import time per group."""
    totals: dict[str, float] = defaultdict(float)

    def visit(node: Node, inherited: str) -> None:
        label = group_of(node.name) or inherited
        totals[label] += node.own / 1e6
        for child in node.children:
            visit(child, label)

    started = False  # the top-level imports before runpy (or ours) are the interpreter's
    for root in roots:
        started = started or root.name == "runpy" or group_of(root.name) is not None
        visit(root, OTHER if started else START_UP)
    return totals


# --------------------------------------------------------------------------- the bench


@dataclass
class Samples:
    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, seconds: float) -> None:
        self.values[key].append(seconds)

    def get(self, key: str) -> float | None:
        found = self.values.get(key)
        return statistics.median(found) if found else None

    def least(self, key: str) -> float | None:
        found = self.values.get(key)
        return min(found) if found else None

    def names(self) -> list[str]:
        return list(self.values)


SHIM = "the hook as git runs it (.git/hooks/pre-commit: python -P -m supervisor)"
SCRIPT = "git-agent hook pre-commit"
GIT_AGENT = "git agent hook pre-commit (through git)"
COLD = "the shim, caches removed first (policy, plugin scan)"
INSTRUMENTED = "the hook, instrumented (python -P -c CHILD)"
BEFORE = "before: python -m supervisor hook pre-commit"
STATUS = "git status"
FRAMEWORK = "pre-commit run: the framework, a no-op hook"
PASS = "python -c pass (the hook's interpreter)"
NO_SITE = "python -S -c pass (no site, no .pth)"
SHIM_PASS = "the same shim running python -P -c pass instead"
DIFF_INDEX = "git diff-index --cached ... (the hook's git command alone)"
IMPORT_CLI = 'python -c "import supervisor.cli"'
COMMIT_NO_HOOK = "git commit, no hook (--no-verify)"
COMMIT_HOOK = "git commit, with the hook"
HOOK_ROWS = (SHIM, SCRIPT, GIT_AGENT, COLD, BEFORE)  # the rows the targets apply to, and more
WALL_ROWS = (
    SHIM,
    SCRIPT,
    GIT_AGENT,
    COLD,
    INSTRUMENTED,
    BEFORE,
    STATUS,
    FRAMEWORK,
    PASS,
    NO_SITE,
    SHIM_PASS,
    DIFF_INDEX,
    IMPORT_CLI,
    COMMIT_NO_HOOK,
    COMMIT_HOOK,
)
AFTER_IMPORTS, BEFORE_IMPORTS = "after", "before"


@dataclass
class Bench:
    git: Runner
    repeat: int
    before_python: str | None
    wall: Samples = field(default_factory=Samples)
    cpu: Samples = field(default_factory=Samples)
    steps: Samples = field(default_factory=Samples)
    imports: dict[str, Samples] = field(default_factory=lambda: defaultdict(Samples))
    plugins: Samples = field(default_factory=Samples)
    code: int | None = None

    @property
    def git_dir(self) -> Path:
        return self.git.cwd / ".git"

    def env(self) -> dict[str, str]:
        return {"GIT_INDEX_FILE": ".git/index", "GIT_EDITOR": ":"}  # git passes it relative

    def timed(self, key: str, args: Sequence[str], extra: Mapping[str, str] | None = None) -> Run:
        run = self.git.run(args, extra=extra)
        self.wall.add(key, run.wall)
        self.cpu.add(key, run.cpu)
        return run

    def commit(self, key: str, args: Sequence[str]) -> None:
        self.timed(key, ["git", "commit", "-q", "-m", "bench", *args])
        self.git.run(["git", "reset", "-q", "--soft", "HEAD~1"])

    def cold(self) -> None:
        shutil.rmtree(self.git_dir / "agent" / "cache", ignore_errors=True)
        self.timed(COLD, [str(self.git_dir / "hooks" / "pre-commit")], self.env())

    def child(self) -> None:
        run = self.timed(INSTRUMENTED, [PYTHON, "-P", "-c", CHILD], self.env())
        found = json.loads(run.proc.stderr.decode().strip().splitlines()[-1])
        self.code = found["code"]
        for name, seconds in split_of(found, run).items():
            self.steps.add(name, seconds)

    def importtime(self, python: str, which: str, args: Sequence[str]) -> None:
        run = self.git.run([python, "-X", "importtime", *args], extra=self.env())
        groups = attribute(parse_importtime(run.proc.stderr.decode(errors="replace")))
        for label, seconds in groups.items():
            self.imports[which].add(label, seconds)
        self.imports[which].add(ALL_IMPORTS, sum(groups.values()))

    def plugin_loading(self) -> None:
        found = json.loads(self.git.out([PYTHON, "-P", "-c", PLUGINS, str(self.git_dir)]))
        for name, seconds in found.items():
            self.plugins.add(name, seconds)

    def round(self) -> None:
        shim = str(self.git_dir / "hooks" / "pre-commit")
        hook = ["hook", "pre-commit"]
        from supervisor.gitio.diffs import DIFF_FLAGS  # the hook's own flags

        steps: list[Callable[[], object]] = [
            lambda: self.timed(SHIM, [shim], self.env()),
            lambda: self.timed(STATUS, ["git", "status"]),
            lambda: self.timed(FRAMEWORK, [str(pre_commit_program()), "run"]),
            lambda: self.timed(PASS, [PYTHON, "-c", "pass"]),
            lambda: self.timed(SCRIPT, [str(BIN / "git-agent"), *hook], self.env()),
            lambda: self.timed(GIT_AGENT, ["git", "agent", *hook], self.env()),
            self.child,
            self.cold,
            lambda: self.timed(NO_SITE, [PYTHON, "-S", "-c", "pass"]),
            lambda: self.timed(SHIM_PASS, [f"{shim}.bench-pass"], self.env()),
            lambda: self.timed(
                DIFF_INDEX, ["git", "diff-index", "--cached", *DIFF_FLAGS, "HEAD"], self.env()
            ),
            lambda: self.timed(IMPORT_CLI, [PYTHON, "-c", "import supervisor.cli"]),
            lambda: self.commit(COMMIT_NO_HOOK, ["--no-verify"]),
            lambda: self.commit(COMMIT_HOOK, []),
            lambda: self.importtime(PYTHON, AFTER_IMPORTS, ["-P", "-m", "supervisor", *hook]),
            self.plugin_loading,
        ]
        if self.before_python:
            before = self.before_python
            steps.append(
                lambda: self.timed(BEFORE, [before, "-m", "supervisor", *hook], self.env())
            )
            steps.append(
                lambda: self.importtime(before, BEFORE_IMPORTS, ["-m", "supervisor", *hook])
            )
        for step in steps:
            step()

    def run(self) -> None:
        self.round()  # warm-up: page cache, caches of git-agent and of the pre-commit framework
        for samples in (self.wall, self.cpu, self.steps, self.plugins, *self.imports.values()):
            samples.values.clear()
        for n in range(self.repeat):
            print(f"  round {n + 1}/{self.repeat}", flush=True)
            self.round()


def pre_commit_program() -> Path:
    here = BIN / "pre-commit"
    found = here if here.exists() else shutil.which("pre-commit")
    if not found:
        raise SystemExit("the pre-commit framework is not installed (pip install pre-commit)")
    return Path(found)


# --------------------------------------------------------------------------- the split

START = "start-up"
EXIT = "exit"
STEP_LABELS = {
    START: "interpreter start-up (spawn to the first line; site and .pth files included)",
    "cli": "import supervisor.cli",
    "command": "argparse, import supervisor.commands.hook (and what it imports)",
    "locate": "locate: one git rev-parse (git dir, work tree, HEAD)",
    "staged": "staged diff started (spawn git diff-index --cached)",
    "imports": "imports while git works (gates, rules, config, store)",
    "GateRepo": "GateRepo() (layout, cat-file reader, settings)",
    "imports2": "imports of the pre-commit gate and the renderer",
    "policy": "policy (cached by blob id) + plan + Rules",
    "plugins": "plugin loading (cached scan, import, register with pluggy)",
    "wait": "staged diff collected: waiting for git",
    "parse": "staged diff collected: parsing its output",
    "judge": "judge: every plugin over the changes",
    "rest": "the rest of main (report, closing cat-file, ...)",
    EXIT: "exit (interpreter teardown until the parent reaps it)",
}


def split_of(found: dict[str, object], run: Run) -> dict[str, float]:
    """The child's timeline cut into consecutive steps (seconds); they add up to its wall."""
    spans: dict[str, list[list[float]]] = found["spans"]  # type: ignore[assignment]

    def total(name: str) -> float:
        return sum(e - b for b, e in spans.get(name, []))

    def first(name: str) -> list[float]:
        return spans[name][0]

    begin, cli, done = (float(found[k]) for k in ("begin", "cli", "done"))  # type: ignore[arg-type]
    run_at, staged, repo, pre = (
        first("run")[0],
        first("staged"),
        first("GateRepo"),
        first("pre_commit"),
    )
    judge = first("judge")
    inside_judge = sum(
        e - b for b, e in spans.get("plugins", []) if judge[0] <= b and e <= judge[1]
    )
    plugins = total("plugins") - inside_judge
    parse = total("parse")
    out = {
        START: begin - run.began,
        "cli": cli - begin,
        "command": run_at - cli,
        "locate": total("locate"),
        "staged": staged[1] - staged[0],
        "imports": repo[0] - staged[1],
        "GateRepo": repo[1] - repo[0],
        "imports2": first("judge_staged")[0] - pre[0],
        "policy": total("policy") + total("plan") + total("Rules"),
        "plugins": plugins,
        "wait": total("changes") - parse,
        "parse": parse,
        "judge": judge[1] - judge[0] - inside_judge,
    }
    covered = sum(v for k, v in out.items() if k not in (START, "cli", "command"))
    out["rest"] = done - run_at - covered
    out[EXIT] = run.ended - float(found["end"])  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------- the report


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(
        "-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)
    )
    return "\n".join([line(rows[0]), rule + " |", *(line(r) for r in rows[1:])])


def ratio(x: float | None, y: float | None) -> str:
    return "-" if x is None or not y else f"{x / y:.2f}x"


def targets_table(bench: Bench) -> str:
    wall = bench.wall
    status, framework, bare = wall.get(STATUS), wall.get(FRAMEWORK), wall.get(PASS)
    rows = [
        [
            "process (medians)",
            "wall ms",
            "/ git status",
            "/ git status, paired",
            "/ framework no-op",
            "/ python -c pass",
            f"< {TARGET_MS:g} ms",
            f"< {TARGET_STATUS:g}x git status",
        ]
    ]
    for key in (*HOOK_ROWS, STATUS, FRAMEWORK, PASS, DIFF_INDEX):
        w = wall.get(key)
        if w is None:
            continue
        met = ["", ""]
        if key in HOOK_ROWS:
            met = [
                "met" if w * 1000 < TARGET_MS else "MISSED",
                "met" if status and w / status < TARGET_STATUS else "MISSED",
            ]
        paired = paired_ratio(wall, key, STATUS)
        rows.append(
            [key, ms(w), ratio(w, status), paired, ratio(w, framework), ratio(w, bare), *met]
        )
    return table(rows)


def paired_ratio(wall: Samples, key: str, base: str) -> str:
    """The median of the per-round ratios (each round runs both, one after the other)."""
    mine, theirs = wall.values.get(key, []), wall.values.get(base, [])
    if not mine or len(mine) != len(theirs):
        return "-"
    return f"{statistics.median(x / y for x, y in zip(mine, theirs, strict=True)):.2f}x"


def split_table(bench: Bench) -> str:
    child = bench.wall.get(INSTRUMENTED) or 0.0
    rows = [["the pre-commit hook: where the time goes (medians)", "ms", "share"]]
    for step, label in STEP_LABELS.items():
        seconds = bench.steps.get(step) or 0.0
        rows.append([label, ms(seconds), f"{seconds / child:.0%}" if child else "-"])
    parts = sum(bench.steps.get(step) or 0.0 for step in STEP_LABELS)
    rows.append(["= the sum of the medians", ms(parts), f"{parts / child:.0%}" if child else "-"])
    rows.append(["the instrumented hook, wall (median)", ms(child), "100%"])
    sh = (bench.wall.get(SHIM_PASS) or 0.0) - (bench.wall.get(PASS) or 0.0)
    rows.append(["the sh shim itself (shim running `-c pass` minus `python -c pass`)", ms(sh), ""])
    return table(rows)


def wall_table(bench: Bench) -> str:
    rows = [["process", "wall ms (median)", "cpu ms (median)", "wall ms (best)"]]
    for key in WALL_ROWS:
        w, c, b = bench.wall.get(key), bench.cpu.get(key), bench.wall.least(key)
        if w is None:
            continue
        rows.append([key, ms(w), ms(c), ms(b)])
        if key == COMMIT_HOOK:
            base = [bench.wall.get(COMMIT_NO_HOOK), bench.cpu.get(COMMIT_NO_HOOK)]
            base.append(bench.wall.least(COMMIT_NO_HOOK))
            added = [
                ms(x - y) if x is not None and y is not None else "-"
                for x, y in zip((w, c, b), base, strict=True)
            ]
            rows.append(["  what the hook adds to the commit", *added])
    return table(rows)


def imports_table(bench: Bench, small: float = 0.001) -> str:
    """One table, a column per checkout: own import time by group, the big groups first."""
    columns = [c for c in (BEFORE_IMPORTS, AFTER_IMPORTS) if c in bench.imports]
    labels: set[str] = set()
    for c in columns:
        labels.update(k for k in bench.imports[c].names() if k != ALL_IMPORTS)

    def value(column: str, label: str) -> float:
        return bench.imports[column].get(label) or 0.0

    def largest(label: str) -> float:
        return max(value(c, label) for c in columns)

    shown = sorted((k for k in labels if largest(k) >= small), key=lambda k: -largest(k))
    rest = [k for k in labels if largest(k) < small]
    names = {BEFORE_IMPORTS: "before (90fc34e) ms", AFTER_IMPORTS: "after ms"}
    rows = [
        ["-X importtime of the hook: own time by package (medians)", *(names[c] for c in columns)]
    ]
    for label in shown:
        rows.append([label, *(ms(value(c, label)) if value(c, label) else "-" for c in columns)])
    if rest:
        rows.append(
            [
                f"{len(rest)} more, each under {small * 1000:g} ms",
                *(ms(sum(value(c, k) for k in rest)) for c in columns),
            ]
        )
    rows.append([ALL_IMPORTS, *(ms(bench.imports[c].get(ALL_IMPORTS)) for c in columns)])
    return table(rows)


def plugins_table(bench: Bench) -> str:
    rows = [["plugin loading, one step at a time (after the hook's imports)", "ms"]]
    rows += [[k, ms(bench.plugins.get(k))] for k in bench.plugins.names()]
    total = sum(bench.plugins.get(k) or 0.0 for k in bench.plugins.names())
    rows.append(["total", ms(total)])
    return table(rows)


def report(bench: Bench, args: argparse.Namespace, changes: int) -> str:
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    head = (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}: {args.files:,} files in {args.dirs:,} "
        f"directories, {changes} files changed and staged (the hook exited {bench.code}); "
        f"medians of {bench.repeat} rounds; Python {sys.version.split()[0]}, "
        f"{git_version.strip()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end"
    )
    tables = [targets_table, split_table, wall_table, imports_table, plugins_table]
    return "\n\n".join([head, *(make(bench) for make in tables)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The pre-commit hook on a large repository.")
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--dirs", type=int, default=5_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument(
        "--before-python",
        help="the interpreter of another checkout (e.g. 90fc34e) for the before columns",
    )
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work" / "hook")
    parser.add_argument("--keep", action="store_true", help="leave the repository behind")
    args = parser.parse_args(argv)

    work: Path = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    repo = work / "repo"
    repo.mkdir(parents=True)
    git = Runner(repo, isolate(work / "home", work / "pre-commit-home"))
    for python in filter(None, (PYTHON, args.before_python)):
        print(f"compiled {compile_checkout(python, git.env)} for {python}", flush=True)
    paths = paths_of(args.files, args.dirs)
    began = time.perf_counter()
    build(git, paths)
    took = time.perf_counter() - began
    print(f"built {args.files:,} files in {args.dirs:,} directories in {took:.1f} s", flush=True)

    git.run(["git", "agent", "list"])  # the state database of a repository that uses git-agent
    stage(git, random.Random(3).sample(paths, args.changed))
    print(git.out(["git", "agent", "install-hooks"]), flush=True)
    shim = repo / ".git" / "hooks" / "pre-commit"
    passing = shim.with_name("pre-commit.bench-pass")  # the shim's own cost, with no hook in it
    passing.write_text(shim.read_text().replace("-m supervisor hook pre-commit", "-c pass"))
    passing.chmod(0o755)
    bench = Bench(git, args.repeat, args.before_python)
    try:
        bench.run()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(report(bench, args, args.changed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
