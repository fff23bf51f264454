"""The agents' rows of the state database: one per feature that has (or had) an agent, its
state in the words of the design (queued, running, paused, stopped, failed, timed-out, lost,
done), its process, what it cost and why it ended."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields

STATES = ("queued", "running", "paused", "stopped", "failed", "timed-out", "lost", "done")
LIVE_STATES = ("queued", "running", "paused")  # a supervisor is responsible for these


@dataclass(frozen=True)
class AgentRow:
    feature: str
    state: str
    spec: str  # the AgentSpec, as JSON
    prompt: str
    priority: int = 0
    queued: float | None = None
    started: float | None = None
    ended: float | None = None
    pid: int | None = None
    create_time: float | None = None
    pgid: int | None = None
    exit_code: int | None = None
    wall: float | None = None
    cpu: float | None = None
    peak_rss: int | None = None
    sandbox: str | None = None  # "landlock ABI 4", or "none: <why>"
    attempts: int = 0
    usage: str | None = None  # the built-in agent's tokens, dollars and turns, as JSON
    stalled: float | None = None  # since when nothing came out and nothing was written
    note: str | None = None  # why it ended, or what a person should know
    pending: str | None = None  # a start that waits for other features' promotion, as JSON


COLUMNS = tuple(f.name for f in fields(AgentRow))


class Agents:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, feature: str) -> AgentRow | None:
        row = self.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM agents WHERE feature = ?", (feature,)
        ).fetchone()
        return AgentRow(*row) if row else None

    def all(self) -> list[AgentRow]:
        rows = self.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM agents ORDER BY feature")
        return [AgentRow(*row) for row in rows]

    def put(self, row: AgentRow) -> None:
        marks = ", ".join("?" for _ in COLUMNS)
        with self.conn:
            self.conn.execute(
                f"INSERT OR REPLACE INTO agents ({', '.join(COLUMNS)}) VALUES ({marks})",
                tuple(getattr(row, c) for c in COLUMNS),
            )

    def update(self, feature: str, **values: object) -> None:
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"no agent column {sorted(unknown)}")
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self.conn:
            self.conn.execute(
                f"UPDATE agents SET {assignments} WHERE feature = ?", (*values.values(), feature)
            )

    def delete(self, feature: str) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM agents WHERE feature = ?", (feature,))
