"""Predicted conflicts under the live supervisor: after each auto-checkpoint it predicts again
and records, on both features of a pair, when the pair starts or stops conflicting. Real
processes (`git agent watch --detach`), real inotify, real shadows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.kit import cli, start
from tests.live.conftest import FAST, of_type, wait_for, watch


def conflict_entries(repo: Path, name: str) -> list[dict[str, Any]]:
    return [e["data"] for e in of_type(repo, "conflict", name)]


def test_the_supervisor_records_when_a_pair_starts_and_stops_conflicting(
    repo: Path, supervised: list[Path]
) -> None:
    a = start(repo, "a", policy=FAST)
    b = start(repo, "b")
    watch(repo, "a", "b")
    original = (a.shadow / "README.md").read_text()

    (a.shadow / "README.md").write_text("a's readme\n")
    wait_for(lambda: of_type(repo, "checkpoint", "a"))  # the auto-checkpoint
    (b.shadow / "docs" / "other.md").write_text("b elsewhere\n")
    wait_for(lambda: of_type(repo, "checkpoint", "b"))
    assert conflict_entries(repo, "a") == conflict_entries(repo, "b") == []  # no shared path

    (b.shadow / "README.md").write_text("b's readme\n")
    started = {"started": True, "paths": ["README.md"]}
    wait_for(lambda: conflict_entries(repo, "a") and conflict_entries(repo, "b"))
    assert conflict_entries(repo, "a") == [{"other": "b", **started}]
    assert conflict_entries(repo, "b") == [{"other": "a", **started}]
    predicted = cli(repo, "conflicts", "--json")
    assert predicted.code == 1 and predicted.json()["ok"] is False  # the CLI agrees

    (b.shadow / "README.md").write_text(original)  # b gives up its change
    wait_for(lambda: len(conflict_entries(repo, "b")) >= 2)
    wait_for(lambda: len(conflict_entries(repo, "a")) >= 2)
    stopped = {"started": False, "paths": ["README.md"]}
    assert conflict_entries(repo, "a") == [{"other": "b", **started}, {"other": "b", **stopped}]
    assert conflict_entries(repo, "b") == [{"other": "a", **started}, {"other": "a", **stopped}]
    assert cli(repo, "conflicts").code == 0


def test_a_conflict_with_an_unwatched_feature_is_recorded_on_both(
    repo: Path, supervised: list[Path]
) -> None:
    """The other side need not be watched: its last checkpoint stands for it."""
    a = start(repo, "a", policy=FAST)
    b = start(repo, "b", files={"README.md": "b's readme\n"})
    assert cli(repo, "checkpoint", "b").code == 0
    watch(repo, "a")
    (a.shadow / "README.md").write_text("a's readme\n")
    wait_for(lambda: conflict_entries(repo, "a") and conflict_entries(repo, "b"))
    assert conflict_entries(repo, "a") == [{"other": "b", "started": True, "paths": ["README.md"]}]
    assert conflict_entries(repo, "b") == [{"other": "a", "started": True, "paths": ["README.md"]}]
    assert b.shadow.is_dir()
