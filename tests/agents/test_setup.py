"""Workspace set-up at `start`: ignored files an agent needs copied in (`.worktreeinclude` and
`[setup] include`), never a tracked one, never from outside, never through a link, never in a
checkpoint; setup commands and their output; a block of free ports per feature."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from supervisor.agents import setup
from supervisor.agents.setup import free_block, literal, port_free
from supervisor.errors import FatalError
from supervisor.store.ports import Block
from tests.kit import (
    Content,
    Link,
    checkpoint,
    cli,
    commit_all,
    commit_policy,
    git,
    make_repo,
    status,
    write_files,
)

IGNORE = ".env\n.env.*\nlocal/\n*.secret\n"


def start_json(repo: Path, name: str = "f", *extra: str) -> dict[str, Any]:
    result = cli(repo, "start", name, "--json", *extra)
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def ignoring(tmp_path: Path, files: dict[str, str | Link] | None = None) -> Path:
    """A repository ignoring .env, .env.*, local/ and *.secret, with its ignored files."""
    repo = make_repo(tmp_path / "repo", {"README.md": "demo\n", ".gitignore": IGNORE})
    write_files(repo, files or {})
    return repo


def tree_paths(repo: Path, commit: str) -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", commit).splitlines()


def test_worktreeinclude_copies_ignored_files_into_shadow_and_worktree(tmp_path: Path) -> None:
    repo = ignoring(
        tmp_path,
        {".env": "KEY=1\n", "local/conf.json": "{}\n", "other.secret": "s\n"},
    )
    (repo / ".worktreeinclude").write_text("# what an agent needs\n.env\nlocal/\n")
    info = start_json(repo)
    shadow, worktree = Path(info["shadow"]), Path(info["worktree"])
    for where in (shadow, worktree):
        assert (where / ".env").read_text() == "KEY=1\n"
        assert (where / "local" / "conf.json").read_text() == "{}\n"
        assert not (where / "other.secret").exists()  # ignored, but asked for by no pattern


def test_policy_include_adds_patterns_and_keeps_the_mode(tmp_path: Path) -> None:
    repo = ignoring(tmp_path, {"db.secret": "pw\n"})
    os.chmod(repo / "db.secret", 0o600)
    commit_policy(repo, '[setup]\ninclude = ["*.secret"]\n')
    shadow = Path(start_json(repo)["shadow"])
    assert (shadow / "db.secret").read_text() == "pw\n"
    assert (shadow / "db.secret").stat().st_mode & 0o777 == 0o600


def test_copies_are_in_no_checkpoint_no_validation_and_no_promotion(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "demo\n", ".gitignore": "local/\n"})
    # the checkout ignores .env only through its own info/exclude, which the shadow's copy of
    # the repository does not have: git-agent excludes the copy itself
    (repo / ".git" / "info" / "exclude").write_text(".env\n")
    write_files(repo, {".env": "AWS_SECRET_ACCESS_KEY=abc\n"})
    (repo / ".worktreeinclude").write_text(".env\n")
    shadow = Path(start_json(repo)["shadow"])
    assert (shadow / ".env").is_file()
    (shadow / "new.txt").write_text("work\n")
    made = checkpoint(repo)
    assert tree_paths(repo, made["commit"]) == [".gitignore", "README.md", "new.txt"]
    report = cli(repo, "validate", "f", "--json").json()
    assert [c["path"] for c in report["changes"]] == ["new.txt"]
    assert cli(repo, "promote", "f").code == 0
    assert ".env" not in tree_paths(repo, "agent/f")
    assert git(shadow, "status", "--porcelain", "--untracked-files=all") == "?? new.txt"


def test_tracked_and_merely_untracked_files_are_never_copied(tmp_path: Path) -> None:
    repo = ignoring(tmp_path)
    write_files(repo, {"config.json": "committed\n"})
    commit_all(repo, "config")
    write_files(repo, {"config.json": "changed in the checkout\n", "notes.txt": "untracked\n"})
    (repo / ".worktreeinclude").write_text("config.json\nnotes.txt\n")
    shadow = Path(start_json(repo)["shadow"])
    assert (shadow / "config.json").read_text() == "committed\n"
    assert not (shadow / "notes.txt").exists()


def test_nothing_comes_from_outside_the_checkout(tmp_path: Path) -> None:
    outside = tmp_path / "outside.env"
    outside.write_text("SECRET=1\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.secret").write_text("s\n")
    repo = ignoring(
        tmp_path, {".env": Link(str(outside)), "local": Link(str(tmp_path / "elsewhere"))}
    )
    (repo / ".worktreeinclude").write_text(".env\nlocal/\n../outside.env\n/etc/passwd\n*.secret\n")
    shadow = Path(start_json(repo)["shadow"])
    assert not os.path.lexists(shadow / ".env")
    assert not os.path.lexists(shadow / "local")
    assert sorted(p.name for p in shadow.iterdir()) == [".git", ".gitignore", "README.md"]


def test_a_worktreeinclude_that_is_a_link_is_not_read(tmp_path: Path) -> None:
    repo = ignoring(tmp_path, {".env": "KEY=1\n"})
    (tmp_path / "patterns").write_text(".env\n")
    (repo / ".worktreeinclude").symlink_to(tmp_path / "patterns")
    assert not (Path(start_json(repo)["shadow"]) / ".env").exists()


def test_a_copy_never_goes_through_a_link_of_the_shadow(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    files: dict[str, Content] = {"README.md": "x\n", "conf": Link(str(target))}
    repo = make_repo(tmp_path / "repo", files)
    old = git(repo, "rev-parse", "HEAD")
    git(repo, "rm", "-q", "conf")
    write_files(repo, {".gitignore": "conf/local.env\n", "conf/keep.txt": "k\n"})
    commit_all(repo, "conf is a folder now")
    write_files(repo, {"conf/local.env": "KEY=1\n"})
    (repo / ".worktreeinclude").write_text("conf/local.env\n")
    shadow = Path(start_json(repo, "f", "--base", old)["shadow"])
    assert (shadow / "conf").is_symlink()  # the base's link, as it was committed
    assert list(target.iterdir()) == []  # nothing was written through it


def test_nothing_to_copy_without_patterns(tmp_path: Path) -> None:
    repo = ignoring(tmp_path, {".env": "KEY=1\n"})
    assert not (Path(start_json(repo)["shadow"]) / ".env").exists()


def test_literal_rules_match_only_their_path() -> None:
    assert literal("a b/*x?[1]!#.env ") == "/a b/\\*x\\?\\[1\\]\\!\\#.env\\ "


# --- setup commands ---------------------------------------------------------------------------


def test_setup_commands_run_in_the_shadow_with_the_ports(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "x\n", ".gitignore": "out.txt\n"})
    commit_policy(
        repo,
        "[setup]\nports = 3\ncommands = [\n"
        "  \"sh -c 'echo port=$GIT_AGENT_PORT count=$GIT_AGENT_PORTS > out.txt'\",\n"
        '  ["sh", "-c", "echo said on stdout; echo said on stderr >&2"],\n'
        "]\n",
    )
    info = start_json(repo)
    first = info["ports"]["first"]
    assert info["ports"] == {"first": first, "count": 3}
    assert (Path(info["shadow"]) / "out.txt").read_text() == f"port={first} count=3\n"
    log = (repo / ".git" / "agent" / "features" / "f" / "agent" / "setup.log").read_text()
    assert "said on stdout\nsaid on stderr\n" in log
    assert log.startswith("$ sh -c 'echo port=")


def test_a_failing_setup_command_fails_the_start_and_keeps_its_output(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_policy(
        repo, '[setup]\ncommands = ["true", ["sh", "-c", "echo cannot install >&2; exit 3"]]\n'
    )
    result = cli(repo, "start", "f")
    assert result.code == 1, result
    said = result.err.splitlines()  # what runs, then the error: one line
    assert said[:2] == ["setup: true", "setup: sh -c 'echo cannot install >&2; exit 3'"]
    assert said[2].startswith("git-agent: start: setup command 2 of 2 (sh -c ")
    assert "failed with exit 3: cannot install" in said[2]
    log = repo / ".git" / "agent" / "features" / "f" / "agent" / "setup.log"
    assert said[2].endswith(f"the feature was not started (output: {log})")
    assert "cannot install" in log.read_text()
    assert cli(repo, "status", "f").code == 2  # not started: nothing half-made stays
    assert git(repo, "branch", "--list", "agent/f") == ""
    assert git(repo, "worktree", "list").count("\n") == 0
    commit_policy(repo, '[setup]\ncommands = ["true"]\n')
    assert cli(repo, "start", "f").code == 0  # the same start, once the command is fixed


def test_a_setup_command_that_cannot_run_is_said(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_policy(repo, '[setup]\ncommands = ["no-such-command-anywhere --x"]\n')
    result = cli(repo, "start", "f")
    assert result.code == 1
    assert "could not run" in result.err


# --- ports ------------------------------------------------------------------------------------


def test_each_feature_gets_ports_of_its_own_that_are_free(repo: Path) -> None:
    blocks = [start_json(repo, name)["ports"] for name in ("a", "b", "c")]
    ranges = [set(range(b["first"], b["first"] + b["count"])) for b in blocks]
    assert all(b["count"] == 10 for b in blocks)
    assert not (ranges[0] & ranges[1] or ranges[0] & ranges[2] or ranges[1] & ranges[2])
    for port in set().union(*ranges):
        assert port_free(port)
    assert status(repo, "b")["ports"] == blocks[1]
    shown = cli(repo, "status", "b").out
    first = blocks[1]["first"]
    assert f"ports        {first}-{first + 9}" in shown


def test_a_busy_port_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_free(port)
        # two blocks of two to choose from: the one holding the busy port is passed over
        monkeypatch.setattr(setup, "PORTS_LOW", port)
        monkeypatch.setattr(setup, "_below_ephemeral", lambda: port + 3)
        for seed in ("one", "two", "three"):
            assert free_block(2, [], seed) == Block(port + 2, 2)
        with pytest.raises(FatalError, match="no block of 2 free TCP ports"):
            free_block(2, [Block(port + 2, 2)], "one")


def test_ports_of_a_removed_feature_are_given_back(repo: Path) -> None:
    commit_policy(repo, "[setup]\nports = 5\n")
    start_json(repo, "a")
    assert cli(repo, "remove", "a", "--force").code == 0
    start_json(repo, "b")
    table = json.loads((repo / ".git" / "agent" / "ports.json").read_text())
    assert list(table["features"]) == ["b"]


def test_no_ports_when_the_policy_asks_for_none(repo: Path) -> None:
    commit_policy(repo, "[setup]\nports = 0\n")
    assert start_json(repo)["ports"] is None


@pytest.mark.parametrize("count", [1, 7])
def test_free_block_walks_past_taken_blocks(count: int) -> None:
    first = free_block(count, [], "same seed")
    second = free_block(count, [first], "same seed")
    assert not first.overlaps(second)
