"""Feature names and the repositories `start` refuses: one clear line, exit 2, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit import cli, git, run_cli

BAD_NAMES = [
    "../x",
    "-x",
    "a b",
    "a\nb",
    "a" * 65,
    "a.lock",
    "a..b",
    "café",
    "a/b",
    ".x",
    "_x",
    "x.",
    "",
    "a\tb",
    "a~b",
    "a:b",
    "a@{b",
]


def common_dir(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir"))


def one_line(text: str) -> str:
    assert "Traceback" not in text
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1, text
    return lines[0]


def assert_nothing_created(repo: Path) -> None:
    assert git(repo, "for-each-ref", "refs/heads/agent", "refs/agent") == ""
    assert git(repo, "branch", "--list") == "* main"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert cli(repo, "list", "--json").json() == []
    features = common_dir(repo) / "agent" / "features"
    assert not features.exists() or list(features.iterdir()) == []


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_feature_names_exit_2_and_create_nothing(repo: Path, name: str) -> None:
    result = cli(repo, "start", "--", name)
    assert result.code == 2, result
    assert result.out == ""
    line = one_line(result.err)
    assert line.startswith("git-agent: invalid feature name "), line
    assert_nothing_created(repo)


@pytest.mark.parametrize("name", ["../x", "-x", "a\nb", "a" * 65], ids=repr)
def test_bad_names_from_a_real_process(repo: Path, name: str) -> None:
    result = run_cli(repo, "start", "--", name)
    assert result.code == 2, result
    assert one_line(result.err).startswith("git-agent: invalid feature name "), result
    assert_nothing_created(repo)


def test_a_dash_name_without_separator_is_a_usage_error(repo: Path) -> None:
    result = cli(repo, "start", "-x")
    assert result.code == 2, result
    one_line(result.err)
    assert_nothing_created(repo)


def test_a_64_character_name_works(repo: Path) -> None:
    name = "A1._-" + "b" * 59
    assert len(name) == 64
    result = run_cli(repo, "start", name, "--json")
    assert result.code == 0, result
    assert git(repo, "rev-parse", f"refs/heads/agent/{name}") == git(repo, "rev-parse", "HEAD")
    assert [f["feature"] for f in cli(repo, "list", "--json").json()] == [name]  # type: ignore[union-attr]
    assert cli(repo, "status", name).code == 0


@pytest.mark.parametrize("command", ["status", "validate", "checkpoint", "diff", "promote"])
def test_bad_names_are_refused_by_every_command(repo: Path, command: str) -> None:
    result = cli(repo, command, "--", "../x")
    assert result.code == 2, result
    assert "invalid feature name" in one_line(result.err)


def test_an_existing_feature_exits_2(repo: Path) -> None:
    assert cli(repo, "start", "f").code == 0
    before = git(repo, "for-each-ref")
    result = run_cli(repo, "start", "f")
    assert result.code == 2, result
    assert "already exists" in one_line(result.err)
    assert git(repo, "for-each-ref") == before
    assert len(cli(repo, "list", "--json").json()) == 1  # type: ignore[arg-type]


def test_an_existing_branch_exits_2(repo: Path) -> None:
    git(repo, "branch", "agent/f")
    result = cli(repo, "start", "f")
    assert result.code == 2, result
    assert "agent/f already exists" in one_line(result.err)
    assert cli(repo, "list", "--json").json() == []


def test_an_unknown_base_exits_2(repo: Path) -> None:
    result = run_cli(repo, "start", "f", "--base", "nope")
    assert result.code == 2, result
    assert one_line(result.err) == "git-agent: unknown revision: nope"
    assert_nothing_created(repo)


def test_a_base_that_is_not_a_commit_exits_2(repo: Path) -> None:
    blob = git(repo, "rev-parse", "HEAD:README.md")
    result = cli(repo, "start", "f", "--base", blob)
    assert result.code == 2, result
    one_line(result.err)
    assert_nothing_created(repo)


def test_an_empty_repository_exits_2(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    result = run_cli(tmp_path, "start", "f")
    assert result.code == 2, result
    assert "no commits yet" in one_line(result.err)
    assert git(tmp_path, "for-each-ref") == ""
    # with an explicit base, the base is unknown
    result = cli(tmp_path, "start", "f", "--base", "main")
    assert result.code == 2, result
    one_line(result.err)
    assert git(tmp_path, "for-each-ref") == ""


def test_a_bare_repository_exits_2(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    result = run_cli(bare, "start", "f")
    assert result.code == 2, result
    assert "bare repository" in one_line(result.err)
    assert git(bare, "for-each-ref", "refs/heads/agent") == ""
    assert not (bare / "agent").exists()
    assert cli(bare, "list").code == 2


def test_not_a_repository_exits_2(tmp_path: Path) -> None:
    place = tmp_path / "plain"
    place.mkdir()
    for args in (["start", "f"], ["list"], ["status"], ["validate", "f"], ["init"]):
        result = (run_cli if args == ["start", "f"] else cli)(place, *args)
        assert result.code == 2, (args, result)
        assert "not a git repository" in one_line(result.err)
    assert list(place.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["status", "nope"],
        ["validate", "nope"],
        ["checkpoint", "nope"],
        ["checkpoints", "nope"],
        ["diff", "nope"],
        ["promote", "nope"],
        ["revert", "nope"],
        ["remove", "nope"],
        ["remove", "nope", "--force"],
    ],
)
def test_an_unknown_feature_exits_2(repo: Path, args: list[str]) -> None:
    assert cli(repo, "start", "f").code == 0  # another feature exists
    before = git(repo, "for-each-ref")
    result = cli(repo, *args)
    assert result.code == 2, result
    assert one_line(result.err) == "git-agent: unknown feature: nope"
    assert git(repo, "for-each-ref") == before


def test_an_unknown_feature_from_a_real_process(repo: Path) -> None:
    result = run_cli(repo, "validate", "nope", "--json")
    assert result.code == 2, result
    assert result.out == ""
    assert one_line(result.err) == "git-agent: unknown feature: nope"
