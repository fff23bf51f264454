"""The manual page is generated from the parser (and fails when stale); `git agent help`
prints the commands or one command's options. (`git agent --help` through git and man:
tests/test_install.py, against a real install.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from supervisor.cli import manual
from supervisor.cli.parser import COMMANDS
from tests.kit import cli, run_cli

PAGE = Path(__file__).resolve().parents[2] / "docs" / "man" / "git-agent.1"


def test_the_committed_page_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == manual.render(), (
        "docs/man/git-agent.1 is stale: run python3 -m supervisor.cli.manual"
    )
    assert manual.main(["--check"]) == 0


def test_check_mode_fails_on_a_stale_or_missing_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "git-agent.1"
    stale.write_text(PAGE.read_text().replace("Write .git-agent", "Wrote .git-agent"))
    assert manual.main(["--check", "--out", str(stale)]) == 1
    assert "python3 -m supervisor.cli.manual" in capsys.readouterr().err
    assert manual.main(["--check", "--out", str(tmp_path / "none.1")]) == 1
    assert manual.main(["--out", str(stale)]) == 0
    assert stale.read_bytes() == PAGE.read_bytes()


def test_the_page_names_every_command_and_option() -> None:
    text = PAGE.read_text()
    for name in COMMANDS:
        assert f'.SS "git agent {name.replace("-", chr(92) + "-")}' in text, name
    for option in ("\\-\\-plan FILE", "\\-\\-base REF", "\\-\\-from N", "\\-\\-older\\-than AGE"):
        assert option in text
    assert text.startswith('.TH GIT\\-AGENT 1 "" "git\\-agent ')
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"):
        assert f"\n.SH {section}\n" in text


def test_man_reads_the_page_without_a_warning() -> None:
    assert shutil.which("man"), "man is needed: apt-get install man-db (.ci/run does)"
    shown = subprocess.run(
        ["man", "--warnings", "-l", str(PAGE)],
        env={"MANPAGER": "cat", "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert "git agent start feature [--base REF] [--plan FILE] [--agent NAME]" in shown.stdout


def test_help_lists_the_commands(repo: Path) -> None:
    result = run_cli(repo, "help")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("usage: git-agent [-h] [--version] COMMAND ...")
    for name, (summary, _) in COMMANDS.items():
        assert name in result.out and summary.split()[0] in result.out
    assert "'git agent --help' opens the manual page" in result.out


def test_help_of_a_command_is_its_dash_h(tmp_path: Path) -> None:
    for name in COMMANDS:
        helped = cli(tmp_path, "help", name)  # no repository needed
        assert helped.code == 0, helped
        dashed = run_cli(tmp_path, name, "-h")
        assert dashed.code == 0 and helped.out == dashed.out, name
        assert helped.out.startswith(f"usage: git-agent {name} ")


def test_help_of_an_unknown_command_suggests_one(tmp_path: Path) -> None:
    result = cli(tmp_path, "help", "stauts")
    assert result.code == 2
    assert (
        result.err
        == "git-agent: help: 'stauts' is not a git-agent command (did you mean 'status'?)\n"
    )
