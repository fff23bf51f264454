"""supervisor/gitio/light.py and the lazy Repo: without pygit2 a repository reads and writes
the same objects and refs pygit2 would, and opens pygit2 only when asked for more."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supervisor.errors import GitError
from supervisor.gitio.locate import locate
from supervisor.gitio.objects import BLOB, TREE
from supervisor.gitio.repo import Repo
from supervisor.gitio.trees import serialize
from tests.kit import git, git_code


def _light(repo: Path) -> Repo:
    found = Repo.discover(repo)
    assert found.light is not None
    return found


def test_objects_written_light_are_what_pygit2_writes(repo: Path) -> None:
    light, heavy = _light(repo), Repo.open(repo)
    data = b"some \x00 bytes\n" * 100
    oid = light.write(BLOB, data)
    assert oid == heavy.write(BLOB, data)
    assert light.read(oid) == heavy.read(oid) == (BLOB, data)
    assert light.header(oid) == heavy.header(oid)
    assert light.has_object(oid) and not light.has_object(b"\x01" * 20)
    tree = light.write(TREE, serialize({b"f": (0o100644, oid)}))
    assert git(repo, "cat-file", "-p", tree.hex()).endswith(f"{oid.hex()}\tf")
    git(repo, "fsck", "--strict")
    assert light.light is not None  # nothing above needed pygit2


def test_commits_written_light_read_back_as_pygit2_reads_them(repo: Path) -> None:
    light, heavy = _light(repo), Repo.open(repo)
    head = git(repo, "rev-parse", "HEAD")
    tree = heavy.commit_tree(head)
    made = light.create_commit(tree, [head], "checkpoint 1\n\nCheckpoint: 1\n")
    assert light.light is not None
    for reader in (light, heavy):
        assert reader.commit_tree(made) == tree
        assert reader.parents(made) == [head]
        assert reader.commit_message(made) == "checkpoint 1\n\nCheckpoint: 1\n"
    assert abs(light.commit_time(made) - heavy.commit_time(made)) < 1
    assert light.commit_tree(head) == heavy.commit_tree(head)
    assert git(repo, "log", "-1", "--format=%an <%ae>", made) == git(
        repo, "log", "-1", "--format=%an <%ae>", head
    )
    git(repo, "fsck", "--strict")


def test_the_signature_falls_back_like_pygit2s(repo: Path) -> None:
    """No user.name anywhere: git-agent's own identity, as `Repo.signature` gives it."""
    for scope in ("--local", "--global"):
        git_code(repo, "config", scope, "--unset-all", "user.name")
    light = _light(repo)
    made = light.create_commit(light.commit_tree(git(repo, "rev-parse", "HEAD")), [], "m\n")
    assert git(repo, "log", "-1", "--format=%an <%ae>", made) == "git-agent <git-agent@localhost>"


def test_refs_light_loose_packed_and_moved(repo: Path) -> None:
    light, heavy = _light(repo), Repo.open(repo)
    head = git(repo, "rev-parse", "HEAD")
    assert light.ref("refs/heads/main") == head == heavy.ref("refs/heads/main")
    assert light.ref("refs/agent/none") is None
    light.set_ref("refs/agent/x/checkpoints", head, "git-agent: checkpoint 0")
    assert heavy.ref("refs/agent/x/checkpoints") == head
    git(repo, "pack-refs", "--all")
    assert light.ref("refs/agent/x/checkpoints") == head
    assert light.ref("refs/agent/x") is None  # a folder of refs is no ref
    light.delete_ref("refs/agent/x/checkpoints")
    assert heavy.ref("refs/agent/x/checkpoints") is None
    assert light.light is not None


def test_a_stale_lock_names_itself(repo: Path) -> None:
    light = _light(repo)
    head = git(repo, "rev-parse", "HEAD")
    light.set_ref("refs/agent/x/checkpoints", head, "m")
    lock = repo / ".git" / "refs" / "agent" / "x" / "checkpoints.lock"
    lock.write_text("")
    with pytest.raises(GitError, match=r"checkpoints\.lock"):
        light.set_ref("refs/agent/x/checkpoints", head, "m")


def test_what_the_light_path_cannot_read_goes_to_pygit2(repo: Path) -> None:
    light = _light(repo)
    git(repo, "symbolic-ref", "refs/heads/alias", "refs/heads/main")
    assert light.ref("refs/heads/alias") == git(repo, "rev-parse", "HEAD")
    assert light.light is None  # a symbolic ref: pygit2 was opened, and serves from now on
    assert light.ref("refs/heads/main") == git(repo, "rev-parse", "HEAD")


def test_discover_does_not_import_pygit2(repo: Path) -> None:
    """The lazy Repo as a process would use it: pygit2 stays out until something needs it."""
    code = (
        "import sys; from pathlib import Path; from supervisor.gitio.repo import Repo; "
        f"r = Repo.discover(Path({str(repo)!r})); r.ref('refs/heads/main'); "
        "r.commit_tree(r.ref('refs/heads/main')); print('pygit2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_location_and_paths_agree_with_pygit2(repo: Path) -> None:
    light, heavy = Repo.at(locate(repo, {})), Repo.open(repo)
    assert light.git_dir.resolve() == heavy.git_dir.resolve()
    assert light.common_dir == heavy.common_dir
    assert light.workdir == heavy.workdir
    assert light.is_bare is heavy.is_bare is False


def test_reflogs_are_kept_where_git_keeps_them(repo: Path) -> None:
    light = _light(repo)
    head = git(repo, "rev-parse", "HEAD")
    light.set_ref("refs/agent/x/checkpoints", head, "git-agent: checkpoint 0")
    assert not (repo / ".git" / "logs" / "refs" / "agent").exists()  # as libgit2: none
    git(repo, "config", "core.logAllRefUpdates", "always")
    again = _light(repo)
    again.set_ref("refs/agent/x/scanned", head, "git-agent: scanned\nshadow")
    log = git(repo, "reflog", "show", "--format=%gs", "refs/agent/x/scanned")
    assert log == "git-agent: scanned shadow"
    branch = git(repo, "rev-parse", "--abbrev-ref", "HEAD")
    again.set_ref(f"refs/heads/{branch}", head, "moved by git-agent")  # its reflog exists
    assert git(repo, "reflog", "-1", "--format=%gs", branch) == "moved by git-agent"


def test_a_folder_where_the_ref_would_be_is_gits_error(repo: Path) -> None:
    light = _light(repo)
    head = git(repo, "rev-parse", "HEAD")
    light.set_ref("refs/agent/x/checkpoints", head, "m")
    with pytest.raises(GitError, match="refs/agent/x"):
        light.set_ref("refs/agent/x", head, "m")
    assert not (repo / ".git" / "refs" / "agent" / "x.lock").exists()
