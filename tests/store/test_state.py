"""The state under the common git dir: SQLite (WAL, recorded migrations) and per-feature locks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import filelock
import pytest

from supervisor.errors import OperationalError
from supervisor.store.state import MIGRATIONS, FeatureRow, open_state
from tests.kit import cli, git


def common_dir(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir"))


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql))


def row(name: str) -> FeatureRow:
    return FeatureRow(name, "active", "0" * 40, "/w", "/s", "sha256:x", None, 1.0)


# --- SQLite ------------------------------------------------------------------


def test_the_database_is_in_wal_mode(repo: Path) -> None:
    assert cli(repo, "list").code == 0
    db = common_dir(repo) / "agent" / "state.db"
    assert db.is_file()
    # WAL is a property of the file: a fresh connection sees it
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    db = tmp_path / "agent" / "state.db"
    with open_state(db) as state:
        state.insert(row("one"))
    recorded = query(db, "SELECT version, applied FROM migrations ORDER BY version")
    assert [v for v, _ in recorded] == list(range(1, len(MIGRATIONS) + 1))
    with open_state(db) as state:  # a second open applies nothing again
        assert [r.name for r in state.all()] == ["one"]
        state.insert(row("two"))
    assert query(db, "SELECT version, applied FROM migrations ORDER BY version") == recorded
    with open_state(db) as state:
        assert [r.name for r in state.all()] == ["one", "two"]


def test_a_migration_not_recorded_is_applied(tmp_path: Path) -> None:
    """The record is what decides: drop it and the migration runs (and fails on the table)."""
    db = tmp_path / "state.db"
    with open_state(db):
        pass
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM migrations")
    with pytest.raises(OperationalError, match="already exists"), open_state(db):
        pass


def test_a_corrupt_database_is_an_operational_error(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OperationalError), open_state(db):
        pass


def test_a_corrupt_database_exits_3_without_traceback(repo: Path) -> None:
    db = common_dir(repo) / "agent" / "state.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    result = cli(repo, "list")
    assert result.code == 3, result
    assert result.err.count("\n") == 1 and "state.db" in result.err


def test_the_state_is_shared_by_every_worktree(repo: Path, tmp_path: Path) -> None:
    assert cli(repo, "start", "f").code == 0
    assert cli(repo, "start", "g").code == 0
    info = cli(repo, "status", "f", "--json").json()
    assert isinstance(info, dict)
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "-b", "side", str(other))
    common = common_dir(repo)
    listed = {}
    for place in (repo, Path(info["worktree"]), other, other / "src"):
        result = cli(place, "list", "--json")
        assert result.code == 0, (place, result)
        listed[place] = result.json()
        assert [f["feature"] for f in result.json()] == ["f", "g"]  # type: ignore[union-attr]
    assert all(found == listed[repo] for found in listed.values())
    # one database, in the common dir; none in a worktree's own git dir
    assert (common / "agent" / "state.db").is_file()
    assert len(list((common / "worktrees").iterdir())) == 3  # f, g and other
    for private in (common / "worktrees").iterdir():
        assert not (private / "agent").exists()
    # a feature started from a linked worktree is seen from the main one
    assert cli(other, "start", "h").code == 0
    names = [f["feature"] for f in cli(repo, "list", "--json").json()]  # type: ignore[union-attr]
    assert names == ["f", "g", "h"]
    assert git(repo, "rev-parse", "agent/h") == git(other, "rev-parse", "HEAD")


def test_a_checkpoint_from_inside_the_worktree_reaches_the_same_chain(repo: Path) -> None:
    assert cli(repo, "start", "f").code == 0
    info = cli(repo, "status", "f", "--json").json()
    assert isinstance(info, dict)
    (Path(info["shadow"]) / "new.txt").write_text("x\n")
    made = cli(Path(info["worktree"]), "checkpoint", "f", "--json")
    assert made.code == 0, made
    assert made.json() == {
        "number": 1,
        "commit": git(repo, "rev-parse", "refs/agent/f/checkpoints"),
        "created": True,
    }


# --- locks, with real processes ---------------------------------------------


def agent(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["git", "agent", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@contextmanager
def held(repo: Path, feature: str) -> Iterator[filelock.BaseFileLock]:
    lock = filelock.FileLock(str(common_dir(repo) / "agent" / "locks" / f"{feature}.lock"))
    lock.acquire(timeout=10)
    try:
        yield lock
    finally:
        lock.release()


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out.decode(), err.decode()


def still_running(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return proc.poll() is None


@pytest.fixture
def two(repo: Path) -> dict[str, Path]:
    """Features f1 and f2, each with an unsaved change in its shadow."""
    shadows = {}
    for name in ("f1", "f2"):
        result = cli(repo, "start", name, "--json")
        assert result.code == 0, result
        shadows[name] = Path(result.json()["shadow"])  # type: ignore[index]
        (shadows[name] / f"{name}.txt").write_text(f"{name}\n")
    return shadows


def test_one_feature_serialises_and_others_do_not_wait(repo: Path, two: dict[str, Path]) -> None:
    with held(repo, "f1"):
        waiting = agent(repo, "checkpoint", "f1", "--json")
        try:
            # f2 has its own lock: it finishes while f1's is held
            code, out, err = finish(agent(repo, "checkpoint", "f2", "--json"))
            assert code == 0, err
            assert '"created": true' in out
            # f1 waits for the lock: it started first and is still not done
            assert still_running(waiting, 1.0)
            assert git(repo, "rev-parse", "refs/agent/f1/checkpoints") == git(
                repo, "rev-parse", "HEAD"
            )
        except BaseException:
            waiting.kill()
            waiting.wait()
            raise
    code, out, err = finish(waiting)
    assert code == 0, err
    assert '"number": 1' in out and '"created": true' in out
    assert git(repo, "rev-parse", "refs/agent/f1/checkpoints") != git(repo, "rev-parse", "HEAD")


def test_two_processes_on_one_feature_take_turns(repo: Path, two: dict[str, Path]) -> None:
    """Both wait on the held lock; after release each runs alone, so the chain stays linear."""
    shadow = two["f1"]
    with held(repo, "f1"):
        first = agent(repo, "checkpoint", "f1", "-m", "one", "--json")
        second = agent(repo, "checkpoint", "f1", "-m", "two", "--json")
        try:
            assert still_running(first, 0.5) and still_running(second, 0.5)
        except BaseException:
            for proc in (first, second):
                proc.kill()
                proc.wait()
            raise
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    created = [r for r in results if '"created": true' in r[1]]
    assert len(created) == 1  # the one that came second saw no change
    chain = cli(repo, "checkpoints", "f1", "--json").json()
    assert [c["number"] for c in chain] == [0, 1]  # type: ignore[union-attr]
    assert (shadow / "f1.txt").read_text() == "f1\n"


def test_a_lock_timeout_exits_3_with_one_line(repo: Path, two: dict[str, Path]) -> None:
    with held(repo, "f1"):
        code, out, err = finish(
            agent(repo, "checkpoint", "f1", env={"GIT_AGENT_LOCK_TIMEOUT": "1"})
        )
    assert code == 3, err
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("git-agent: feature f1 is busy"), err
    assert "f1.lock" in err
    # nothing was checkpointed while the lock was held
    assert git(repo, "rev-parse", "refs/agent/f1/checkpoints") == git(repo, "rev-parse", "HEAD")


def test_a_bad_lock_timeout_is_a_usage_error(repo: Path) -> None:
    result = cli(repo, "list", env={"GIT_AGENT_LOCK_TIMEOUT": "soon"})
    assert result.code == 2, result
    assert "GIT_AGENT_LOCK_TIMEOUT" in result.err
