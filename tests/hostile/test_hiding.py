"""Content that hides from the rules, and a policy that is not a file (issue 7, cases 8 and 12)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import cli, commit_all, git
from tests.hostile.kit import no_traceback, start


def token() -> str:
    return "gh" + "p_" + "aB3dE9fGh1" * 3 + "xY9z8w"


def test_a_nested_repository_in_the_shadow_is_a_git_error(repo: Path) -> None:
    shadow, _ = start(repo)
    (shadow / "sub" / ".git").mkdir(parents=True)
    (shadow / "sub" / ".git" / "config").write_text("[core]\n\tfsmonitor = touch /tmp/pwned\n")
    (shadow / "sub" / "file.txt").write_text("x\n")
    done = cli(repo, "validate", "f", "--json")
    assert done.code == 1, done
    found = {(v["rule"], v["path"]) for v in done.json()["violations"]}  # type: ignore[index]
    assert ("git.nested-repository", "sub/.git") in found
    assert cli(repo, "promote", "f").code == 1
    ls = git(repo, "ls-tree", "-r", "--name-only", "refs/agent/f/checkpoints")
    assert "sub/file.txt" in ls and ".git" not in ls
    import shutil

    shutil.rmtree(shadow / "sub" / ".git")
    assert cli(repo, "validate", "f").code == 0


def test_one_nul_byte_does_not_hide_a_token(repo: Path) -> None:
    shadow, _ = start(repo)
    (shadow / "data.bin").write_bytes(b"\0header\0" + f"token={token()}".encode() + b"\0")
    done = cli(repo, "validate", "f", "--json")
    assert done.code == 1
    hits = [v for v in done.json()["violations"] if v["rule"] == "secrets.github-token"]  # type: ignore[index]
    assert hits and hits[0]["path"] == "data.bin" and hits[0]["line"] is None
    assert token() not in done.out


def test_pre_push_judges_tags_of_trees_and_blobs(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "HEAD:refs/heads/main")
    assert cli(repo, "install-hooks").code == 0
    blob = git(repo, "hash-object", "-w", "--stdin", input=f"key = {token()}\n".encode())
    git(repo, "tag", "blobtag", blob)
    (repo / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    git(repo, "add", "-f", "id_rsa")
    tree = git(repo, "write-tree")
    git(repo, "reset", "-q")
    git(repo, "tag", "treetag", tree)
    for tag in ("blobtag", "treetag"):
        pushed = subprocess.run(
            ["git", "push", "origin", tag], cwd=repo, capture_output=True, text=True
        )
        assert pushed.returncode != 0, (tag, pushed.stderr)
        assert "breaks the policy" in pushed.stdout + pushed.stderr
    assert token() not in pushed.stdout + pushed.stderr


def test_a_policy_that_is_a_directory_is_named_as_such(repo: Path) -> None:
    (repo / ".git-agent" / "policy.toml").mkdir(parents=True)
    (repo / ".git-agent" / "policy.toml" / "x").write_text("x\n")
    commit_all(repo, "a policy directory")
    done = cli(repo, "start", "f")
    assert done.code == 2 and "is not a file" in done.err and "UTF-8" not in done.err, done
    no_traceback(done)
