"""No input crashes a command, and none costs without bound (issue 7, cases 9 to 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cli, commit_all, git
from tests.hostile.kit import agent, no_traceback, policy, start


def nest(root: Path, depth: int, name: str = "d") -> Path:
    path = root
    for _ in range(depth):
        path = path / name
    path.mkdir(parents=True)
    return path


def test_a_directory_nested_500_deep_never_recurses(repo: Path) -> None:
    shadow, _ = start(repo)
    (nest(shadow, 500) / "x.txt").write_text("x\n")
    for args in (
        ["checkpoint", "f"],
        ["validate", "f"],
        ["diff", "f", "--stat"],
        ["promote", "f"],
        ["revert", "f", "--to", "0"],
    ):
        done = cli(repo, *args)
        assert done.code in (0, 1), (args, done)
    (nest(shadow, 500, "e") / "y.txt").write_text("y\n")
    removed = cli(repo, "remove", "f", "--force")
    assert removed.code == 0, removed


def test_a_policy_nested_500_deep_is_a_config_error(repo: Path) -> None:
    policy(repo, "version = 1\nx = " + "[" * 500 + "]" * 500 + "\n")
    done = cli(repo, "start", "f")
    assert done.code == 2 and ".git-agent/policy.toml" in done.err, done
    no_traceback(done)


@pytest.mark.parametrize(("branch", "name"), [("agent", "x"), ("agent/y/z", "y")])
def test_a_ref_in_the_way_of_the_feature_branch_is_named(
    repo: Path, branch: str, name: str
) -> None:
    git(repo, "branch", branch)
    done = cli(repo, "start", name)
    assert done.code == 2 and f"refs/heads/{branch}" in done.err, done
    no_traceback(done)
    assert cli(repo, "status", name).code == 2  # nothing half made


def test_ctrl_c_while_importing_ends_with_one_line_and_130(tmp_path: Path) -> None:
    """From the first line of our code on; what Python does before it runs is Python's."""
    program = (
        "import sys; sys.argv = ['git-agent', 'list']; import supervisor; raise KeyboardInterrupt"
    )
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert proc.returncode in (130, -signal.SIGINT)
    assert proc.stderr == "git-agent: interrupted\n"


def test_ctrl_c_during_a_command_ends_with_one_line_and_130(repo: Path) -> None:
    for i in range(300):
        (repo / f"f{i}.txt").write_text("x\n" * 50)
    commit_all(repo, "files")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    assert not (repo / ".git" / "agent").exists()
    proc = subprocess.Popen(
        ["git-agent", "start", "f"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30  # Python's own startup, before its SIGINT handler, is not ours
    while not (repo / ".git" / "agent").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate()
    assert "Traceback" not in err
    assert proc.returncode in (0, 130), err


@pytest.mark.parametrize(
    ("plan", "said"),
    [
        ('[[checks]]\nname = "x"\nrun = ""\n', "run must name a command"),
        ('[[checks]]\nname = "x"\nrun = []\n', "run must name a command"),
        ('[[checks]]\nname = "x"\nrun = "echo \'open"\n', "cannot be split"),
        ('[[checks]]\nname = "x"\nrun = "true"\ntimeout = inf\n', "finite"),
        ('[[checks]]\nname = "x"\nrun = "true"\ntimeout = 1e300\n', "less than or equal"),
        ("[plugins.symlink]\nallow = 3\n", "must be a list of globs"),
        ('[plugins.size]\nallow = ["[x"]\n', "unclosed '['"),
    ],
)
def test_everything_in_a_plan_is_checked_when_it_is_read(repo: Path, plan: str, said: str) -> None:
    (repo.parent / "plan.toml").write_text(plan)
    done = cli(repo, "start", "f", "--plan", str(repo.parent / "plan.toml"))
    assert done.code == 2 and said in done.err, done
    assert f"{repo.parent / 'plan.toml'}:" in done.err  # FILE:LINE
    no_traceback(done)


def test_a_policy_plugin_table_is_checked_when_it_is_read(repo: Path) -> None:
    policy(repo, "version = 1\n[plugins.symlink]\nallow = 3\n")
    done = cli(repo, "start", "f")
    assert done.code == 2 and ".git-agent/policy.toml:3:" in done.err, done


def test_a_huge_glob_and_a_huge_policy_are_refused_at_once(repo: Path) -> None:
    policy(repo, 'version = 1\n[scope]\ndeny = ["' + "a*" * 640_000 + '"]\n')
    began = time.monotonic()
    done = cli(repo, "start", "f")
    assert done.code == 2 and "at most" in done.err, done
    assert time.monotonic() - began < 20  # not 79 s: refused before any pattern is compiled
    policy(repo, 'version = 1\n[scope]\ndeny = ["' + "a*" * 3000 + '"]\n')
    done = cli(repo, "start", "f")
    assert done.code == 2 and "characters" in done.err, done


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "dir"])
def test_a_plan_that_is_not_a_regular_file_is_refused(
    repo: Path, tmp_path: Path, source: str
) -> None:
    if source == "fifo":
        plan = tmp_path / "plan.fifo"
        os.mkfifo(plan)
    elif source == "dir":
        plan = tmp_path / "plandir"
        plan.mkdir()
    else:
        plan = Path(source)
    done = cli(repo, "start", "f", "--plan", str(plan))
    assert done.code == 2 and "regular file" in done.err, done
    no_traceback(done)


def test_a_huge_file_is_judged_by_its_size_not_read_line_by_line(repo: Path) -> None:
    shadow, _ = start(repo)
    with (shadow / "big.txt").open("w") as out:
        line = "x" * 99 + "\n"
        for _ in range(300_000):  # 30 MB: above the line-diff ceiling
            out.write(line)
    with (shadow / "sparse.bin").open("wb") as out:
        out.truncate(3 << 30)  # 3 GiB of holes: above the storage ceiling
    done = cli(repo, "validate", "f", "--json")
    assert done.code == 1, done
    found = {(v["rule"], v["path"]) for v in done.json()["violations"]}  # type: ignore[index]
    assert ("size.file", "big.txt") in found and ("size.file", "sparse.bin") in found
    done = cli(repo, "checkpoint", "f")
    assert done.code == 0
    assert "sparse.bin" not in git(repo, "ls-tree", "-r", "--name-only", "refs/agent/f/checkpoints")
    (shadow / "sparse.bin").unlink()
    assert agent(shadow, "status", "f").code == 0
