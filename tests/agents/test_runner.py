"""Command agents run by the supervisor: in the shadow, in a process group of their own, with a
curated environment, their output kept within a cap, ended on time without leaving a process
behind, measured, stopped and resumed; and known as the agent wherever they go."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import psutil
import pytest

from supervisor.agents import sandbox
from tests.agents.conftest import writable
from tests.kit import cli, git, run_cli, status
from tests.live.conftest import FAST, kill_supervisor, of_type, wait_for


def agent_of(repo: Path, name: str = "f") -> dict[str, Any]:
    found = status(repo, name)["agent"]
    assert isinstance(found, dict)
    return found


def ended(repo: Path, name: str = "f") -> dict[str, Any]:
    return wait_for(
        lambda: (a := agent_of(repo, name))["state"] not in ("queued", "running", "paused") and a,
        timeout=30,
    )


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "agent.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


@pytest.fixture
def fast_repo(repo: Path, supervised: list[Path], outbox: Path) -> Path:
    from tests.kit import commit_policy

    commit_policy(repo, FAST + writable(outbox))
    return repo


def start_agent(
    repo: Path, *words: str, name: str = "f", env: dict[str, str] | None = None
) -> None:
    result = run_cli(repo, "start", name, *words, env=env)
    assert result.code == 0, result


def test_a_command_agent_runs_in_the_shadow_and_its_work_is_checkpointed(
    fast_repo: Path, tmp_path: Path
) -> None:
    agent = script(
        tmp_path,
        """
        import os, sys
        open("made.txt", "w").write(os.getcwd() + "\\n")
        print("hello from the agent")
        print("to stderr", file=sys.stderr)
    """,
    )
    start_agent(fast_repo, "--prompt", "make a file", "--", sys.executable, agent)
    done = ended(fast_repo)
    assert done["state"] == "done" and done["exit_code"] == 0
    shadow = Path(status(fast_repo)["shadow"])
    assert (shadow / "made.txt").read_text().strip() == str(shadow)
    assert done["wall"] is not None and done["cpu"] is not None and done["peak_rss"] > 0
    logs = run_cli(fast_repo, "logs", "f")
    assert "hello from the agent" in logs.out and "to stderr" in logs.out
    listing = cli(fast_repo, "checkpoints", "f", "--json").json()
    assert listing[-1]["message"].startswith("agent ")
    kinds = [e["type"] for e in of_type(fast_repo, "agent-start") + of_type(fast_repo, "agent-end")]
    assert kinds == ["agent-start", "agent-end"]


def test_the_prompt_is_given_as_one_word(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import sys
        open("args.txt", "w").write("\\n".join(sys.argv[1:]))
    """,
    )
    start_agent(
        fast_repo, "--prompt", "two words; $(rm -rf /)", "--", sys.executable, agent, "{prompt}"
    )
    ended(fast_repo)
    shadow = Path(status(fast_repo)["shadow"])
    assert (shadow / "args.txt").read_text() == "two words; $(rm -rf /)"


