"""Judging a write before it happens: what it would bring, and nothing the shadow has already."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.errors import UsageError
from supervisor.lifecycle.prospective import check_write, shadow_path
from tests.kit import feature, start

PLAN = '[scope]\nallow = ["src/**"]\n'


def test_a_write_in_scope_brings_nothing(repo: Path) -> None:
    start(repo, plan=PLAN)
    with feature(repo) as found:
        assert check_write(found, b"src/new.py", b"x = 1\n") == []


def test_a_write_out_of_scope_brings_its_violation(repo: Path) -> None:
    start(repo, plan=PLAN)
    with feature(repo) as found:
        brought = check_write(found, b"docs/new.md", b"# new\n")
    assert [(v.rule, v.path) for v in brought] == [("scope.outside", "docs/new.md")]


def test_what_the_shadow_has_already_is_not_blamed_on_the_write(repo: Path) -> None:
    started = start(repo, plan=PLAN)
    (started.shadow / "README.md").write_text("changed, out of scope\n")
    with feature(repo) as found:
        assert check_write(found, b"src/ok.py", b"ok\n") == []


def test_a_secret_is_found_before_it_is_written(repo: Path) -> None:
    start(repo)
    token = "ghp_4fRq8ZkL2mN7pX1vB9cW3sD6yH0tJ5aE8uQi"
    with feature(repo) as found:
        brought = check_write(found, b"src/conf.py", f'T = "{token}"\n'.encode())
    assert [v.rule for v in brought] == ["secrets.github-token"]
    assert token not in brought[0].message


def test_a_removal_is_judged_too(repo: Path) -> None:
    start(repo, policy="[limits]\nallow_delete = false\n")
    with feature(repo) as found:
        brought = check_write(found, b"README.md", None)
    assert [v.rule for v in brought] == ["delete.file"]


@pytest.mark.parametrize(
    "path", ["../outside.txt", "/etc/passwd", "src/../../x", ".git/config", "a/.GIT/hooks/x"]
)
def test_paths_leading_out_of_the_shadow_are_refused(repo: Path, path: str) -> None:
    start(repo)
    with feature(repo) as found, pytest.raises(UsageError):
        shadow_path(found, path)


def test_a_symlinked_folder_leading_out_is_refused(repo: Path, tmp_path: Path) -> None:
    started = start(repo)
    (started.shadow / "out").symlink_to(tmp_path)
    with feature(repo) as found, pytest.raises(UsageError, match="outside the shadow"):
        shadow_path(found, "out/file.txt")
