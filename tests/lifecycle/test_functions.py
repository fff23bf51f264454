"""The feature lifecycle as functions (no CLI): start, checkpoint, validate, revert, promote
and remove called on a `Workspace` from `open_workspace`, refs and files checked with git."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from supervisor.errors import Refused, UsageError
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.promote import PromotionRefused, promote, roll_forward
from supervisor.lifecycle.remove import remove
from supervisor.lifecycle.revert import revert
from supervisor.lifecycle.start import start
from supervisor.lifecycle.status import describe
from supervisor.lifecycle.verdict import evaluate, validate
from supervisor.lifecycle.workspace import Workspace
from supervisor.plugin import hookimpl
from supervisor.rules.engine import PluginsFailed
from tests.kit import (
    Exec,
    Link,
    Started,
    commit_policy,
    expected_tree,
    git,
    ls_tree,
    read_bytes_path,
    ref,
    tree_of,
    user_state,
    write_files,
    write_plan,
)


def users(repo: Path) -> dict[str, object]:
    """What of the user's repository must never move (the feature's own branch aside)."""
    state = user_state(repo)
    refs = state["refs"]
    assert isinstance(refs, list)
    return {**state, "refs": [r for r in refs if not r.startswith("refs/heads/agent/")]}


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def files_in(root: Path) -> dict[str, bytes]:
    """Every file under `root` but its .git, with its bytes (a link: its target)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            if name == ".git":
                continue  # a worktree's pointer to its git dir
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            out[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return out


# --- start ------------------------------------------------------------------------------------


def test_start_makes_branch_worktree_shadow_and_checkpoint_zero(repo: Path, ws: Workspace) -> None:
    before = users(repo)
    base = head(repo)
    feature = start(ws, "f")
    assert feature.row.base == base and feature.row.state == "active"
    assert ref(repo, "refs/heads/agent/f") == base
    assert ref(repo, "refs/agent/f/checkpoints") == base
    assert git(feature.worktree, "rev-parse", "--abbrev-ref", "HEAD") == "agent/f"
    assert str(feature.worktree) in git(repo, "worktree", "list", "--porcelain")
    assert (
        files_in(feature.shadow)
        == files_in(feature.worktree)
        == {
            "README.md": b"demo\n",
            "docs/guide.md": b"# Guide\n",
            "src/app.py": b"print('hello')\n",
        }
    )
    # the shadow is a repository of its own that borrows the objects of the user's
    assert git(feature.shadow, "rev-parse", "--abbrev-ref", "HEAD") == "agent/f"
    alternates = Path(git(feature.shadow, "rev-parse", "--git-path", "objects/info/alternates"))
    assert (feature.shadow / alternates).read_text().strip() == str(repo / ".git" / "objects")
    assert git(feature.shadow, "status", "--porcelain") == ""
    assert ws.state.require("f").shadow == str(feature.shadow)
    assert users(repo) == before


def test_start_from_a_base_with_a_plan(repo: Path, ws: Workspace, tmp_path: Path) -> None:
    first = head(repo)
    write_files(repo, {"later.txt": "later\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")
    plan = write_plan(tmp_path / "plan.toml", '[scope]\nallow = ["src/**"]\n')
    feature = start(ws, "f", first, plan)
    assert feature.row.base == first
    assert "later.txt" not in files_in(feature.shadow)
    assert ws.layout.plan("f").read_bytes() == plan.read_bytes()
    assert feature.rules.allowed("src/app.py") and not feature.rules.allowed("README.md")


@pytest.mark.parametrize("name", ["-f", "a/b", "a b", "", "x" * 65, "f\n"])
def test_start_refuses_a_bad_name_and_makes_nothing(repo: Path, ws: Workspace, name: str) -> None:
    with pytest.raises(UsageError):
        start(ws, name)
    assert git(repo, "for-each-ref", "refs/heads/agent", "refs/agent") == ""
    assert ws.state.all() == []


def test_start_refuses_a_feature_that_exists(repo: Path, ws: Workspace) -> None:
    start(ws, "f")
    with pytest.raises(UsageError, match="feature f already exists"):
        start(ws, "f")


# --- checkpoint -------------------------------------------------------------------------------


@pytest.fixture
def feature(started: Started, ws: Workspace) -> Feature:
    """The started feature, as the lifecycle's functions take it."""
    return ws.feature(started.name)


def test_a_checkpoint_is_the_exact_shadow_on_the_chain(repo: Path, feature: Feature) -> None:
    base = feature.row.base
    write_files(
        feature.shadow,
        {"src/app.py": "print('changed')\n", "run.sh": Exec("echo\n"), "link": Link("README.md")},
    )
    write_files(feature.shadow, {"docs/guide.md": None})
    done = feature.chain.checkpoint("my work")
    assert (done.number, done.created) == (1, True)
    assert ref(repo, "refs/agent/f/checkpoints") == done.commit
    assert tree_of(repo, done.commit) == expected_tree(feature.shadow, base)
    assert git(repo, "rev-parse", f"{done.commit}^") == base
    message = git(repo, "log", "-1", "--format=%B", done.commit).strip()
    assert message.startswith("my work\n\nCheckpoint: 1\nFeature: f\nAudit: ")
    entries = ls_tree(repo, done.commit)
    assert entries[b"run.sh"][0] == "100755" and entries[b"link"][0] == "120000"
    assert b"docs/guide.md" not in entries
    assert ref(repo, "refs/heads/agent/f") == base  # only promotion moves the branch


def test_no_change_makes_no_checkpoint(feature: Feature) -> None:
    write_files(feature.shadow, {"new.txt": "x\n"})
    first = feature.chain.checkpoint()
    again = feature.chain.checkpoint()
    assert (again.number, again.commit, again.created) == (1, first.commit, False)


def test_the_chain_lists_and_resolves_its_checkpoints(feature: Feature) -> None:
    commits = []
    for n in range(3):
        write_files(feature.shadow, {"n.txt": f"{n}\n"})
        commits.append(feature.chain.checkpoint(f"step {n}").commit)
    listing = feature.chain.listing()
    assert [(c.number, c.commit, c.message) for c in listing[1:]] == [
        (1, commits[0], "step 0"),
        (2, commits[1], "step 1"),
        (3, commits[2], "step 2"),
    ]
    assert listing[0].number == 0 and listing[0].commit == feature.row.base
    assert [feature.chain.resolve(n) for n in range(4)] == [feature.row.base, *commits]
    with pytest.raises(UsageError, match="checkpoints 0 to 3, not 4"):
        feature.chain.resolve(4)


def test_a_checkpoint_of_known_paths_scans_only_those(feature: Feature) -> None:
    write_files(feature.shadow, {"src/app.py": "print('known')\n", "docs/guide.md": "unseen\n"})
    done = feature.chain.checkpoint(paths=[b"src/app.py"])
    entries = ls_tree(feature.repo.workdir, done.commit)
    blob = git(feature.repo.workdir, "cat-file", "blob", entries[b"src/app.py"][1])
    assert blob == "print('known')"
    # a path nobody reported keeps the content the snapshot knew
    base_guide = ls_tree(feature.repo.workdir, feature.row.base)[b"docs/guide.md"]
    assert entries[b"docs/guide.md"] == base_guide


# --- validate ---------------------------------------------------------------------------------


def test_validate_judges_the_shadow_and_records_the_verdict(repo: Path, ws: Workspace) -> None:
    commit_policy(repo, '[scope]\ndeny = ["docs/**"]\n')
    feature = start(ws, "f")
    write_files(feature.shadow, {"docs/guide.md": "changed\n", "src/app.py": "print(2)\n"})
    report = validate(feature)
    assert not report.ok
    assert [(v.rule, v.path) for v in report.violations if v.rule.startswith("scope.")] == [
        ("scope.denied", "docs/guide.md")
    ]
    assert sorted(c.path for c in report.changes) == ["docs/guide.md", "src/app.py"]
    row = ws.state.require("f")
    assert (row.verdict_ok, row.verdict_errors) == (0, report.errors)
    assert describe(ws.feature("f"))["verdict"] == {
        "ok": False,
        "errors": report.errors,
        "warnings": report.warnings,
    }
    # nothing was checkpointed to judge it
    assert ref(repo, "refs/agent/f/checkpoints") == feature.row.base


def test_evaluate_judges_any_tree_against_the_base(repo: Path, feature: Feature) -> None:
    base_tree = feature.repo.commit_tree(feature.row.base)
    assert evaluate(feature, base_tree).changes == []
    write_files(feature.shadow, {"src/app.py": "print(3)\n"})
    done = feature.chain.checkpoint()
    report = evaluate(feature, feature.repo.commit_tree(done.commit))
    assert [c.path for c in report.changes] == ["src/app.py"] and report.ok


# --- revert -----------------------------------------------------------------------------------


def test_revert_to_a_checkpoint_keeps_what_it_discards(repo: Path, feature: Feature) -> None:
    write_files(feature.shadow, {"src/app.py": "print('one')\n"})
    one = feature.chain.checkpoint("one")
    write_files(feature.shadow, {"src/app.py": "print('two')\n", "extra.txt": "x\n"})
    done = revert(feature, to=1)
    assert (done.saved, done.target, done.checkpoint) == (2, 1, 3)
    assert sorted(done.paths) == ["extra.txt", "src/app.py"]
    assert files_in(feature.shadow)["src/app.py"] == b"print('one')\n"
    assert "extra.txt" not in files_in(feature.shadow)
    saved = feature.chain.resolve(2)
    assert ls_tree(repo, saved)[b"extra.txt"]  # the discarded state is checkpoint 2
    assert tree_of(repo, feature.chain.resolve(3)) == tree_of(repo, one.commit)


def test_revert_some_paths_only(feature: Feature) -> None:
    write_files(feature.shadow, {"src/app.py": "changed\n", "docs/guide.md": "changed\n"})
    done = revert(feature, to=0, paths=["docs"])
    assert done.paths == ["docs/guide.md"]
    shadow = files_in(feature.shadow)
    assert shadow["docs/guide.md"] == b"# Guide\n" and shadow["src/app.py"] == b"changed\n"
    with pytest.raises(UsageError, match="names nothing"):
        revert(feature, to=0, paths=["no/such/path"])


def test_revert_only_the_violating_paths(repo: Path, ws: Workspace) -> None:
    commit_policy(repo, '[scope]\ndeny = ["docs/**"]\n')
    feature = start(ws, "f")
    write_files(feature.shadow, {"src/app.py": "kept\n", "docs/guide.md": "denied\n"})
    done = revert(feature, to=0, violating=True)
    assert done.paths == ["docs/guide.md"]
    assert files_in(feature.shadow)["src/app.py"] == b"kept\n"
    assert validate(feature).ok


def test_revert_the_worktree_saves_it_first(repo: Path, feature: Feature) -> None:
    write_files(feature.worktree, {"notes.txt": "left in the worktree\n"})
    done = revert(feature, to=0, worktree=True)
    assert done.worktree_saved == ref(repo, "refs/agent/f/worktree")
    assert ls_tree(repo, "refs/agent/f/worktree")[b"notes.txt"]
    assert not (feature.worktree / "notes.txt").exists()


# --- promote ----------------------------------------------------------------------------------


def test_promote_moves_the_branch_and_the_worktree_to_the_checkpoint(
    repo: Path, feature: Feature
) -> None:
    before = users(repo)
    write_files(feature.shadow, {"src/app.py": "print('promoted')\n", "new.txt": "new\n"})
    done = promote(feature, "ship it")
    assert done.checkpoint == 1 and done.commit is not None and done.report.ok
    assert ref(repo, "refs/heads/agent/f") == done.commit
    assert git(repo, "rev-parse", f"{done.commit}^") == feature.row.base
    assert tree_of(repo, done.commit) == tree_of(repo, feature.chain.resolve(1))
    message = git(repo, "log", "-1", "--format=%B", done.commit)
    assert message.startswith("ship it\n\nFeature: f\nCheckpoint: 1")
    assert files_in(feature.worktree) == files_in(feature.shadow)
    assert git(feature.worktree, "status", "--porcelain") == ""
    row = feature.ws.state.require("f")
    assert (row.promoted_commit, row.promoted_checkpoint) == (done.commit, 1)
    assert not feature.ws.layout.journal("f").exists()
    assert users(repo) == before


def test_promote_with_nothing_new_makes_no_commit(repo: Path, feature: Feature) -> None:
    done = promote(feature)
    assert done.commit is None and ref(repo, "refs/heads/agent/f") == feature.row.base


def test_promote_refuses_a_violation_and_moves_nothing(repo: Path, ws: Workspace) -> None:
    commit_policy(repo, '[scope]\ndeny = ["docs/**"]\n')
    feature = start(ws, "f")
    write_files(feature.shadow, {"docs/guide.md": "denied\n"})
    with pytest.raises(PromotionRefused) as refused:
        promote(feature)
    assert "scope.denied" in {v.rule for v in refused.value.report.violations}
    assert ref(repo, "refs/heads/agent/f") == feature.row.base
    assert files_in(feature.worktree)["docs/guide.md"] == b"# Guide\n"
    assert ws.state.require("f").verdict_ok == 0
    # the refused state is checkpointed all the same
    assert ls_tree(repo, "refs/agent/f/checkpoints")[b"docs/guide.md"]


def test_promote_refuses_commits_it_did_not_make(repo: Path, feature: Feature) -> None:
    write_files(feature.worktree, {"by-hand.txt": "x\n"})
    git(feature.worktree, "add", "-A")
    git(feature.worktree, "commit", "-q", "-m", "by hand")
    write_files(feature.shadow, {"src/app.py": "print('x')\n"})
    with pytest.raises(Refused, match="not at its last promotion"):
        promote(feature)


def test_promote_stops_when_a_plugin_fails(repo: Path, ws: Workspace) -> None:
    class Broken:
        @hookimpl
        def git_agent_before_promote(self) -> None:
            raise RuntimeError("the check runner broke")

    feature = start(ws, "f")
    feature.plugins.register_guarded(Broken(), "broken")
    write_files(feature.shadow, {"src/app.py": "print('x')\n"})
    with pytest.raises(PluginsFailed, match="plugin broken failed in git_agent_before_promote"):
        promote(feature)
    assert ref(repo, "refs/heads/agent/f") == feature.row.base


def test_an_interrupted_promotion_rolls_forward(repo: Path, feature: Feature) -> None:
    """The journal is written before the worktree and the branch move: whoever finds it
    finishes the promotion."""
    write_files(feature.shadow, {"src/app.py": "print('half way')\n"})
    tip = feature.chain.checkpoint().commit
    old = feature.row.base
    new = feature.repo.create_commit(feature.repo.commit_tree(tip), [old], "promote\n")
    journal = feature.ws.layout.journal("f")
    journal.write_text(json.dumps({"old": old, "new": new, "checkpoint": 1}))
    assert roll_forward(feature)
    assert ref(repo, "refs/heads/agent/f") == new
    assert read_bytes_path(feature.worktree, b"src/app.py") == b"print('half way')\n"
    assert feature.ws.state.require("f").promoted_commit == new
    assert not journal.exists() and not roll_forward(feature)


# --- remove -----------------------------------------------------------------------------------


def test_remove_keeps_the_branch_and_every_checkpoint(repo: Path, feature: Feature) -> None:
    write_files(feature.shadow, {"src/app.py": "print('kept')\n"})
    tip = feature.chain.checkpoint().commit
    assert remove(feature) is False  # everything was checkpointed already
    assert not feature.shadow.exists() and not feature.worktree.exists()
    assert str(feature.worktree) not in git(repo, "worktree", "list", "--porcelain")
    assert ref(repo, "refs/agent/f/checkpoints") == tip
    assert ref(repo, "refs/heads/agent/f") == feature.row.base
    assert feature.ws.state.require("f").state == "removed"
    with pytest.raises(UsageError, match="feature f is removed"):
        remove(feature)


def test_remove_refuses_unsaved_work_unless_forced(repo: Path, feature: Feature) -> None:
    write_files(feature.shadow, {"src/app.py": "print('unsaved')\n"})
    with pytest.raises(Refused, match="neither checkpointed nor promoted"):
        remove(feature)
    assert feature.shadow.is_dir()
    assert remove(feature, force=True) is True
    tip = ref(repo, "refs/agent/f/checkpoints")
    assert tip is not None and tip != feature.row.base
    assert git(repo, "log", "-1", "--format=%s", tip) == "before remove"


def test_remove_keeps_a_dirty_worktree_in_a_ref(repo: Path, feature: Feature) -> None:
    write_files(feature.worktree, {"notes.txt": "precious\n"})
    with pytest.raises(Refused, match="has changes or untracked files"):
        remove(feature)
    assert remove(feature, force=True) is False
    assert ls_tree(repo, "refs/agent/f/worktree")[b"notes.txt"]