def test_the_environment_is_curated(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import json, os
        json.dump(dict(os.environ), open("env.json", "w"))
    """,
    )
    secrets = {"AWS_SECRET_ACCESS_KEY": "x", "GITHUB_TOKEN": "y", "MY_API_KEY": "z", "PLAIN": "p"}
    start_agent(fast_repo, "--", sys.executable, agent, env=secrets)
    ended(fast_repo)
    shadow = Path(status(fast_repo)["shadow"])
    seen = json.loads((shadow / "env.json").read_text())
    for name in ("AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "MY_API_KEY"):
        assert name not in seen
    assert seen["PLAIN"] == "p"
    assert seen["GIT_AGENT_FEATURE"] == "f"
    assert seen["GIT_AGENT_PLAN"].endswith("plan.toml")
    assert "GIT_DIR" not in seen


def test_the_agents_git_cannot_push_and_runs_no_hooks(fast_repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    os.system(f"git init -q --bare {remote}")
    agent = script(
        tmp_path,
        f"""
        import subprocess
        def git(*a):
            return subprocess.run(["git", *a], capture_output=True, text=True)
        git("add", "-A")
        git("commit", "-qm", "agent work")
        pushed = git("push", "{remote}", "HEAD:refs/heads/stolen")
        open("push.txt", "w").write(str(pushed.returncode) + pushed.stderr)
        hooks = git("config", "core.hooksPath")
        open("hooks.txt", "w").write(hooks.stdout)
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    ended(fast_repo)
    shadow = Path(status(fast_repo)["shadow"])
    assert not (shadow / "push.txt").read_text().startswith("0")
    assert (shadow / "hooks.txt").read_text().strip() == "/dev/null"
    assert "stolen" not in os.popen(f"git --git-dir={remote} branch").read()


def test_a_timeout_ends_the_whole_group_even_a_child_ignoring_sigterm(
    fast_repo: Path, tmp_path: Path
) -> None:
    agent = script(
        tmp_path,
        """
        import os, signal, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, time, os\\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
            "open('child.pid','w').write(str(os.getpid()))\\n"
            "time.sleep(600)"])
        time.sleep(600)
    """,
    )
    start_agent(fast_repo, "--timeout", "2s", "--", sys.executable, agent)
    shadow = Path(status(fast_repo)["shadow"])
    child = int(
        wait_for(lambda: (shadow / "child.pid").exists() and (shadow / "child.pid").read_text())
    )
    done = ended(fast_repo)
    assert done["state"] == "timed-out"
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE
    assert of_type(fast_repo, "agent-timeout")


def test_a_child_that_leaves_the_group_is_still_the_agents(
    fast_repo: Path, tmp_path: Path, outbox: Path
) -> None:
    agent = script(
        tmp_path,
        """
        import os, subprocess, sys, time
        # a grandchild in a session of its own, elsewhere, without the agent's variable
        env = {k: v for k, v in os.environ.items() if k != "GIT_AGENT_FEATURE"}
        subprocess.Popen([sys.executable, "-c",
            "import os, subprocess, time\\n"
            "out = subprocess.run(['git', 'agent', 'promote', 'f'], capture_output=True, text=True)\\n"
            "open(os.environ['RESULT'], 'w').write(str(out.returncode) + out.stderr)\\n"
            ], cwd=os.environ["ELSEWHERE"], env=env, start_new_session=True)
        time.sleep(5)
    """,
    )
    result = outbox / "result.txt"
    start_agent(
        fast_repo,
        "--",
        sys.executable,
        agent,
        env={"ELSEWHERE": str(fast_repo), "RESULT": str(result)},
    )
    text = wait_for(lambda: result.exists() and result.read_text(), timeout=20)
    assert text.startswith("1") and "refused to the agent of feature f" in text, text


def test_stop_ends_the_agent_and_resume_runs_it_again(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import sys, time
        open("runs.txt", "a").write(" ".join(sys.argv[1:]) + "\\n")
        print("run", *sys.argv[1:], flush=True)
        time.sleep(600)
    """,
    )
    config = f"""
[agents.sleepy]
command = ["{sys.executable}", "{agent}", "first"]
resume = ["{sys.executable}", "{agent}", "again"]
"""
    from tests.kit import commit_policy

    commit_policy(fast_repo, FAST + config)
    start_agent(fast_repo, "--agent", "sleepy")
    shadow = Path(status(fast_repo)["shadow"])
    wait_for(lambda: (shadow / "runs.txt").exists())
    stopped = run_cli(fast_repo, "stop", "f")
    assert stopped.code == 0, stopped
    assert agent_of(fast_repo)["state"] == "stopped"
    resumed = run_cli(fast_repo, "resume", "f")
    assert resumed.code == 0, resumed
    assert "its agent is queued to run again" in resumed.out
    wait_for(lambda: (shadow / "runs.txt").read_text() == "first\nagain\n")
    assert agent_of(fast_repo)["attempts"] == 2
    assert "[git-agent: the agent runs again, " in run_cli(fast_repo, "logs", "f").out


def test_an_agent_lost_with_its_supervisor_is_ended_and_run_again(
    fast_repo: Path, tmp_path: Path
) -> None:
    agent = script(
        tmp_path,
        """
        import os, time
        open("pids.txt", "a").write(str(os.getpid()) + "\\n")
        time.sleep(600)
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    shadow = Path(status(fast_repo)["shadow"])
    wait_for(lambda: (shadow / "pids.txt").exists() and (shadow / "pids.txt").read_text().strip())
    first = int((shadow / "pids.txt").read_text().split()[0])
    kill_supervisor(fast_repo)
    assert agent_of(fast_repo)["state"] == "lost"
    resumed = run_cli(fast_repo, "resume", "f")
    assert resumed.code == 0, resumed
    wait_for(lambda: len((shadow / "pids.txt").read_text().split()) == 2)
    assert not psutil.pid_exists(first) or psutil.Process(first).status() == psutil.STATUS_ZOMBIE


def test_output_beyond_the_cap_keeps_head_and_tail(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import sys
        sys.stdout.write("HEAD\\n" + "x" * (5 << 20) + "\\nTAIL\\n")
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    ended(fast_repo)
    logs = run_cli(fast_repo, "logs", "f", "--stream", "stdout")
    assert logs.out.startswith("HEAD\n") and logs.out.endswith("TAIL\n")
    assert "bytes of output cut here]" in logs.out
    assert len(logs.out) < (4 << 20) + 1000


def test_an_agent_hears_of_its_violations_and_of_a_person(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import os, time
        os.symlink("/etc/passwd", "pw")
        time.sleep(600)
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    told = run_cli(fast_repo, "tell", "f", "please", "stop", "that")
    assert told.code == 0, told
    notices = Path(status(fast_repo)["shadow"]).parent / "agent" / "notices.jsonl"
    lines = wait_for(
        lambda: (
            notices.exists() and len(notices.read_text().splitlines()) >= 3 and notices.read_text()
        )
    )
    found = [json.loads(line) for line in lines.splitlines()]
    assert {"from": "person", "text": "please stop that"} in [
        {k: f[k] for k in ("from", "text")} for f in found
    ]
    assert any(f["from"] == "watcher" and "symlink" in f["text"] for f in found)
    shadow = Path(status(fast_repo)["shadow"])
    copy = shadow / ".git-agent-notices"  # the copy a command agent reads
    text = wait_for(
        lambda: copy.exists() and copy.read_text().count("\n") >= 3 and copy.read_text()
    )
    assert "person: please stop that" in text and "watcher:" in text
    run_cli(fast_repo, "stop", "f")
    listing = cli(fast_repo, "checkpoints", "f", "--json").json()
    files = git(fast_repo, "ls-tree", "-r", "--name-only", listing[-1]["commit"]).split()
    assert ".git-agent-notices" not in files


def test_a_notices_copy_the_agent_replaced_by_a_link_is_not_written_through(
    tmp_path: Path,
) -> None:
    from supervisor.agents import notices

    shadow, target = tmp_path / "shadow", tmp_path / "target"
    shadow.mkdir()
    target.write_text("mine\n")
    (shadow / ".git-agent-notices").symlink_to(target)
    notices.post(tmp_path / "agent", "person", "hello", shadow)
    assert target.read_text() == "mine\n"
    os.mkfifo(shadow / "fifo")
    os.unlink(shadow / ".git-agent-notices")
    os.rename(shadow / "fifo", shadow / ".git-agent-notices")
    notices.post(tmp_path / "agent", "person", "again", shadow)  # no reader: must not block
    assert len((tmp_path / "agent" / "notices.jsonl").read_text().splitlines()) == 2


def test_a_missing_command_fails_the_agent_with_a_clear_note(fast_repo: Path) -> None:
    start_agent(fast_repo, "--", "no-such-agent-command")
    done = ended(fast_repo)
    assert done["state"] == "failed"
    assert "no-such-agent-command" in done["note"]


def test_an_unknown_agent_name_is_a_usage_error(repo: Path) -> None:
    result = run_cli(repo, "start", "f", "--agent", "nope")
    assert result.code == 2
    assert "unknown agent 'nope'" in result.err


@pytest.mark.skipif(not sandbox.abi(), reason="the kernel offers no Landlock here")
def test_the_kernel_refuses_a_command_agent_a_write_outside_its_shadow(
    fast_repo: Path, tmp_path: Path, outbox: Path
) -> None:
    agent = script(
        tmp_path,
        f"""
        import errno, os
        said = []
        for target in ({str(fast_repo / "escape.txt")!r}, {str(tmp_path / "escape.txt")!r},
                       {str(fast_repo / ".git" / "escape")!r}, os.path.expanduser("~/escape")):
            try:
                open(target, "w").write("out\\n")
                said.append("wrote " + target)
            except OSError as exc:
                said.append(errno.errorcode[exc.errno])
        open({str(outbox / "allowed.txt")!r}, "w").write("in\\n")
        open("inside.txt", "w").write("\\n".join(said) + "\\n")
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    done = ended(fast_repo)
    assert done["state"] == "done", done
    assert done["sandbox"].startswith("landlock"), done
    shadow = Path(status(fast_repo)["shadow"])
    assert (shadow / "inside.txt").read_text().split() == ["EACCES"] * 4
    assert (outbox / "allowed.txt").exists()
    assert not (fast_repo / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()
    shown = run_cli(fast_repo, "status", "f")
    assert "sandbox: landlock" in shown.out, shown.out


def test_the_agent_gets_its_feature_s_ports(fast_repo: Path, tmp_path: Path) -> None:
    agent = script(
        tmp_path,
        """
        import os
        open("ports.txt", "w").write(os.environ["GIT_AGENT_PORT"] + " " + os.environ["GIT_AGENT_PORTS"])
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent)
    assert ended(fast_repo)["state"] == "done"
    info = status(fast_repo)
    first, count = (Path(info["shadow"]) / "ports.txt").read_text().split()
    assert (int(first), int(count)) == (info["ports"]["first"], info["ports"]["count"])


def test_claude_gets_its_hooks_in_the_shadow_and_they_stay_out_of_checkpoints(
    fast_repo: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "bin" / "claude"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nopen('work.txt', 'w').write('done\\n')\n")
    fake.chmod(0o755)
    start_agent(fast_repo, "--prompt", "go", "--", str(fake), "-p", "{prompt}")
    assert ended(fast_repo)["state"] == "done"
    shadow = Path(status(fast_repo)["shadow"])
    settings = json.loads((shadow / ".claude" / "settings.local.json").read_text())
    assert "claude-hook" in json.dumps(settings["hooks"]["PreToolUse"])
    listing = cli(fast_repo, "checkpoints", "f", "--json").json()
    files = git(fast_repo, "ls-tree", "-r", "--name-only", listing[-1]["commit"]).split()
    assert "work.txt" in files and not any(f.startswith(".claude") for f in files)


def stalling_agent(tmp_path: Path, outbox: Path) -> str:
    """Says something, then nothing for a while, then something again (each run counted)."""
    return script(
        tmp_path,
        f"""
        import time
        with open({str(outbox / "runs")!r}, "a") as runs:
            runs.write("run\\n")
        print("working", flush=True)
        time.sleep(2.5)
        print("back", flush=True)
        time.sleep(600)
    """,
    )


@pytest.mark.parametrize("then", ["stop", "restart", "wait"])
def test_a_silent_agent_is_flagged_stalled_and_handled_as_configured(
    fast_repo: Path, tmp_path: Path, outbox: Path, then: str
) -> None:
    from tests.kit import commit_policy

    agent = stalling_agent(tmp_path, outbox)
    config = f"""
[agents.quiet]
command = ["{sys.executable}", "{agent}"]
stall = "1s"
on_stall = "{then}"
"""
    commit_policy(fast_repo, FAST + writable(outbox) + config)
    start_agent(fast_repo, "--agent", "quiet")
    stall = wait_for(lambda: of_type(fast_repo, "agent-stall"), timeout=20)[0]
    assert stall["data"]["then"] == then and stall["data"]["quiet"] >= 1
    if then == "stop":
        assert ended(fast_repo)["state"] == "stopped"
    elif then == "restart":
        wait_for(lambda: (outbox / "runs").read_text().count("run") == 2, timeout=20)
    else:
        assert agent_of(fast_repo)["stalled"] is not None
        assert "stalled" in run_cli(fast_repo, "status", "f").out
        wait_for(lambda: agent_of(fast_repo)["stalled"] is None, timeout=20)  # it spoke again
        assert agent_of(fast_repo)["state"] == "running"
    run_cli(fast_repo, "stop", "f")


def test_restarts_on_stall_stop_after_three(fast_repo: Path, tmp_path: Path, outbox: Path) -> None:
    from tests.kit import commit_policy

    agent = script(
        tmp_path,
        f"""
        import time
        with open({str(outbox / "runs")!r}, "a") as runs:
            runs.write("run\\n")
        time.sleep(600)
    """,
    )
    config = f"""
[agents.mute]
command = ["{sys.executable}", "{agent}"]
stall = "1s"
on_stall = "restart"
"""
    commit_policy(fast_repo, FAST + writable(outbox) + config)
    start_agent(fast_repo, "--agent", "mute")
    done = wait_for(lambda: (a := agent_of(fast_repo))["state"] == "stopped" and a, timeout=60)
    assert "restarted 3 times" in done["note"], done
    assert (outbox / "runs").read_text().count("run") == 4
    assert (Path(status(fast_repo)["shadow"]) / ".git" / "info" / "exclude").read_text().count(
        ".git-agent-notices"
    ) == 1


def test_each_agent_gets_the_environment_of_the_start_that_queued_it(
    fast_repo: Path, tmp_path: Path
) -> None:
    agent = script(
        tmp_path,
        """
        import os, time
        open("said.txt", "w").write(os.environ.get("WORD", "-"))
        time.sleep(600)
    """,
    )
    start_agent(fast_repo, "--", sys.executable, agent, name="a", env={"WORD": "one"})
    start_agent(fast_repo, "--", sys.executable, agent, name="b", env={"WORD": "two"})
    for name, word in (("a", "one"), ("b", "two")):
        said = Path(status(fast_repo, name)["shadow"]) / "said.txt"
        assert wait_for(lambda s=said: s.exists() and s.read_text()) == word  # type: ignore[misc]
    run_cli(fast_repo, "stop", "a")
    run_cli(fast_repo, "stop", "b")
