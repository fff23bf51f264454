"""Fixtures: real repositories in tmp_path, and a wall between each test and the user's machine."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervisor.cli import main
from supervisor.render.output import Output


@pytest.fixture(autouse=True)
def isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No user git config, $HOME or GIT_* / GIT_AGENT_* variables reach a test; no thread leaks."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
    )
    for key in list(os.environ):
        if key.startswith(("GIT_", "PRE_COMMIT")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AGENT_LOCK_TIMEOUT", "30")
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not leaked, f"threads leaked: {leaked}"


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout.decode(errors="surrogateescape").strip()


def commit_all(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a first commit: src/, docs/, a README."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    (path / "src").mkdir()
    (path / "src" / "app.py").write_text("print('hello')\n")
    (path / "docs").mkdir()
    (path / "docs" / "guide.md").write_text("# Guide\n")
    (path / "README.md").write_text("demo\n")
    commit_all(path, "initial")
    return path


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> object:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


def cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run `git-agent` in-process, from `cwd`, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Output(out, err), {**os.environ, **(env or {})}, str(cwd))
    return Result(code, out.getvalue(), err.getvalue())


def run_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None
) -> Result:
    """Run `git agent ...` as a real process, the way git runs it."""
    full = {k: v for k, v in os.environ.items()}
    full.update(env or {})
    proc = subprocess.run(
        ["git", "agent", *args], cwd=cwd, env=full, capture_output=True, input=input, check=False
    )
    return Result(
        proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )


def python() -> str:
    return sys.executable
