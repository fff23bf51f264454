"""`git agent revert`: all, some paths, only violating paths, the worktree; always undoable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.kit import (
    checkpoint,
    cli,
    commit_all,
    content_at,
    expected_tree,
    git,
    ls_tree,
    start,
    status,
    tree_of,
)


def _revert(repo: Path, *args: str) -> dict:
    result = cli(repo, "revert", "f", "--json", *args)
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def _shadow_tree(repo: Path, shadow: Path) -> str:
    return expected_tree(shadow, status(repo)["base"])


def test_revert_to_a_checkpoint_restores_everything(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "src" / "app.py").write_text("one\n")
    (shadow / "keep.txt").write_text("from checkpoint 1\n")
    one = checkpoint(repo)
    (shadow / "src" / "app.py").write_text("two\n")
    (shadow / "later" / "deep").mkdir(parents=True)
    (shadow / "later" / "deep" / "new.txt").write_text("created after 1\n")
    (shadow / "keep.txt").unlink()
    os.symlink("/etc", shadow / "etc-link")
    os.chmod(shadow / "README.md", 0o755)
    checkpoint(repo)
    (shadow / "unsaved.txt").write_text("never checkpointed\n")
    done = _revert(repo, "--to", "1")
    assert done["saved"] == 3 and done["target"] == 1 and done["checkpoint"] == 4
    assert _shadow_tree(repo, shadow) == tree_of(repo, one["commit"])
    assert not (shadow / "later").exists() and not (shadow / "unsaved.txt").exists()
    assert not os.path.lexists(shadow / "etc-link")
    assert (shadow / "keep.txt").read_text() == "from checkpoint 1\n"
    assert not os.access(shadow / "README.md", os.X_OK)
    # what the revert discarded is in the checkpoint it made first
    saved = git(repo, "rev-parse", "refs/agent/f/checkpoints~1")
    assert content_at(repo, saved, b"later/deep/new.txt")[1] == b"created after 1\n"
    assert content_at(repo, saved, b"unsaved.txt")[1] == b"never checkpointed\n"
    assert tree_of(repo, git(repo, "rev-parse", "refs/agent/f/checkpoints")) == tree_of(
        repo, one["commit"]
    )


def test_a_revert_can_itself_be_reverted(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "a.txt").write_text("a\n")
    checkpoint(repo)
    (shadow / "b.txt").write_text("b\n")
    os.chmod(shadow / "src" / "app.py", 0o755)
    os.symlink("a.txt", shadow / "link")
    shutil.rmtree(shadow / "docs")
    (shadow / "docs").write_text("was a directory\n")
    before = _shadow_tree(repo, shadow)
    first = _revert(repo, "--to", "0")
    assert _shadow_tree(repo, shadow) == tree_of(repo, status(repo)["base"])
    again = _revert(repo, "--to", str(first["saved"]))
    assert _shadow_tree(repo, shadow) == before
    assert again["saved"] == first["checkpoint"]
    assert os.readlink(shadow / "link") == "a.txt"
    assert os.access(shadow / "src" / "app.py", os.X_OK)
    # and the cache the reverts left behind agrees with a full scan
    assert checkpoint(repo)["created"] is False
    assert tree_of(repo, git(repo, "rev-parse", "refs/agent/f/checkpoints")) == before


def test_revert_paths_touches_only_those(repo: Path) -> None:
    (repo / "src" / "lib").mkdir()
    (repo / "src" / "lib" / "a.py").write_text("a\n")
    (repo / "src" / "lib" / "b.py").write_text("b\n")
    (repo / "src" / "libx.py").write_text("libx\n")
    commit_all(repo, "lib")
    shadow = start(repo).shadow
    for rel in ("src/lib/a.py", "src/lib/b.py", "src/libx.py", "src/app.py", "README.md"):
        (shadow / rel).write_text("changed\n")
    (shadow / "src" / "lib" / "new.py").write_text("new\n")
    done = _revert(repo, "--paths", "src/lib", "README.md")
    assert sorted(done["paths"]) == ["README.md", "src/lib/a.py", "src/lib/b.py", "src/lib/new.py"]
    assert (shadow / "src" / "lib" / "a.py").read_text() == "a\n"
    assert (shadow / "src" / "lib" / "b.py").read_text() == "b\n"
    assert not (shadow / "src" / "lib" / "new.py").exists()
    assert (shadow / "README.md").read_text() == "demo\n"
    assert (shadow / "src" / "libx.py").read_text() == "changed\n"  # a prefix, not a directory
    assert (shadow / "src" / "app.py").read_text() == "changed\n"
    exact = _revert(repo, "--paths", "src/app.py")
    assert exact["paths"] == ["src/app.py"]
    assert (shadow / "src" / "app.py").read_text() == "print('hello')\n"
    assert (shadow / "src" / "libx.py").read_text() == "changed\n"
    tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
    assert tree_of(repo, tip) == _shadow_tree(repo, shadow)
    before = (shadow / "src" / "libx.py").read_text()
    nothing = cli(repo, "revert", "f", "--paths", "no/such/path")
    assert nothing.code == 2 and "names nothing" in nothing.err
    assert (shadow / "src" / "libx.py").read_text() == before
    assert _revert(repo, "--paths", "src/*.py")["paths"] == ["src/libx.py"]


def test_revert_violating_reverts_only_the_paths_out_of_scope(repo: Path, tmp_path: Path) -> None:
    long_text = "".join(f"line {n} long enough to be recognised when it moves\n" for n in range(20))
    (repo / "src" / "moved.py").write_text(long_text)
    commit_all(repo, "moved.py")
    plan = tmp_path / "plan.toml"
    plan.write_text('[scope]\nallow = ["src/**"]\n')
    shadow = start(repo, plan=plan).shadow
    (shadow / "src" / "app.py").write_text("in scope\n")
    (shadow / "src" / "new.py").write_text("in scope too\n")
    (shadow / "README.md").write_text("out of scope\n")
    (shadow / "docs" / "new.md").write_text("out of scope\n")
    (shadow / "src" / "moved.py").rename(shadow / "escaped.py")
    validate = cli(repo, "validate", "f", "--json")
    assert validate.code == 1
    report = validate.json()
    assert isinstance(report, dict)
    assert {v["path"] for v in report["violations"] if v["rule"] == "scope.outside"} == {
        "README.md",
        "docs/new.md",
        "escaped.py",
    }
    done = _revert(repo, "--violating")
    assert sorted(done["paths"]) == ["README.md", "docs/new.md", "escaped.py", "src/moved.py"]
    assert (shadow / "README.md").read_text() == "demo\n"
    assert not (shadow / "docs" / "new.md").exists()
    assert not (shadow / "escaped.py").exists()
    assert (shadow / "src" / "moved.py").read_text() == long_text
    assert (shadow / "src" / "app.py").read_text() == "in scope\n"
    assert (shadow / "src" / "new.py").read_text() == "in scope too\n"
    assert cli(repo, "validate", "f").code == 0


def test_revert_worktree_resets_stray_edits_and_keeps_them(repo: Path) -> None:
    shadow, worktree = start(repo).dirs
    head = git(repo, "rev-parse", "agent/f")
    (worktree / "README.md").write_text("stray edit\n")
    (worktree / "src" / "app.py").write_text("stray staged edit\n")
    git(worktree, "add", "src/app.py")
    (shadow / "src" / "app.py").write_text("agent work\n")
    done = _revert(repo, "--worktree", "--paths", "nothing-*")
    kept = done["worktree_saved"]
    assert kept and git(repo, "rev-parse", "refs/agent/f/worktree") == kept
    assert git(repo, "show", f"{kept}:README.md") == "stray edit"
    assert git(repo, "show", f"{kept}:src/app.py") == "stray staged edit"
    assert git(worktree, "rev-parse", "HEAD") == head == git(repo, "rev-parse", "agent/f")
    git(worktree, "diff", "--quiet")
    git(worktree, "diff", "--cached", "--quiet")
    assert (worktree / "README.md").read_text() == "demo\n"
    assert (shadow / "src" / "app.py").read_text() == "agent work\n"  # the shadow kept its work
    text = cli(repo, "revert", "f", "--worktree", "--paths", "nothing-*")
    assert text.code == 0 and "worktree changes kept" not in text.out  # nothing stray this time


def test_revert_never_writes_through_a_planted_symlink(repo: Path, tmp_path: Path) -> None:
    shadow = start(repo).shadow
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text("outside, must stay\n")
    (outside / "guide.md").write_text("outside guide\n")
    shutil.rmtree(shadow / "src")
    os.symlink(outside, shadow / "src")
    target = tmp_path / "victim.txt"
    target.write_text("victim\n")
    (shadow / "README.md").unlink()
    os.symlink(target, shadow / "README.md")
    done = _revert(repo, "--paths", "src/app.py", "README.md")
    assert sorted(done["paths"]) == ["README.md", "src/app.py"]
    assert (outside / "app.py").read_text() == "outside, must stay\n"
    assert sorted(p.name for p in outside.iterdir()) == ["app.py", "guide.md"]
    assert target.read_text() == "victim\n"
    assert not (shadow / "src").is_symlink() and (shadow / "src").is_dir()
    assert (shadow / "src" / "app.py").read_text() == "print('hello')\n"
    assert not (shadow / "README.md").is_symlink()
    assert (shadow / "README.md").read_text() == "demo\n"
    # the checkpoint the revert made, and the next full scan, hold exactly the shadow
    tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
    assert tree_of(repo, tip) == _shadow_tree(repo, shadow)
    assert ls_tree(repo, tip)[b"src/app.py"][0] == "100644"
    assert checkpoint(repo)["created"] is False
    diff = cli(repo, "diff", "f", "--name-status")
    assert diff.code == 0 and diff.out == ""


def test_revert_everything_through_a_planted_directory_link(repo: Path, tmp_path: Path) -> None:
    shadow = start(repo).shadow
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "guide.md").write_text("outside guide\n")
    shutil.rmtree(shadow / "docs")
    os.symlink(outside, shadow / "docs")
    _revert(repo, "--to", "0")
    assert (outside / "guide.md").read_text() == "outside guide\n"
    assert sorted(p.name for p in outside.iterdir()) == ["guide.md"]
    assert (shadow / "docs" / "guide.md").read_text() == "# Guide\n"
    assert _shadow_tree(repo, shadow) == tree_of(repo, status(repo)["base"])
    assert checkpoint(repo)["created"] is False


def test_revert_to_an_unknown_checkpoint_is_a_usage_error(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "x.txt").write_text("x\n")
    result = cli(repo, "revert", "f", "--to", "5")
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert (shadow / "x.txt").exists()
    assert status(repo)["last_checkpoint"] == 0
