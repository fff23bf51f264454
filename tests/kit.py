"""The one kit of the tests: real repositories with given files, committed policies, plans,
started features (in-process, through `supervisor.lifecycle`), shadows with given files, the
command line in-process and as a real process, and what git holds, read back byte for byte.

Fixtures built on it live in tests/conftest.py."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from supervisor.cli import main
from supervisor.gates.repository import GateRepo, gate_repo
from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_FILE
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.start import start as start_feature
from supervisor.lifecycle.verdict import evaluate
from supervisor.lifecycle.workspace import Workspace, open_feature, open_workspace
from supervisor.render.output import Output
from supervisor.rules.engine import Report

POLICY = ".git-agent/policy.toml"
DEFAULT_FILES: dict[str, str] = {
    "src/app.py": "print('hello')\n",
    "docs/guide.md": "# Guide\n",
    "README.md": "demo\n",
}


# --- git ------------------------------------------------------------------------------------------


def git_environ(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git run by a test: no GIT_* variable but `extra`'s."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    env.update(extra or {})
    return env


def git_bytes(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, input: bytes | None = None
) -> bytes:
    """git with extra GIT_* variables (GIT_INDEX_FILE, ...); its raw stdout."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=git_environ(env), input=input, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


def git_code(cwd: Path, *args: str) -> int:
    """git's exit code, for a command that may fail (a merge with conflicts)."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=git_environ(), capture_output=True, check=False
    )
    return proc.returncode


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    """git's stdout as text, stripped."""
    return git_bytes(cwd, *args, input=input).decode(errors="surrogateescape").strip()


