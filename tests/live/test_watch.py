"""`git agent watch`, `stop` and `resume` as a person uses them: real processes, real inotify."""

from __future__ import annotations

import os
from pathlib import Path

from tests.kit import Started, cli, run_cli, start, status
from tests.live.conftest import (
    alive,
    entries,
    judged,
    of_type,
    supervisor_pid,
    wait_for,
)


def test_a_write_is_judged_and_recorded_with_its_verdict(watched: Started) -> None:
    (watched.shadow / "src" / "new.py").write_text("x = 1\n")
    wait_for(lambda: "src/new.py" in judged(watched.repo))
    batch = next(e for e in of_type(watched.repo, "batch") if "src/new.py" in e["data"]["paths"])
    assert batch["data"]["ok"] is True
    assert batch["data"]["errors"] == 0 and batch["data"]["events"] >= 1


def test_status_says_which_process_watches(watched: Started) -> None:
    pid = supervisor_pid(watched.repo)
    info = status(watched.repo)
    assert info["supervision"] == "watching"
    assert info["live"]["pid"] == pid
    text = cli(watched.repo, "status", "f")
    assert f"supervision  watching (process {pid}" in text.out


def test_a_second_watch_says_which_process_watches(watched: Started) -> None:
    pid = supervisor_pid(watched.repo)
    again = run_cli(watched.repo, "watch", "f")
    assert again.code == 0, again
    assert again.out.strip() == f"f is already watched by process {pid}"


def test_a_second_watch_hands_a_new_feature_to_the_running_supervisor(
    watched: Started,
) -> None:
    other = start(watched.repo, "g")
    pid = supervisor_pid(watched.repo)
    added = run_cli(watched.repo, "watch", "g")
    assert added.code == 0, added
    assert added.out.strip() == f"process {pid} now watches g"
    (other.shadow / "g.txt").write_text("g\n")
    wait_for(lambda: "g.txt" in judged(watched.repo, "g"))
    assert status(watched.repo, "g")["supervision"] == "watching"


def test_the_supervisor_writes_no_event_for_the_shadows_own_git(watched: Started) -> None:
    git_dir = watched.shadow / ".git"
    (git_dir / "scratch").write_text("x\n")
    (watched.shadow / "seen.txt").write_text("y\n")
    wait_for(lambda: "seen.txt" in judged(watched.repo))
    assert not any(p.startswith(".git/") or p == ".git" for p in judged(watched.repo))


def test_stop_ends_supervision_and_checkpoints_what_is_pending(watched: Started) -> None:
    pid = supervisor_pid(watched.repo)
    assert pid is not None
    (watched.shadow / "late.txt").write_text("late\n")
    stopped = run_cli(watched.repo, "stop", "f")
    assert stopped.code == 0, stopped
    assert stopped.out.strip() == "stopped the supervision of f"
    assert status(watched.repo)["supervision"] == "stopped"
    last = of_type(watched.repo, "checkpoint")[-1]
    listing = cli(watched.repo, "checkpoints", "f", "--json").json()
    assert listing[-1]["number"] == last["data"]["number"]
    assert of_type(watched.repo, "watch-stop")[-1]["data"]["why"] == "git agent stop"
    wait_for(lambda: not alive(pid))  # nothing left to watch: the supervisor ends


def test_stop_of_a_feature_never_watched_says_so(fast: Started) -> None:
    result = run_cli(fast.repo, "stop", "f")
    assert result.code == 0, result
    assert result.out.strip() == "f is not watched"


def test_watch_with_nothing_to_watch_is_a_usage_error(repo: Path) -> None:
    result = run_cli(repo, "watch")
    assert result.code == 2
    assert result.err.strip() == (
        "git-agent: no active feature to watch: `git agent start <feature>` first"
    )


def test_watch_of_an_unknown_feature_names_it(fast: Started) -> None:
    result = run_cli(fast.repo, "watch", "nope")
    assert result.code == 2
    assert result.err.startswith("git-agent: unknown feature: nope")
    assert supervisor_pid(fast.repo) is None


def test_a_foreground_watch_ends_cleanly_on_sigterm(fast: Started, supervised: list[Path]) -> None:
    import signal
    import subprocess

    from tests.kit import environ

    proc = subprocess.Popen(
        ["git", "agent", "watch", "f"],
        cwd=fast.repo,
        env=environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(lambda: status(fast.repo)["supervision"] == "watching")
    (fast.shadow / "fg.txt").write_text("fg\n")
    wait_for(lambda: "fg.txt" in judged(fast.repo))
    pid = supervisor_pid(fast.repo)
    assert pid is not None
    os.kill(pid, signal.SIGTERM)  # git runs git-agent as its child: the terminal signals both
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert b"watching f (process" in out
    assert b"batch" in out
    assert status(fast.repo)["supervision"] == "stopped"
    assert entries(fast.repo)[-1]["type"] == "watch-stop"


def test_an_agent_cannot_stop_or_resume_its_supervision(watched: Started) -> None:
    for command in ("stop", "resume", "watch"):
        result = run_cli(watched.shadow, command, "f")
        assert result.code == 1, (command, result)
        assert f"{command} is refused to the agent of feature f" in result.err, result
    assert status(watched.repo)["supervision"] == "watching"


def test_the_socket_is_owner_only(watched: Started) -> None:
    live = watched.repo / ".git" / "agent" / "live"
    assert os.stat(live).st_mode & 0o777 == 0o700
    assert os.stat(live / "supervisor.sock").st_mode & 0o777 == 0o600
