"""Events are hints: when they are lost (the kernel's queue overflowed), cannot come (no watch
left) or simply were never sent (a mode change), a full scan finds what changed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from supervisor.live.inbox import Inbox
from supervisor.live.watches import Watches, count_dirs, kernel_watches
from tests.kit import Started, start
from tests.live.conftest import FAST, judged, of_type, supervisor_pid, wait_for, watch

EVERY_SECOND = FAST.replace("reconcile_every_s = 600", "reconcile_every_s = 1")


def test_a_queue_overflow_is_reconciled_and_nothing_is_missed(watched: Started) -> None:
    pid = supervisor_pid(watched.repo)
    assert pid is not None
    max_queued = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    count = max_queued + 2000  # more events than the queue holds, whatever the kernel merges
    folder = watched.shadow / "burst"
    before = watches_of(pid)
    folder.mkdir()
    # stopped only once its watcher watches the new folder: the burst below must reach the
    # kernel's queue (a folder watched later is read whole, and nothing would be lost)
    wait_for(lambda: watches_of(pid) > before)
    os.kill(pid, signal.SIGSTOP)  # nobody reads: the kernel's queue fills and overflows
    try:
        for number in range(count):
            (folder / f"{number}.txt").write_text(f"{number}\n")
    finally:
        os.kill(pid, signal.SIGCONT)
    wanted = {f"burst/{n}.txt" for n in range(count)}
    wait_for(lambda: wanted <= judged(watched.repo), timeout=60)
    reasons = lambda: [e["data"]["reason"] for e in of_type(watched.repo, "reconcile")]  # noqa: E731
    wait_for(lambda: "events were lost" in reasons(), timeout=30)


def watches_of(pid: int) -> int:
    """The inotify watches process `pid` holds, as the kernel counts them."""
    total = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:inotify":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}", "rb") as info:
                total += sum(line.startswith(b"inotify wd:") for line in info)
        except OSError:
            continue
    return total


def test_running_out_of_watches_turns_to_polling(repo: Path, supervised: list[Path]) -> None:
    started = start(repo, policy=EVERY_SECOND)
    limit = count_dirs(started.shadow) + 3
    watch(repo, "f", env={"GIT_AGENT_MAX_WATCHES": str(limit)})
    for number in range(8):
        (started.shadow / f"d{number}").mkdir()
        (started.shadow / f"d{number}" / "a.txt").write_text("a\n")
    degraded = wait_for(lambda: of_type(repo, "degraded"))
    assert "GIT_AGENT_MAX_WATCHES" in degraded[0]["data"]["why"]
    deep = started.shadow / "d7" / "deeper"
    deep.mkdir()
    (deep / "late.txt").write_text("late\n")
    wait_for(lambda: "d7/deeper/late.txt" in judged(repo), timeout=15)
    assert {f"d{n}/a.txt" for n in range(8)} <= judged(repo)


def test_a_shadow_beyond_the_watch_limit_is_polled_from_the_start(
    repo: Path, supervised: list[Path]
) -> None:
    started = start(repo, policy=EVERY_SECOND)
    watch(repo, "f", env={"GIT_AGENT_MAX_WATCHES": "1"})
    first = of_type(repo, "watch-start")[0]["data"]
    assert "GIT_AGENT_MAX_WATCHES (1)" in first["polling"]
    (started.shadow / "polled.txt").write_text("p\n")
    wait_for(lambda: "polled.txt" in judged(repo), timeout=15)


def test_a_change_no_event_reports_is_found_by_the_periodic_scan(
    repo: Path, supervised: list[Path]
) -> None:
    started = start(repo, policy=EVERY_SECOND)
    watch(repo, "f")
    os.chmod(started.shadow / "README.md", 0o755)  # an attribute change: not an event we ask for
    found = wait_for(
        lambda: [e for e in of_type(repo, "reconcile") if "README.md" in e["data"]["paths"]],
        timeout=15,
    )
    assert found[0]["data"]["reason"] == "timer"


def test_the_kernel_counts_one_watch_per_directory(tmp_path: Path) -> None:
    for number in range(5):
        (tmp_path / "tree" / f"d{number}" / "e").mkdir(parents=True)
    watches = Watches(Inbox(lambda: None), None)
    watches.start()
    try:
        before = kernel_watches()
        assert watches.add("f", tmp_path / "tree") is None
        assert kernel_watches() - before == count_dirs(tmp_path / "tree") == 11
        assert watches.recount("f", tmp_path / "tree") is None
    finally:
        watches.stop()


def test_a_limit_below_the_shadow_refuses_the_watch(tmp_path: Path) -> None:
    (tmp_path / "tree" / "a" / "b").mkdir(parents=True)
    watches = Watches(Inbox(lambda: None), 2)
    watches.start()
    try:
        why = watches.add("f", tmp_path / "tree")
        assert why == "more directories than GIT_AGENT_MAX_WATCHES (2)"
        assert "f" not in watches.watches
    finally:
        watches.stop()
