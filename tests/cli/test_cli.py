"""The command line as a person meets it: messages, running inside the shadow, observers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.kit import cli, run_cli


def shadow_of(repo: Path, name: str) -> Path:
    return Path(cli(repo, "status", name, "--json").json()["shadow"])  # type: ignore[index]


def test_argument_errors_have_one_prefix_and_exit_2(repo: Path) -> None:
    result = run_cli(repo, "frobnicate")
    assert result.code == 2
    assert result.err.count("git-agent:") == 1 and "Traceback" not in result.err
    result = run_cli(repo, "diff", "x", "--from", "one")
    assert result.code == 2 and result.err.startswith("git-agent: diff: argument --from")


def test_git_agent_inside_the_shadow_serves_the_repository(repo: Path) -> None:
    assert cli(repo, "start", "f").code == 0
    shadow = shadow_of(repo, "f")
    (shadow / "src" / "new.py").write_text("n = 1\n")
    made = run_cli(shadow / "src", "checkpoint", "f", "--json")
    assert made.code == 0, made
    assert made.json()["number"] == 1  # type: ignore[index]
    assert not (shadow / ".git" / "agent").exists()
    assert cli(repo, "checkpoints", "f", "--json").json()[-1]["message"] == "checkpoint 1"  # type: ignore[index]


def test_plural_words_in_reports(repo: Path) -> None:
    plan = repo.parent / "plan.toml"
    plan.write_text('[scope]\nallow = ["src/**"]\n')
    cli(repo, "start", "f", "--plan", str(plan))
    (shadow_of(repo, "f") / "docs" / "new.md").write_text("x\n")
    result = cli(repo, "validate", "f")
    assert result.code == 1
    assert result.out.splitlines()[-1] == "1 changed path, 1 error, 0 warnings"
    reverted = cli(repo, "revert", "f", "--violating")
    assert "1 path back to checkpoint 0" in reverted.out


def test_a_failing_observer_does_not_fail_a_completed_operation(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "noisy-0.1.dist-info").mkdir(parents=True)
    (site / "noisy.py").write_text(
        "from supervisor.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef git_agent_event(event):\n    raise RuntimeError('observer broke')\n"
    )
    (site / "noisy-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: noisy\nVersion: 0.1\n"
    )
    (site / "noisy-0.1.dist-info" / "entry_points.txt").write_text("[git_agent]\nnoisy = noisy\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(site)
    proc = subprocess.run(
        ["git-agent", "start", "f"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "observer broke" in proc.stderr and "Traceback" not in proc.stderr
    assert cli(repo, "status", "f").code == 0


def test_checkpoint_messages_carry_no_trailers(repo: Path) -> None:
    cli(repo, "start", "f")
    (shadow_of(repo, "f") / "README.md").write_text("changed\n")
    cli(repo, "checkpoint", "f", "-m", "my message")
    chain = cli(repo, "checkpoints", "f", "--json").json()
    assert [c["message"] for c in chain] == ["initial", "my message"]  # type: ignore[index]
