"""The SQLite registry of features under the common git dir (WAL, recorded migrations)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.errors import OperationalError, UsageError, did_you_mean

if TYPE_CHECKING:
    from supervisor.store.agents import Agents

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE features (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        base TEXT NOT NULL,
        worktree TEXT NOT NULL,
        shadow TEXT NOT NULL,
        plan_hash TEXT NOT NULL,
        plan_source TEXT,
        created REAL NOT NULL,
        promoted_commit TEXT,
        promoted_checkpoint INTEGER,
        verdict_ok INTEGER,
        verdict_errors INTEGER,
        verdict_warnings INTEGER,
        verdict_time REAL
    );
    """,
    """
    ALTER TABLE features ADD COLUMN policy_commit TEXT;
    """,
    """
    ALTER TABLE features ADD COLUMN supervision TEXT;
    CREATE TABLE supervisor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        create_time REAL NOT NULL,
        started REAL NOT NULL
    );
    """,
    """
    CREATE TABLE agents (
        feature TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        spec TEXT NOT NULL,
        prompt TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        queued REAL,
        started REAL,
        ended REAL,
        pid INTEGER,
        create_time REAL,
        pgid INTEGER,
        exit_code INTEGER,
        wall REAL,
        cpu REAL,
        peak_rss INTEGER,
        sandbox TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        usage TEXT,
        stalled REAL,
        note TEXT,
        pending TEXT
    );
    """,
)


@dataclass
class FeatureRow:
    name: str
    state: str
    base: str
    worktree: str
    shadow: str
    plan_hash: str
    plan_source: str | None
    created: float
    promoted_commit: str | None = None
    promoted_checkpoint: int | None = None
    verdict_ok: int | None = None
    verdict_errors: int | None = None
    verdict_warnings: int | None = None
    verdict_time: float | None = None
    policy_commit: str | None = None  # where the policy comes from (a trusted ancestor of base)
    supervision: str | None = None  # watching, paused, stopped (None: never watched)


COLUMNS = tuple(f.name for f in fields(FeatureRow))


class State:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, name: str) -> FeatureRow | None:
        row = self.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM features WHERE name = ?", (name,)
        ).fetchone()
        return FeatureRow(*row) if row else None

    def require(self, name: str) -> FeatureRow:
        row = self.get(name)
        if row is None:
            known = [row.name for row in self.all()]
            raise UsageError(f"unknown feature: {name}{did_you_mean(name, known)}")
        return row

    def all(self) -> list[FeatureRow]:
        rows = self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM features ORDER BY name")
        return [FeatureRow(*row) for row in rows]

    def insert(self, row: FeatureRow) -> None:
        marks = ", ".join("?" for _ in COLUMNS)
        with self.conn:
            self.conn.execute(
                f"INSERT INTO features ({', '.join(COLUMNS)}) VALUES ({marks})",
                tuple(getattr(row, c) for c in COLUMNS),
            )

    def supervisor(self) -> tuple[int, float, float] | None:
        """(pid, create time, start time) of the recorded supervisor process, if any."""
        row = self.conn.execute("SELECT pid, create_time, started FROM supervisor").fetchone()
        return (int(row[0]), float(row[1]), float(row[2])) if row else None

    def set_supervisor(self, pid: int, create_time: float) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO supervisor VALUES (1, ?, ?, ?)",
                (pid, create_time, time.time()),
            )

    def clear_supervisor(self, pid: int) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM supervisor WHERE pid = ?", (pid,))

    def delete(self, name: str) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM features WHERE name = ?", (name,))

    def update(self, name: str, **values: object) -> None:
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self.conn:
            self.conn.execute(
                f"UPDATE features SET {assignments} WHERE name = ?", (*values.values(), name)
            )

    @property
    def agents(self) -> Agents:
        from supervisor.store.agents import Agents

        return Agents(self.conn)

    def record_verdict(self, name: str, ok: bool, errors: int, warnings: int) -> None:
        self.update(
            name,
            verdict_ok=int(ok),
            verdict_errors=errors,
            verdict_warnings=warnings,
            verdict_time=time.time(),
        )


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied REAL)"
    )
    done = {v for (v,) in conn.execute("SELECT version FROM migrations")}
    for version, script in enumerate(MIGRATIONS, 1):
        if version in done:
            continue
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM migrations WHERE version = ?", (version,)).fetchone():
                continue
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", (version, time.time()))


@contextmanager
def open_state(path: Path) -> Iterator[State]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise OperationalError(f"cannot open {path}: {exc}") from exc
    with closing(conn):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            _migrate(conn)
            yield State(conn)
        except sqlite3.Error as exc:
            raise OperationalError(f"state database {path}: {exc}") from exc
