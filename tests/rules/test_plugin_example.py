"""The example plugin of docs/how-to/write-a-plugin.md, installed with pip and run for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kit import cli, commit_all, git

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "git-agent-todo"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "TMPDIR": str(build)},
    )
    return target


def validate(repo: Path, site: Path, feature: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env = {k: v for k, v in env.items() if not k.startswith("GIT_")}
    proc = subprocess.run(
        ["git", "agent", "validate", feature, "--json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return __import__("json").loads(proc.stdout)  # type: ignore[no-any-return]


def test_installed_example_plugin_reports_its_rules(repo: Path, site: Path) -> None:
    (repo / ".git-agent").mkdir()
    (repo / ".git-agent" / "policy.toml").write_text(
        '[rules]\n"todo.too-many" = "error"\n[plugins.todo]\nword = "TODO"\nmax_todos = 1\n'
    )
    commit_all(repo, "policy")
    assert cli(repo, "start", "todo").code == 0
    shadow = Path(cli(repo, "status", "todo", "--json").json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "app.py").write_text("print('hello')\n# TODO one\n# TODO two\n")
    report = validate(repo, site, "todo")
    found = {(v["rule"], v["severity"], v["line"]) for v in report["violations"]}  # type: ignore[index, union-attr]
    assert ("todo.added", "warning", 2) in found
    assert ("todo.added", "warning", 3) in found
    assert ("todo.too-many", "error", None) in found
    assert report["ok"] is False
    (shadow / "src" / "app.py").write_text("print('hello')\n# TODO only one\n")
    assert validate(repo, site, "todo")["ok"] is True


def test_example_plugin_can_be_disabled(repo: Path, site: Path) -> None:
    assert cli(repo, "start", "quiet").code == 0
    shadow = Path(cli(repo, "status", "quiet", "--json").json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "app.py").write_text("# TODO\n")
    env = {**os.environ, "PYTHONPATH": str(site), "GIT_AGENT_DISABLE_PLUGINS": "todo"}
    proc = subprocess.run(
        ["git-agent", "validate", "quiet", "--json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "todo.added" not in proc.stdout
    git(repo, "status")
