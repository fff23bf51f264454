"""Fixtures: real repositories in tmp_path, and a wall between each test and the user's machine."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervisor.lifecycle.workspace import Workspace

# The helpers the tests once imported from here live in tests/kit.py; Result, cli, commit_all,
# git, python and run_cli stay importable from here for tests written against this module.
from tests.kit import (  # noqa: F401
    Result,
    Started,
    cli,
    commit_all,
    git,
    make_repo,
    python,
    run_cli,
    start,
    workspace,
)


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


@pytest.fixture(autouse=True)
def this_git_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """`git agent` run as a process is the git-agent of the interpreter running the tests (its
    console script sits next to it), never another install found first on PATH."""
    scripts = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join([scripts, os.environ.get("PATH", "")]))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a first commit: src/app.py, docs/guide.md, README.md."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def started(repo: Path) -> Started:
    """Feature f, started in-process on `repo` with the default policy and no plan."""
    return start(repo)


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    """`repo`'s git-agent world, opened as a command opens it (for the lifecycle's functions)."""
    with workspace(repo) as opened:
        yield opened
