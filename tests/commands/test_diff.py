"""`git agent diff`: checkpoints against each other or the live shadow, in git's own formats."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.kit import checkpoint, cli, commit_all, git, git_bytes, start, status, tree_of

LONG = "".join(
    f"line {n} of a file long enough to be found again after a rename\n" for n in range(30)
)


@pytest.fixture
def based(repo: Path) -> Path:
    (repo / "src" / "moved.py").write_text(LONG)
    (repo / "link-me.txt").write_text("becomes a symlink\n")
    (repo / "old.txt").write_text("to be deleted\n")
    commit_all(repo, "more files")
    return repo


def _change_everything(shadow: Path) -> None:
    (shadow / "src" / "app.py").write_text("print('hello')\nprint('more')\n")  # M
    (shadow / "new.txt").write_text("brand new\n")  # A
    (shadow / "old.txt").unlink()  # D
    (shadow / "src" / "moved.py").rename(shadow / "src" / "renamed.py")  # R
    (shadow / "link-me.txt").unlink()
    os.symlink("README.md", shadow / "link-me.txt")  # T


def test_name_status_shows_every_kind_of_change(based: Path) -> None:
    shadow = start(based).shadow
    _change_everything(shadow)
    result = cli(based, "diff", "f", "--name-status")
    assert result.code == 0, result
    assert sorted(result.out.splitlines()) == sorted(
        [
            "A\tnew.txt",
            "D\told.txt",
            "M\tsrc/app.py",
            "R\tsrc/moved.py\tsrc/renamed.py",
            "T\tlink-me.txt",
        ]
    )
    made = checkpoint(based)
    theirs = git(based, "diff", "-M", "--name-status", status(based)["base"], made["commit"])
    ours = cli(based, "diff", "f", "--to", "1", "--name-status").out
    without_scores = {line[0] + line[line.index("\t") :] for line in theirs.splitlines()}
    assert set(ours.splitlines()) == without_scores


def test_json_has_the_documented_keys(based: Path) -> None:
    shadow = start(based).shadow
    _change_everything(shadow)
    (shadow / "bin.dat").write_bytes(b"\x00\xff" * 100)
    found = cli(based, "diff", "f", "--json").json()
    assert isinstance(found, list)
    by_path = {c["path"]: c for c in found}
    for change in found:
        assert {"path", "status", "old_path", "added", "deleted", "binary", "mode"} <= set(change)
    assert by_path["src/app.py"] | {"old_mode": None} == {
        "path": "src/app.py",
        "status": "M",
        "old_path": None,
        "added": 1,
        "deleted": 0,
        "binary": False,
        "mode": "100644",
        "old_mode": None,
    }
    assert by_path["src/renamed.py"]["status"] == "R"
    assert by_path["src/renamed.py"]["old_path"] == "src/moved.py"
    assert by_path["old.txt"]["status"] == "D" and by_path["old.txt"]["mode"] is None
    assert by_path["old.txt"]["deleted"] == 1
    assert by_path["new.txt"]["status"] == "A" and by_path["new.txt"]["added"] == 1
    assert by_path["link-me.txt"]["status"] == "T" and by_path["link-me.txt"]["mode"] == "120000"
    assert by_path["bin.dat"]["binary"] is True and by_path["bin.dat"]["added"] == 0
    assert len(found) == 6


def test_type_change_keeps_the_content_rules_need(based: Path) -> None:
    """A symlink replaced by a regular file is a T change whose new lines are still seen."""
    shadow = start(based).shadow
    os.symlink("README.md", shadow / "was-link")
    checkpoint(based)
    (shadow / "was-link").unlink()
    (shadow / "was-link").write_text("AKIA-like content\nsecond\n")
    found = cli(based, "diff", "f", "--from", "1", "--json").json()
    assert isinstance(found, list)
    (change,) = found
    assert change["status"] == "T" and change["mode"] == "100644" and change["added"] == 2

    from supervisor.gitio.changes import changes_between
    from supervisor.lifecycle.workspace import open_feature as feature

    with feature(dict(os.environ), str(based), "f") as f:
        old = f.repo.commit_tree(f.chain.resolve(1))
        (typed,) = changes_between(f.repo, old, f.scanner.scan())
        assert typed.status == "T"
        assert list(typed.added_lines()) == [(1, "AKIA-like content"), (2, "second")]


def test_from_to_and_the_live_shadow(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "one.txt").write_text("1\n")
    checkpoint(repo)
    (shadow / "two.txt").write_text("2\n")
    checkpoint(repo)
    (shadow / "three.txt").write_text("3\n")  # not checkpointed
    between = cli(repo, "diff", "f", "--from", "1", "--to", "2", "--name-status")
    assert between.out == "A\ttwo.txt\n"
    backwards = cli(repo, "diff", "f", "--from", "2", "--to", "0", "--name-status")
    assert sorted(backwards.out.splitlines()) == ["D\tone.txt", "D\ttwo.txt"]
    live = cli(repo, "diff", "f", "--from", "2", "--name-status")
    assert live.out == "A\tthree.txt\n"
    everything = cli(repo, "diff", "f", "--name-status")
    assert sorted(everything.out.splitlines()) == ["A\tone.txt", "A\tthree.txt", "A\ttwo.txt"]
    assert cli(repo, "diff", "f", "--from", "2", "--to", "2").out == ""
    bad = cli(repo, "diff", "f", "--to", "7")
    assert bad.code == 2 and "0 to 2" in bad.err and "Traceback" not in bad.err
    # diffing against the live shadow is a read: it made no checkpoint
    assert status(repo)["last_checkpoint"] == 2


def test_stat(based: Path) -> None:
    shadow = start(based).shadow
    (shadow / "src" / "app.py").write_text("print('a')\nprint('b')\n")
    (shadow / "old.txt").unlink()
    (shadow / "bin.dat").write_bytes(b"\x00" * 10)
    result = cli(based, "diff", "f", "--stat")
    assert result.code == 0, result
    lines = result.out.splitlines()
    table = {line.split("|")[0].strip(): line.split("|")[1].strip() for line in lines[:-1]}
    assert table == {"bin.dat": "Bin 0 -> 10 bytes", "old.txt": "1 -", "src/app.py": "3 ++-"}
    assert lines[-1] == " 3 files changed, 2 insertions(+), 2 deletions(-)"


def test_patch_is_git_style_and_applies_to_the_base(based: Path, tmp_path: Path) -> None:
    shadow = start(based).shadow
    _change_everything(shadow)
    os.chmod(shadow / "new.txt", 0o755)
    (shadow / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (shadow / "no-newline.txt").write_bytes(b"no newline at the end")
    (shadow / "deep" / "er").mkdir(parents=True)
    (shadow / "deep" / "er" / "x.txt").write_text("x\n")
    shutil.rmtree(shadow / "docs")
    (shadow / "docs").write_text("a directory became this file\n")
    (shadow / "README.md").unlink()
    (shadow / "README.md").mkdir()
    (shadow / "README.md" / "inner.md").write_text("a file became this directory\n")
    made = checkpoint(based)
    patch = cli(based, "diff", "f", "--to", str(made["number"]))
    assert patch.code == 0
    assert patch.out.startswith("diff --git a/")
    assert "rename from src/moved.py\nrename to src/renamed.py\n" in patch.out
    assert "new file mode 100755\n" in patch.out
    assert "deleted file mode 100644\n" in patch.out
    assert "\\ No newline at end of file\n" in patch.out
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(based), str(clone))
    assert git(clone, "rev-parse", "HEAD") == status(based)["base"]
    patch_file = tmp_path / "change.patch"
    patch_file.write_bytes(patch.out.encode(errors="surrogateescape"))
    git(clone, "apply", "--index", str(patch_file))
    assert git_bytes(clone, "write-tree").decode().strip() == tree_of(based, made["commit"])
    # against the live shadow too, and between two checkpoints
    (shadow / "after.txt").write_text("after\n")
    live = cli(based, "diff", "f", "--from", str(made["number"]))
    assert live.out.startswith("diff --git a/after.txt b/after.txt\nnew file mode 100644\n")
    git(clone, "apply", "--index", "-", input=live.out.encode())
    assert (clone / "after.txt").read_text() == "after\n"


def test_patch_of_a_binary_file_says_so(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "bin.dat").write_bytes(b"\x00\x01" * 50)
    out = cli(repo, "diff", "f").out
    assert out.startswith("diff --git a/bin.dat b/bin.dat\nnew file mode 100644\n")
    assert "Binary files /dev/null and b/bin.dat differ" in out


def test_unknown_feature_is_a_usage_error(repo: Path) -> None:
    result = cli(repo, "diff", "nope")
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
