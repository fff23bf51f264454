"""Names that shadow git's own revisions are refused by `start` with one clear line; existing
features keep working whatever rule came later."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.store.names import check_feature, check_new_feature
from tests.kit import cli, git, run_cli
from tests.store.test_names import assert_nothing_created, one_line

GITS_OWN = ["HEAD", "head", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD",
            "REVERT_HEAD", "REBASE_HEAD", "BISECT_HEAD", "AUTO_MERGE"]  # fmt: skip
OBJECT_IDS = ["1234567", "deadbeef", "DEADBEEF00", "0" * 40, "a" * 64]
SYNTAX = {"x~1": "~", "x^": "^", "x^2": "^", "@": "@", "x@{1}": "@", "HEAD:x": ":", "{x}": "{"}


@pytest.mark.parametrize("name", GITS_OWN)
def test_gits_own_names_for_a_commit_are_refused(repo: Path, name: str) -> None:
    result = run_cli(repo, "start", name)
    assert result.code == 2, result
    assert one_line(result.err) == (
        f"git-agent: invalid feature name '{name}': git's own name for a commit; choose another"
    )
    assert_nothing_created(repo)


@pytest.mark.parametrize("name", OBJECT_IDS)
def test_names_git_would_read_as_object_ids_are_refused(repo: Path, name: str) -> None:
    result = cli(repo, "start", name)
    assert result.code == 2, result
    assert one_line(result.err) == (
        f"git-agent: invalid feature name '{name}': git would read it as an object id; "
        f"add a letter or word (e.g. 'f-{name}')"
    )
    assert_nothing_created(repo)


@pytest.mark.parametrize("name", list(SYNTAX))
def test_revision_syntax_is_named(repo: Path, name: str) -> None:
    result = cli(repo, "start", "--", name)
    assert result.code == 2, result
    assert one_line(result.err) == (
        f"git-agent: invalid feature name '{name}': '{SYNTAX[name]}' is git's revision syntax "
        "(use 1 to 64 of A-Z a-z 0-9 . _ -)"
    )
    assert_nothing_created(repo)


@pytest.mark.parametrize("name", ["HEADS", "head-fix", "123456", "cafe", "deadbeef-2", "x_HEAD2"])
def test_names_near_them_are_fine(repo: Path, name: str) -> None:
    assert check_new_feature(name) == name
    result = cli(repo, "start", name, "--json")
    assert result.code == 0, result
    assert git(repo, "rev-parse", f"agent/{name}") == git(repo, "rev-parse", "HEAD")


def test_the_rule_is_for_new_names_only() -> None:
    """A feature started before the rule (or by another version) is still reachable."""
    for name in ("HEAD", "deadbeef"):
        assert check_feature(name) == name
        with pytest.raises(Exception, match="invalid feature name"):
            check_new_feature(name)
