"""Crash recovery: a supervisor killed at any moment loses nothing. `status` says the feature's
supervision was interrupted; `resume` checkpoints what changed while nobody watched, finishes
a journaled promotion and watches again."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from tests.kit import Started, cli, expected_tree, run_cli, status, tree_of
from tests.live.conftest import kill_supervisor, of_type, supervisor_pid, wait_for

ROUNDS = 8


class Writer(threading.Thread):
    """Writes new files (and rewrites old ones) into the shadow as fast as it can."""

    def __init__(self, shadow: Path, round_: int) -> None:
        super().__init__(name="writer")
        self.shadow = shadow
        self.round = round_
        self.written: dict[str, str] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        number = 0
        folder = self.shadow / f"round{self.round}"
        folder.mkdir()
        while not self.stopping.is_set():
            name = f"round{self.round}/f{number % 40}.txt"
            text = f"{self.round}:{number}\n" * (1 + number % 7)
            (self.shadow / name).write_text(text)
            self.written[name] = text
            number += 1
            time.sleep(0.002)


def test_killed_at_random_moments_the_supervisor_loses_nothing(watched: Started) -> None:
    repo, shadow = watched.repo, watched.shadow
    chance = random.Random(20261201)
    every: dict[str, str] = {}
    for round_ in range(ROUNDS):
        writer = Writer(shadow, round_)
        writer.start()
        time.sleep(chance.uniform(0.05, 0.9))
        kill_supervisor(repo)
        writer.stopping.set()
        writer.join()
        every.update(writer.written)
        assert status(repo)["supervision"] == "interrupted"
        resumed = run_cli(repo, "resume", "f")
        assert resumed.code == 0, resumed
        for name, text in every.items():
            assert (shadow / name).read_text() == text, name
        last = cli(repo, "checkpoints", "f", "--json").json()[-1]
        assert tree_of(repo, last["commit"]) == expected_tree(shadow, watched.base), round_
        verified = cli(repo, "audit", "f", "--verify")
        assert verified.code == 0, verified
        assert status(repo)["supervision"] == "watching"


def test_resume_finishes_a_promotion_a_crash_interrupted(watched: Started) -> None:
    repo = watched.repo
    (watched.shadow / "done.txt").write_text("done\n")
    kill_supervisor(repo)
    crashed = run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": "promote:worktree"})
    assert crashed.code == -9 or crashed.code == 137, crashed
    journal = repo / ".git" / "agent" / "features" / "f" / "promote.journal"
    assert journal.exists()
    resumed = run_cli(repo, "resume", "f")
    assert resumed.code == 0, resumed
    assert not journal.exists()
    assert (watched.worktree / "done.txt").read_text() == "done\n"
    assert cli(repo, "status", "f", "--json").json()["promoted"] is not None
    assert supervisor_pid(repo) is not None


def test_the_next_watch_picks_up_an_interrupted_feature_too(watched: Started) -> None:
    repo = watched.repo
    kill_supervisor(repo)
    (watched.shadow / "unwatched.txt").write_text("while nobody watched\n")
    again = run_cli(repo, "watch", "--detach", "f")
    assert again.code == 0, again
    made = wait_for(lambda: of_type(repo, "checkpoint"))[-1]
    message = cli(repo, "checkpoints", "f", "--json").json()[-1]["message"]
    assert message.startswith("changes made while nobody watched")
    assert made["data"]["number"] >= 1
