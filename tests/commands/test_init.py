"""`git agent init`: writes `.git-agent/policy.toml` from a preset, never over an existing one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from supervisor.config.load import load_policy
from supervisor.config.presets import preset_text, presets
from tests.kit import cli, git, run_cli

POLICY = Path(".git-agent/policy.toml")


def preset_file(name: str) -> bytes:
    return resources.files("git_agent_policies").joinpath(f"{name}.toml").read_bytes()


def test_both_presets_exist_and_load_cleanly() -> None:
    assert {"default", "strict"} <= set(presets())
    for name in ("default", "strict"):
        policy = load_policy(preset_text(name), f"preset {name}")
        assert ".git-agent/**" in policy.deny


def test_strict_is_stricter_than_default() -> None:
    default = load_policy(preset_text("default"))
    strict = load_policy(preset_text("strict"))
    assert strict.limits.allow_binary is False and strict.limits.allow_executable is False
    for name in ("max_file_bytes", "max_files_changed", "max_lines_added", "max_lines_deleted"):
        assert getattr(strict.limits, name) <= getattr(default.limits, name), name
    assert set(default.deny) <= set(strict.deny)


@pytest.mark.parametrize("preset", ["default", "strict"])
def test_init_writes_the_preset(repo: Path, preset: str) -> None:
    result = run_cli(repo, "init", "--preset", preset)
    assert result.code == 0, result
    assert (repo / POLICY).read_bytes() == preset_file(preset)
    assert ".git-agent/policy.toml" in result.out
    # nothing is committed or staged for the user
    assert git(repo, "status", "--porcelain") == "?? .git-agent/"
    load_policy((repo / POLICY).read_bytes())


def test_init_defaults_to_the_default_preset(repo: Path) -> None:
    assert cli(repo, "init").code == 0
    assert (repo / POLICY).read_bytes() == preset_file("default")


def test_init_from_a_subdirectory_writes_at_the_top(repo: Path) -> None:
    assert cli(repo / "src", "init", "--preset", "strict").code == 0
    assert (repo / POLICY).read_bytes() == preset_file("strict")
    assert not (repo / "src" / ".git-agent").exists()


@pytest.mark.parametrize("preset", ["nope", "", "Default", "default.toml"])
def test_unknown_preset_exits_2(repo: Path, preset: str) -> None:
    result = cli(repo, "init", "--preset", preset)
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "unknown preset" in result.err, result
    assert "default" in result.err and "strict" in result.err  # the choices are named
    assert not (repo / ".git-agent").exists()


def test_a_preset_is_never_a_path(repo: Path, tmp_path: Path) -> None:
    folder = Path(str(resources.files("git_agent_policies"))).name
    evil = tmp_path / "evil.toml"
    evil.write_text("version = 1\n")
    for preset in (f"../{folder}/default", str(evil.with_suffix(""))):
        result = cli(repo, "init", "--preset", preset)
        assert result.code == 2, (preset, result)
        assert "unknown preset" in result.err
    assert not (repo / ".git-agent").exists()


def test_an_existing_policy_is_refused_without_force(repo: Path) -> None:
    (repo / ".git-agent").mkdir()
    (repo / POLICY).write_text("version = 1\n# mine\n")
    result = run_cli(repo, "init", "--preset", "strict")
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "already exists" in result.err, result
    assert "--force" in result.err
    assert "Traceback" not in result.err
    assert (repo / POLICY).read_text() == "version = 1\n# mine\n"


def test_force_overwrites(repo: Path) -> None:
    (repo / ".git-agent").mkdir()
    (repo / POLICY).write_text("version = 1\n# mine\n")
    assert cli(repo, "init", "--preset", "strict", "--force").code == 0
    assert (repo / POLICY).read_bytes() == preset_file("strict")


def test_init_outside_a_repository_exits_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "init")
    assert result.code == 2, result
    assert "not a git repository" in result.err
    assert not (tmp_path / ".git-agent").exists()


def test_a_committed_preset_is_the_policy_in_force(repo: Path) -> None:
    assert cli(repo, "init", "--preset", "strict").code == 0
    git(repo, "add", ".git-agent/policy.toml")
    git(repo, "commit", "-q", "-m", "policy")
    result = cli(repo, "start", "f", "--json")
    assert result.code == 0, result
    shadow = Path(result.json()["shadow"])  # type: ignore[index]
    (shadow / ".github").mkdir()
    (shadow / ".github" / "ci.yml").write_text("on: push\n")
    report = cli(repo, "validate", "f", "--json").json()
    assert isinstance(report, dict)
    found = {(v["rule"], v["path"]) for v in report["violations"]}
    assert ("scope.denied", ".github/ci.yml") in found  # strict denies CI edits
