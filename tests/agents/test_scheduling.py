"""Scheduling: a repository-wide limit on agents at once, by priority; `after` starts a feature
only once the features it names are promoted, from their promoted branch; cycles refused."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

from tests.agents.conftest import writable
from tests.kit import commit_policy, run_cli, status, write_plan
from tests.live.conftest import FAST, wait_for


def agent_script(tmp_path: Path, seconds: float) -> str:
    path = tmp_path / f"agent{seconds}.py"
    path.write_text(
        textwrap.dedent(f"""
        import os, time
        open(os.environ["LOG"], "a").write(os.environ["GIT_AGENT_FEATURE"] + " start\\n")
        gate = os.environ.get("GATE")
        while gate and not os.path.exists(gate):
            time.sleep(0.05)
        time.sleep({seconds})
        open("done.txt", "w").write("done\\n")
        open(os.environ["LOG"], "a").write(os.environ["GIT_AGENT_FEATURE"] + " end\\n")
    """)
    )
    return str(path)


def test_at_most_max_running_at_once_highest_priority_first(
    repo: Path, supervised: list[Path], tmp_path: Path, outbox: Path
) -> None:
    commit_policy(repo, FAST + writable(outbox) + "\n[scheduling]\nmax_running = 1\n")
    log = outbox / "order.log"
    agent = agent_script(tmp_path, 0.2)
    gate = outbox / "gate"
    env = {"LOG": str(log), "GATE": str(gate)}
    for name, priority in (("a", 0), ("b", 0), ("c", 5)):
        plan = write_plan(tmp_path / f"{name}.toml", f"priority = {priority}\n")
        result = run_cli(
            repo, "start", name, "--plan", str(plan), "--", sys.executable, agent, env=env
        )
        assert result.code == 0, result
    gate.write_text("go\n")  # a holds the only slot until all three are queued
    wait_for(lambda: log.exists() and log.read_text().count("end") == 3, timeout=60)
    lines = log.read_text().split("\n")
    starts = [line.split()[0] for line in lines if line.endswith("start")]
    assert starts[0] == "a"  # it was alone in the queue when it was started
    assert starts[1:] == ["c", "b"]  # then by priority
    for index in range(0, 6, 2):  # never two at once
        assert lines[index].endswith("start") and lines[index + 1].endswith("end")


def test_after_waits_for_the_promotion_and_starts_from_it(
    repo: Path, supervised: list[Path], tmp_path: Path, outbox: Path
) -> None:
    commit_policy(repo, FAST + writable(outbox))
    log = outbox / "order.log"
    agent = agent_script(tmp_path, 0.2)
    env = {"LOG": str(log)}
    first = run_cli(repo, "start", "a", "--", sys.executable, agent, env=env)
    assert first.code == 0, first
    plan = write_plan(tmp_path / "b.toml", 'after = ["a"]\n')
    second = run_cli(repo, "start", "b", "--plan", str(plan), "--", sys.executable, agent, env=env)
    assert second.code == 0, second
    assert "b waits for a to be promoted" in second.out
    wait_for(lambda: log.exists() and "a end" in log.read_text(), timeout=30)
    time.sleep(1.0)
    assert "b start" not in log.read_text()
    promoted = run_cli(repo, "promote", "a")
    assert promoted.code == 0, promoted
    wait_for(lambda: "b end" in log.read_text(), timeout=30)
    info = status(repo, "b")
    assert info["base"] == status(repo, "a")["head"]
    assert (Path(info["shadow"]) / "done.txt").exists()


def test_a_feature_cannot_wait_for_itself_or_for_nothing(
    repo: Path, tmp_path: Path, supervised: list[Path], outbox: Path
) -> None:
    commit_policy(repo, FAST + writable(outbox))
    agent = agent_script(tmp_path, 0.1)
    env = {"LOG": str(outbox / "log")}
    plan_c = write_plan(tmp_path / "c.toml", 'after = ["c"]\n')
    itself = run_cli(
        repo, "start", "c", "--plan", str(plan_c), "--", sys.executable, agent, env=env
    )
    assert itself.code == 2 and "cannot wait for itself" in itself.err
    plan_x = write_plan(tmp_path / "x.toml", 'after = ["nobody"]\n')
    missing = run_cli(
        repo, "start", "x", "--plan", str(plan_x), "--", sys.executable, agent, env=env
    )
    assert missing.code == 2 and "waits for nobody, which does not exist" in missing.err


def test_a_cycle_of_afters_is_refused_naming_it(repo: Path) -> None:
    import pytest

    from supervisor.agents.waiting import check_after, pending_record
    from supervisor.errors import UsageError
    from supervisor.store.agents import AgentRow
    from tests.kit import workspace

    with workspace(repo) as ws:  # two waiting starts, as a crafted state would hold them
        for name, after in (("a", ["b"]), ("b", ["c"])):
            ws.state.agents.put(
                AgentRow(name, "queued", "{}", "", pending=pending_record(after, None, None))
            )
        with pytest.raises(UsageError, match="cycle: c -> a -> b -> c"):
            check_after(ws, "c", ["a"])


def test_a_waiting_start_is_shown_and_can_be_called_off(
    repo: Path, supervised: list[Path], tmp_path: Path, outbox: Path
) -> None:
    commit_policy(repo, FAST + writable(outbox))
    first = run_cli(repo, "start", "a", "--", sys.executable, "-c", "import time; time.sleep(600)")
    assert first.code == 0, first
    plan = write_plan(tmp_path / "b.toml", 'after = ["a"]\n')
    second = run_cli(repo, "start", "b", "--plan", str(plan), "--", "true")
    assert second.code == 0, second
    shown = run_cli(repo, "status", "b")
    assert shown.code == 0 and "b waits for a to be promoted" in shown.out, shown
    assert run_cli(repo, "status", "b", "--json").json()["state"] == "waiting"
    assert "b waits for a" in run_cli(repo, "status").out
    stopped = run_cli(repo, "stop", "b")
    assert stopped.code == 0 and "no longer waits" in stopped.out, stopped
    assert run_cli(repo, "status", "b").code == 2  # nothing of it is left
    again = run_cli(repo, "start", "b", "--plan", str(plan), "--", "true")
    assert again.code == 0, again  # the name is free
    run_cli(repo, "stop", "b")
    run_cli(repo, "stop", "a")


def test_a_new_max_running_counts_without_restarting_the_supervisor(
    repo: Path, supervised: list[Path], tmp_path: Path, outbox: Path
) -> None:
    commit_policy(repo, FAST + writable(outbox) + "\n[scheduling]\nmax_running = 1\n")
    log, gate = outbox / "order.log", outbox / "gate"
    agent = agent_script(tmp_path, 0.1)
    env = {"LOG": str(log), "GATE": str(gate)}
    for name in ("a", "b"):
        assert run_cli(repo, "start", name, "--", sys.executable, agent, env=env).code == 0
    wait_for(lambda: log.exists() and "a start" in log.read_text())
    time.sleep(1.0)
    assert "b start" not in log.read_text()  # one at a time
    commit_policy(repo, FAST + writable(outbox) + "\n[scheduling]\nmax_running = 2\n")
    wait_for(lambda: "b start" in log.read_text(), timeout=20)
    assert "a end" not in log.read_text()  # b started while a still ran
    gate.write_text("go\n")
    wait_for(lambda: log.read_text().count("end") == 2, timeout=30)
