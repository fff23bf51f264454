"""`git agent checkpoint`: the exact shadow state on refs/agent/<f>/checkpoints, nothing else moved."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.kit import (
    checkpoint,
    checkpoints,
    cli,
    commit_all,
    content_at,
    expected_tree,
    git,
    git_bytes,
    ls_tree,
    read_bytes_path,
    start,
    status,
    tree_of,
    user_state,
    write_bytes_path,
)

HOSTILE = [
    b"new\nline.txt",
    b"with space.txt",
    b"tab\there.txt",
    b'dq"uote.txt',
    b"sq'uote.txt",
    b"back\\slash.txt",
    b"latin1-\xe9\xff.txt",
    b"dir \xfe\n/inner\t\xff.txt",
    b"-dash-first.txt",
]


def test_checkpoint_commits_the_exact_shadow_state(repo: Path, tmp_path: Path) -> None:
    (repo / "gone.txt").write_text("to delete\n")
    (repo / "tool.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(repo / "tool.sh", 0o755)
    commit_all(repo, "more")
    shadow = start(repo).shadow
    base = status(repo)["base"]
    outside = tmp_path / "outside-dir"
    outside.mkdir()
    (outside / "secret").write_text("never read\n")
    (shadow / "crlf.txt").write_bytes(b"one\r\ntwo\r\n")
    (shadow / "blob.bin").write_bytes(b"\x00\x01\x02\xff" * 300)
    (shadow / "empty.txt").write_bytes(b"")
    (shadow / "run.py").write_text("print(1)\n")
    os.chmod(shadow / "run.py", 0o755)
    os.chmod(shadow / "tool.sh", 0o644)
    os.symlink("/etc", shadow / "etc-link")
    os.symlink("/etc/passwd", shadow / "passwd-link")
    os.symlink(str(outside), shadow / "outside-link")
    os.symlink("../../../../..", shadow / "up-link")
    os.symlink("no/such/target", shadow / "dangling")
    (shadow / "gone.txt").unlink()
    (shadow / "a" / "b" / "c").mkdir(parents=True)
    (shadow / "a" / "b" / "c" / "deep.txt").write_text("deep\n")
    (shadow / "a" / "top.txt").write_text("top\n")
    (shadow / "empty-dir").mkdir()
    made = checkpoint(repo)
    assert made["created"] is True and made["number"] == 1
    commit = made["commit"]
    assert tree_of(repo, commit) == expected_tree(shadow, base)
    entries = ls_tree(repo, commit)
    assert content_at(repo, commit, b"crlf.txt") == ("100644", b"one\r\ntwo\r\n")
    assert content_at(repo, commit, b"blob.bin") == ("100644", b"\x00\x01\x02\xff" * 300)
    assert content_at(repo, commit, b"empty.txt") == ("100644", b"")
    assert entries[b"run.py"][0] == "100755" and entries[b"tool.sh"][0] == "100644"
    assert content_at(repo, commit, b"etc-link") == ("120000", b"/etc")
    assert content_at(repo, commit, b"passwd-link") == ("120000", b"/etc/passwd")
    assert content_at(repo, commit, b"outside-link") == ("120000", os.fsencode(outside))
    assert content_at(repo, commit, b"up-link") == ("120000", b"../../../../..")
    assert content_at(repo, commit, b"dangling") == ("120000", b"no/such/target")
    assert not [p for p in entries if p.startswith((b"etc-link/", b"outside-link/", b"up-link/"))]
    assert b"gone.txt" not in entries
    assert content_at(repo, commit, b"a/b/c/deep.txt") == ("100644", b"deep\n")
    assert b"empty-dir" not in entries and not [p for p in entries if p.startswith(b"empty-dir")]


def test_ignored_files_and_the_shadows_git_are_left_out(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.tmp\n")
    (repo / "tracked.tmp").write_text("tracked although ignored\n")
    git(repo, "add", "-f", "-A")
    git(repo, "commit", "-qm", "ignores")
    shadow = start(repo).shadow
    base = status(repo)["base"]
    (shadow / "src" / ".gitignore").write_text("cache/\n")
    (shadow / "src" / "cache").mkdir()
    (shadow / "src" / "cache" / "x.bin").write_bytes(b"\0" * 10)
    (shadow / "scratch.tmp").write_text("ignored\n")
    (shadow / "tracked.tmp").write_text("tracked and changed\n")
    (shadow / "kept.txt").write_text("kept\n")
    git(shadow, "add", "kept.txt")
    git(shadow, "commit", "-qm", "agent commits in its own repository")
    made = checkpoint(repo)
    entries = ls_tree(repo, made["commit"])
    assert b"scratch.tmp" not in entries
    assert not [p for p in entries if p.startswith(b"src/cache/")]
    assert not [p for p in entries if b".git" in p.split(b"/")]
    assert content_at(repo, made["commit"], b"tracked.tmp")[1] == b"tracked and changed\n"
    assert b"src/.gitignore" in entries and b"kept.txt" in entries
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)


def test_file_replaced_by_a_directory_and_back(repo: Path) -> None:
    shadow = start(repo).shadow
    original = (shadow / "README.md").read_bytes()
    (shadow / "README.md").unlink()
    (shadow / "README.md").mkdir()
    (shadow / "README.md" / "part.md").write_text("part\n")
    one = checkpoint(repo)
    entries = ls_tree(repo, one["commit"])
    assert b"README.md" not in entries and entries[b"README.md/part.md"][0] == "100644"
    shutil.rmtree(shadow / "README.md")
    (shadow / "README.md").write_bytes(original)
    two = checkpoint(repo)
    assert two["number"] == 2
    assert tree_of(repo, two["commit"]) == tree_of(repo, status(repo)["base"])
    shutil.rmtree(shadow / "docs")
    (shadow / "docs").write_text("docs is a file now\n")
    three = checkpoint(repo)
    assert content_at(repo, three["commit"], b"docs") == ("100644", b"docs is a file now\n")
    assert b"docs/guide.md" not in ls_tree(repo, three["commit"])


def test_mode_only_change_is_a_new_checkpoint(repo: Path) -> None:
    shadow = start(repo).shadow
    os.chmod(shadow / "src" / "app.py", 0o755)
    made = checkpoint(repo)
    assert made["created"] is True and made["number"] == 1
    assert ls_tree(repo, made["commit"])[b"src/app.py"][0] == "100755"
    names = cli(repo, "diff", "f", "--from", "0", "--to", "1", "--name-status")
    assert names.code == 0 and names.out == "M\tsrc/app.py\n"
    found = cli(repo, "diff", "f", "--from", "0", "--to", "1", "--json").json()
    assert isinstance(found, list) and len(found) == 1
    assert found[0]["status"] == "M" and found[0]["mode"] == "100755"
    assert found[0]["added"] == 0 and found[0]["deleted"] == 0
    os.chmod(shadow / "src" / "app.py", 0o644)
    back = checkpoint(repo)
    assert back["created"] and ls_tree(repo, back["commit"])[b"src/app.py"][0] == "100644"


def test_hostile_file_names_survive_checkpoint_revert_and_reports(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    os.mkdir(os.fsencode(shadow) + b"/dir \xfe\n")
    for number, name in enumerate(HOSTILE):
        write_bytes_path(shadow, name, b"content %d\n" % number)
    made = checkpoint(repo)
    entries = ls_tree(repo, made["commit"])
    for name in HOSTILE:
        assert name in entries, name
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)

    ours = cli(repo, "diff", "f", "--name-status")
    theirs = git(repo, "diff", "--name-status", base, made["commit"])
    assert ours.code == 0
    assert ours.out.strip() == theirs
    listed = cli(repo, "diff", "f", "--json").json()
    assert isinstance(listed, list)
    assert sorted(os.fsencode(c["path"]) for c in listed) == sorted(HOSTILE)
    raw_json = cli(repo, "diff", "f", "--json").out
    json.loads(raw_json)  # valid JSON even for names that are not UTF-8

    # revert everything: they go; revert to the checkpoint: they come back byte for byte
    assert cli(repo, "revert", "f", "--to", "0").code == 0
    for name in HOSTILE:
        assert not os.path.lexists(os.fsencode(shadow) + b"/" + name)
    assert cli(repo, "revert", "f", "--to", "1").code == 0
    for number, name in enumerate(HOSTILE):
        assert read_bytes_path(shadow, name) == b"content %d\n" % number
    # and only one of them, by its exact name
    victim = HOSTILE[0]
    write_bytes_path(shadow, victim, b"scribbled\n")
    result = cli(repo, "revert", "f", "--to", "1", "--paths", os.fsdecode(victim))
    assert result.code == 0, result
    assert read_bytes_path(shadow, victim) == b"content 0\n"


def test_unchanged_shadow_adds_no_commit(repo: Path) -> None:
    shadow = start(repo).shadow
    same = checkpoint(repo)
    assert same == {"number": 0, "commit": status(repo)["base"], "created": False}
    (shadow / "x.txt").write_text("x\n")
    one = checkpoint(repo)
    tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
    again = checkpoint(repo)
    assert again == {"number": 1, "commit": one["commit"], "created": False}
    assert git(repo, "rev-parse", "refs/agent/f/checkpoints") == tip
    os.utime(shadow / "x.txt")  # touched, not changed
    assert checkpoint(repo)["created"] is False
    text = cli(repo, "checkpoint", "f")
    assert text.code == 0 and "no changes since checkpoint 1" in text.out


def test_the_chain_links_each_checkpoint_to_the_previous_one(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    made = []
    for number in range(1, 4):
        (shadow / f"file{number}.txt").write_text(f"{number}\n")
        made.append(checkpoint(repo, "f", "-m", f"step {number}"))
    assert [m["number"] for m in made] == [1, 2, 3]
    assert git(repo, "rev-parse", "refs/agent/f/checkpoints") == made[-1]["commit"]
    parents = [base] + [m["commit"] for m in made[:-1]]
    for entry, parent in zip(made, parents, strict=True):
        line = git(repo, "rev-list", "--parents", "-n", "1", entry["commit"]).split()
        assert line == [entry["commit"], parent]
        trailers = git(
            repo, "log", "-1", "--format=%(trailers:key=Checkpoint,valueonly)", entry["commit"]
        )
        assert trailers.strip() == str(entry["number"])
        assert git(repo, "log", "-1", "--format=%s", entry["commit"]) == f"step {entry['number']}"
    listed = checkpoints(repo)
    assert [(c["number"], c["commit"]) for c in listed] == [(0, base)] + [
        (m["number"], m["commit"]) for m in made
    ]
    assert status(repo)["checkpoints"] == 4 and status(repo)["last_checkpoint"] == 3


def test_checkpoint_leaves_the_users_repository_alone(repo: Path) -> None:
    (repo / "wip.txt").write_text("user's uncommitted work\n")
    (repo / "README.md").write_text("user edit\n")
    git(repo, "add", "README.md")
    shadow = start(repo).shadow
    before = user_state(repo)
    (shadow / "src" / "app.py").write_text("agent\n")
    (shadow / "new.txt").write_text("new\n")
    (shadow / "docs" / "guide.md").unlink()
    assert checkpoint(repo)["created"]
    assert cli(repo, "diff", "f").code == 0
    assert cli(repo, "checkpoints", "f").code == 0
    assert user_state(repo) == before
    assert (repo / "wip.txt").read_text() == "user's uncommitted work\n"


def test_submodule_stays_a_gitlink_through_start_checkpoint_and_promote(
    repo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    (other / "lib.txt").write_text("lib\n")
    commit_all(other, "lib")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    git(repo, "commit", "-qm", "add submodule")
    gitlink = git(repo, "rev-parse", "HEAD:sub")
    shadow, worktree = start(repo).dirs
    assert (shadow / "sub").is_dir()
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    made = checkpoint(repo)
    assert ls_tree(repo, made["commit"])[b"sub"] == ("160000", gitlink)
    result = cli(repo, "promote", "f")
    assert result.code == 0, result
    head = git(repo, "rev-parse", "agent/f")
    assert ls_tree(repo, head)[b"sub"] == ("160000", gitlink)
    assert ls_tree(repo, head)[b".gitmodules"][0] == "100644"
    assert git(worktree, "ls-files", "-s", "sub").split()[:2] == ["160000", gitlink]


def _fill(shadow: Path, tag: str) -> list[Path]:
    """Rewrite 1,000 files; return where their blobs will land as loose objects."""
    objects = []
    for d in range(20):
        folder = shadow / "many" / f"d{d}"
        folder.mkdir(parents=True, exist_ok=True)
        for f in range(50):
            data = f"{tag} {d}/{f}\n".encode() * 20
            (folder / f"f{f}.txt").write_bytes(data)
            oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            objects.append(Path(oid[:2], oid[2:]))
    return objects


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while proc.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_killed_checkpoint_loses_nothing(repo: Path) -> None:
    """kill -9 in the middle of a checkpoint of 1,000 changed files (once the first blobs are
    written, then at a later moment): the chain stays whole, the next checkpoint is exact."""
    shadow = start(repo).shadow
    base = status(repo)["base"]
    objects = repo / ".git" / "objects"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k in ("GIT_CONFIG_NOSYSTEM", "GIT_AGENT_LOCK_TIMEOUT")
    }
    argv = [sys.executable, "-m", "supervisor", "checkpoint", "f"]
    for round_ in range(3):
        blobs = _fill(shadow, f"round {round_}")
        proc = subprocess.Popen(argv, cwd=repo, env=env)
        if round_ == 0:
            _kill_when(proc, lambda: any((objects / b).exists() for b in blobs[::10]))  # noqa: B023
            assert sum((objects / b).exists() for b in blobs) < len(blobs)  # died mid-scan
        else:
            stop = time.monotonic() + 0.4 * round_
            _kill_when(proc, lambda: time.monotonic() > stop)  # noqa: B023
        tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
        fsck = subprocess.run(
            ["git", "fsck", "--connectivity-only", "--no-dangling", tip],
            cwd=repo,
            capture_output=True,
        )
        assert fsck.returncode == 0, fsck.stderr  # whatever the chain holds is whole
        made = checkpoint(repo)
        assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)
        assert checkpoint(repo)["created"] is False
    chain = checkpoints(repo)
    assert [c["number"] for c in chain] == list(range(len(chain)))
    last = git_bytes(repo, "cat-file", "-p", chain[-1]["commit"] + ":many/d0/f0.txt")
    assert last == b"round 2 0/0\n" * 20


def test_scanned_state_survives_git_gc(repo: Path) -> None:
    """A validate that no checkpoint follows keeps its objects on a ref; gc prunes nothing needed."""
    assert cli(repo, "start", "gc").code == 0
    shadow = Path(cli(repo, "status", "gc", "--json").json()["shadow"])  # type: ignore[index]
    (shadow / "src" / "kept.py").write_text("kept = True\n")
    assert cli(repo, "validate", "gc").code == 0
    assert git(repo, "rev-parse", "--verify", "-q", "refs/agent/gc/scanned")
    git(repo, "gc", "-q", "--prune=now")
    made = cli(repo, "checkpoint", "gc", "--json").json()
    assert made["created"] is True  # type: ignore[index]
    assert git(repo, "show", f"{made['commit']}:src/kept.py") == "kept = True"  # type: ignore[index]
    assert git(repo, "fsck", "--no-dangling") == ""
    assert "refs/agent/gc/scanned" not in git(repo, "for-each-ref", "--format=%(refname)")