def commit_all(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


# --- files ----------------------------------------------------------------------------------------


class Link(NamedTuple):
    """A symbolic link to `target`, as a value of a files mapping."""

    target: str | bytes


class Exec(NamedTuple):
    """An executable file, as a value of a files mapping."""

    data: str | bytes


Content = str | bytes | Link | Exec | None  # None: the path is deleted
Files = Mapping[str, Content] | Mapping[bytes, Content]


def write_files(root: Path, files: Files) -> None:
    """Make each path under `root` hold its content (names may be bytes: any byte but NUL)."""
    for rel, content in files.items():
        path = os.fsencode(root) + b"/" + os.fsencode(rel)
        _remove(path)
        if content is None:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, Link):
            os.symlink(os.fsencode(content.target), path)
            continue
        data = content.data if isinstance(content, Exec) else content
        mode = 0o755 if isinstance(content, Exec) else 0o644
        with open(path, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
        os.chmod(path, mode)


def _remove(path: bytes) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def write_bytes_path(root: Path, rel: bytes, data: bytes) -> None:
    """Create a file whose name may hold any bytes but NUL (its folders must exist)."""
    path = os.fsencode(root) + b"/" + rel
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_bytes_path(root: Path, rel: bytes) -> bytes:
    with open(os.fsencode(root) + b"/" + rel, "rb") as handle:
        return handle.read()


# --- repositories, policies, plans ----------------------------------------------------------------


def make_repo(
    path: Path,
    files: Files | None = None,
    *,
    policy: str | None = None,
    message: str = "initial",
) -> Path:
    """A repository at `path` whose first commit holds `files` (default: src/, docs/, a
    README) and, when given, the policy `policy`."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    write_files(path, DEFAULT_FILES if files is None else files)
    if policy is not None:
        write_files(path, {POLICY: policy_text(policy)})
    commit_all(path, message)
    return path


def policy_text(body: str) -> str:
    """A policy file: `body`, with `version = 1` first unless it says a version."""
    return body if body.lstrip().startswith("version") else "version = 1\n" + body


def commit_policy(repo: Path, body: str, message: str = "policy") -> str:
    """Commit `body` as .git-agent/policy.toml (`version = 1` added when missing); the commit."""
    write_files(repo, {POLICY: policy_text(body)})
    return commit_all(repo, message)


def write_plan(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- features -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """A started feature: its name, base commit, shadow and worktree."""

    repo: Path
    name: str
    base: str
    shadow: Path
    worktree: Path

    @property
    def dirs(self) -> tuple[Path, Path]:
        """(shadow, worktree)."""
        return self.shadow, self.worktree


def environ(env: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **(env or {})}


@contextmanager
def workspace(repo: Path, env: Mapping[str, str] | None = None) -> Iterator[Workspace]:
    """The repository's git-agent world, opened as a command opens it."""
    with open_workspace(environ(env), str(repo)) as ws:
        yield ws


@contextmanager
def feature(repo: Path, name: str = "f", env: Mapping[str, str] | None = None) -> Iterator[Feature]:
    """Feature `name`, locked, as a command on it gets it."""
    with open_feature(environ(env), str(repo), name) as found:
        yield found


def start(
    repo: Path,
    name: str = "f",
    *,
    policy: str | None = None,
    plan: str | Path | None = None,
    base: str = "HEAD",
    files: Files | None = None,
    env: Mapping[str, str] | None = None,
) -> Started:
    """Start feature `name` in-process (`supervisor.lifecycle.start`): first commit `policy`
    when given; `plan` is a plan file, or a plan's text (written next to the repository);
    `files` are then written into the shadow."""
    if policy is not None:
        commit_policy(repo, policy)
    plan_file = plan if isinstance(plan, Path) or plan is None else None
    if isinstance(plan, str):
        plan_file = write_plan(repo.parent / f"{name}-plan.toml", plan)
    with workspace(repo, env) as ws:
        made = start_feature(ws, name, base, plan_file)
        started = Started(repo, name, made.row.base, made.shadow, made.worktree)
    if files:
        write_files(started.shadow, files)
    return started


def start_cli(
    repo: Path, name: str = "f", *args: str, env: Mapping[str, str] | None = None
) -> Started:
    """Start feature `name` through `git agent start` (for the tests whose point is the CLI)."""
    result = cli(repo, "start", name, *args, "--json", env=dict(env or {}))
    assert result.code == 0, result
    info = result.json()
    assert isinstance(info, dict)
    return Started(repo, name, info["base"], Path(info["shadow"]), Path(info["worktree"]))


@contextmanager
def gate(repo: Path, env: Mapping[str, str] | None = None) -> Iterator[GateRepo]:
    """The repository as the gates see it (git CLI, cached policies), HEAD included."""
    with gate_repo(repo, environ(env), head=True) as found:
        yield found


def blocking(*plugins: str) -> dict[str, str]:
    """The environment that keeps `plugins` from loading (the verdict of one family only)."""
    return {"GIT_AGENT_DISABLE_PLUGINS": ",".join(plugins)}


def evaluate_entries(
    repo: Path,
    changes: Mapping[bytes, tuple[int, bytes] | None],
    name: str = "f",
    env: Mapping[str, str] | None = None,
) -> Report:
    """The feature's base with tree `changes` applied (entries a shadow could never hold),
    judged in-process."""
    with feature(repo, name, env) as found:
        store = found.repo
        tree = trees.update(store, store.commit_tree(found.row.base), changes)
        return evaluate(found, tree)


def blob_entry(repo: Path, data: bytes) -> tuple[int, bytes]:
    """(regular-file mode, raw id) of a blob of `data` written into the repository."""
    oid = git(repo, "hash-object", "-w", "--stdin", input=data)
    return MODE_FILE, bytes.fromhex(oid)


# --- plugins installed for a test ---------------------------------------------------------------


def distribution(site: Path, dist: str, plugin: str, module: str, source: str) -> Path:
    """A tiny installed distribution: a module and its dist-info declaring one entry point."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[git_agent]\n{plugin} = {module}\n")
    return site


def on_path(site: Path) -> dict[str, str]:
    old = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": f"{site}{os.pathsep}{old}" if old else str(site)}


# --- the command line -----------------------------------------------------------------------------


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


def cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run `git-agent` in-process, from `cwd`, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Output(out, err), environ(env), str(cwd))
    return Result(code, out.getvalue(), err.getvalue())


def run_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None
) -> Result:
    """Run `git agent ...` as a real process, the way git runs it."""
    proc = subprocess.run(
        ["git", "agent", *args],
        cwd=cwd,
        env=environ(env),
        capture_output=True,
        input=input,
        check=False,
    )
    return Result(
        proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )


def python() -> str:
    return sys.executable


def status(repo: Path, name: str = "f") -> dict[str, Any]:
    result = cli(repo, "status", name, "--json")
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def checkpoint(repo: Path, name: str = "f", *extra: str) -> dict[str, Any]:
    result = cli(repo, "checkpoint", name, "--json", *extra)
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def checkpoints(repo: Path, name: str = "f") -> list[dict[str, Any]]:
    result = cli(repo, "checkpoints", name, "--json")
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, list)
    return data


def verdict(
    repo: Path, name: str = "f", env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """`validate --json`: the exit code and the report."""
    result = cli(repo, "validate", name, "--json", env=env)
    assert result.code in (0, 1), result
    data = result.json()
    assert isinstance(data, dict)
    return result.code, data


def _violations(report: Mapping[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(report["violations"] if isinstance(report, Mapping) else report)


Found = list[tuple[str, str, str | None]]  # (rule, severity, path)


def found(
    report: Mapping[str, Any] | list[dict[str, Any]], prefixes: str | tuple[str, ...]
) -> Found:
    """(rule, severity, path) of the violations whose rule starts with one of `prefixes`, in
    the report's order."""
    return [
        (v["rule"], v["severity"], v["path"])
        for v in _violations(report)
        if str(v["rule"]).startswith(prefixes)
    ]


def paths_of(
    report: Mapping[str, Any] | list[dict[str, Any]], prefixes: str | tuple[str, ...]
) -> set[tuple[str, str | None]]:
    """{(rule, path)} of the violations whose rule starts with one of `prefixes`."""
    return {(rule, path) for rule, _, path in found(report, prefixes)}


def levels_of(
    report: Mapping[str, Any] | list[dict[str, Any]], prefixes: str | tuple[str, ...]
) -> set[tuple[str, str]]:
    """{(rule, severity)} of the violations whose rule starts with one of `prefixes`."""
    return {(rule, severity) for rule, severity, _ in found(report, prefixes)}


# --- what git holds -------------------------------------------------------------------------------


def chain_commit(repo: Path, name: str = "f", number: int | None = None) -> str:
    """The commit of checkpoint `number` (default: the tip)."""
    tip = git(repo, "rev-parse", f"refs/agent/{name}/checkpoints")
    if number is None:
        return tip
    return {c["number"]: c["commit"] for c in checkpoints(repo, name)}[number]


def ref(repo: Path, name: str) -> str | None:
    """The commit `name` points at, or None."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
        cwd=repo,
        env=git_environ(),
        capture_output=True,
        check=False,
    )
    return proc.stdout.decode().strip() or None


def tree_of(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{tree}}")


def ls_tree(repo: Path, rev: str) -> dict[bytes, tuple[str, str]]:
    """Every non-tree entry of `rev`: raw path -> (mode, object id)."""
    out = git_bytes(repo, "ls-tree", "-r", "-z", "--full-tree", rev)
    entries: dict[bytes, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, oid = meta.decode().split()
        entries[path] = (mode, oid)
    return entries


def blob(repo: Path, oid: str) -> bytes:
    return git_bytes(repo, "cat-file", "blob", oid)


def content_at(repo: Path, rev: str, path: bytes) -> tuple[str, bytes]:
    """(mode, bytes) of `path` in `rev`."""
    mode, oid = ls_tree(repo, rev)[path]
    return mode, blob(repo, oid)


def expected_tree(shadow: Path, base: str) -> str:
    """The tree git itself makes of `shadow` (base's entries, then `add -A`), with a private index."""
    index = shadow.parent / "expected.index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git_bytes(shadow, "read-tree", base, env=env)
        git_bytes(shadow, "add", "-A", env=env)
        return git_bytes(shadow, "write-tree", env=env).decode().strip()
    finally:
        index.unlink(missing_ok=True)


def user_state(repo: Path) -> dict[str, object]:
    """What of the user's repository must never move: refs, HEAD, index, config, hooks, status."""
    gitdir = repo / ".git"
    refs = [
        line
        for line in git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
        if not line.startswith("refs/agent/")
    ]
    return {
        "HEAD": git(repo, "rev-parse", "HEAD"),
        "symbolic": (gitdir / "HEAD").read_bytes(),
        "refs": refs,
        "index": (gitdir / "index").read_bytes(),
        "config": (gitdir / "config").read_bytes(),
        "hooks": sorted(p.name for p in (gitdir / "hooks").iterdir()),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
    }
