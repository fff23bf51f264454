"""`[gates] require_attestation`: real pushes through the pre-push hook and a bare remote's
pre-receive, and `check` in a fresh clone, refuse content on agent/* that no promotion
attested; a message-only amend passes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.kit import cli, commit_policy, git, make_repo, ref, start, tree_of, write_files
from tests.many.signing import allowed_signers, sign_with_ssh, ssh_key

POLICY = '[gates]\nrequire_attestation = ["agent/*"]\n'


def attempt(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


class World:
    def __init__(self, tmp_path: Path, policy: str = POLICY, files: dict[str, str] | None = None):
        self.repo = make_repo(tmp_path / "repo", {"README.md": "demo\n", **(files or {})})
        commit_policy(self.repo, policy)
        self.remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", str(self.remote))
        git(self.repo, "remote", "add", "origin", str(self.remote))
        git(self.repo, "push", "-q", "origin", "main")
        assert cli(self.remote, "install-hooks").code == 0
        assert cli(self.repo, "install-hooks").code == 0
        self.tmp = tmp_path

    def promote(self, name: str = "f", files: dict[str, str] | None = None) -> str:
        if not (self.repo / ".git" / "agent" / "features" / name).is_dir():
            start(self.repo, name)
        shadow = self.repo / ".git" / "agent" / "features" / name / "shadow"
        write_files(shadow, files or {"src/new.py": "x = 1\n"})
        done = cli(self.repo, "promote", name, "--json")
        assert done.code == 0, done
        commit = done.json()["commit"]
        assert isinstance(commit, str)
        return commit

    @property
    def worktree(self) -> Path:
        return self.repo / ".git" / "agent" / "features" / "f" / "worktree"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_a_promoted_branch_goes_through_both_gates_with_its_attestation(world: World) -> None:
    commit = world.promote()
    pushed = attempt(world.repo, "push", "origin", "agent/f")
    assert pushed.returncode == 0, pushed.stderr
    assert "sent 1 attestation(s) of agent/f to origin" in pushed.stderr + pushed.stdout
    tree = tree_of(world.repo, commit)
    assert ref(world.remote, f"refs/agent/attestations/{tree}/{commit}") is not None


def test_content_changed_by_hand_is_refused_with_how_to_repromote(world: World) -> None:
    world.promote()
    write_files(world.worktree, {"src/new.py": "x = 2  # by hand\n"})
    git(world.worktree, "commit", "-q", "-a", "--no-verify", "-m", "a fix by hand")
    refused = attempt(world.repo, "push", "origin", "agent/f")
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr
    assert "attestation.missing" in said and "no promotion attests its tree" in said
    assert "git agent promote f" in said
    server = attempt(world.repo, "push", "--no-verify", "origin", "agent/f")
    assert server.returncode != 0 and "attestation.missing" in server.stderr
    assert ref(world.remote, "refs/heads/agent/f") is None


def test_a_message_only_amend_passes(world: World) -> None:
    world.promote()
    git(world.worktree, "commit", "-q", "--amend", "--no-verify", "-m", "a better title")
    pushed = attempt(world.repo, "push", "origin", "agent/f")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr


def test_the_server_reads_attestations_the_same_push_brings(world: World) -> None:
    commit = world.promote()
    alone = attempt(world.repo, "push", "--no-verify", "origin", "agent/f")
    assert alone.returncode != 0 and "attestation.missing" in alone.stderr
    tree = tree_of(world.repo, commit)
    attestation = f"refs/agent/attestations/{tree}/{commit}"
    both = attempt(
        world.repo, "push", "--no-verify", "origin", "agent/f", f"{attestation}:{attestation}"
    )
    assert both.returncode == 0, both.stderr


def test_other_branches_and_a_persons_commits_need_none(world: World) -> None:
    write_files(world.repo, {"docs/x.md": "x\n"})
    git(world.repo, "add", "-A")
    git(world.repo, "commit", "-q", "-m", "a person's commit, not pushed yet")
    world.promote()  # based on it
    pushed = attempt(world.repo, "push", "origin", "agent/f")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert attempt(world.repo, "push", "origin", "main").returncode == 0


def test_check_in_a_fresh_clone_fetches_the_attestations(world: World) -> None:
    world.promote()
    assert attempt(world.repo, "push", "origin", "agent/f").returncode == 0
    clone = world.tmp / "ci"
    git(world.tmp, "clone", "-q", str(world.remote), str(clone))
    assert git(clone, "for-each-ref", "refs/agent/") == ""
    result = cli(clone, "check", "--base", "origin/main", "--head", "origin/agent/f")
    assert result.code == 0, result
    assert git(clone, "for-each-ref", "refs/agent/attestations/") != ""
    # a hand change pushed past the hooks cannot reach the server; a CI clone of a forge
    # without the server gate can hold one: made here, and caught
    git(clone, "checkout", "-q", "-b", "agent/f", "origin/agent/f")
    write_files(clone, {"src/new.py": "by hand\n"})
    git(clone, "commit", "-q", "-a", "--no-verify", "-m", "by hand")
    caught = cli(clone, "check", "--base", "origin/main", "--head", "HEAD")
    assert caught.code == 1 and "attestation.missing" in caught.out, caught
    unknown = cli(
        clone, "check", "--base", "origin/main", "--head", git(clone, "rev-parse", "HEAD")
    )
    assert unknown.code == 0 and "pass --branch" in unknown.err
    named = cli(clone, "check", "--base", "origin/main", "--head", "HEAD~0", "--branch", "agent/f")
    assert named.code == 1
    # a pull request's merge ref, as actions/checkout fetches it, vouches for nothing
    git(clone, "update-ref", "refs/remotes/pull/1/merge", "HEAD")
    head = git(clone, "rev-parse", "HEAD")
    git(clone, "checkout", "-q", "--detach")
    ci = cli(
        clone, "check", "--base", "origin/main", "--head", head, env={"GITHUB_HEAD_REF": "agent/f"}
    )
    assert ci.code == 1 and "attestation.missing" in ci.out, ci


def test_a_required_signature_from_the_policys_own_allowed_signers(tmp_path: Path) -> None:
    key, public = ssh_key(tmp_path / "keys")
    policy = POLICY + 'require_signature = true\nallowed_signers = ".git-agent/allowed_signers"\n'
    world = World(tmp_path, policy, {".git-agent/allowed_signers": f"test@example.com {public}\n"})
    world.promote()  # unsigned: no signing configured
    refused = attempt(world.repo, "push", "origin", "agent/f")
    assert refused.returncode != 0
    assert "the policy requires a signature git trusts" in refused.stdout + refused.stderr
    sign_with_ssh(world.repo, key, None)  # no allowedSignersFile: the policy's file serves
    assert cli(world.repo, "remove", "f", "--force", "--forget").code == 0
    world.promote()
    pushed = attempt(world.repo, "push", "origin", "agent/f")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    said = cli(world.repo, "verify", "agent/f")
    assert said.code == 0 and "signed by test@example.com" in said.out, said
    _, stranger = ssh_key(tmp_path / "keys", "stranger")
    git(
        world.repo,
        "config",
        "gpg.ssh.allowedSignersFile",
        str(allowed_signers(tmp_path / "s", stranger)),
    )
    assert (
        "signed by test@example.com" in cli(world.repo, "verify", "agent/f").out
    )  # the policy's file wins


def test_the_policy_key_is_checked(repo: Path) -> None:
    commit_policy(repo, '[gates]\nallowed_signers = "/etc/keys"\n')
    result = cli(repo, "start", "x")
    assert result.code == 2 and "allowed_signers" in result.err


def test_git_agent_push_through_both_gates(world: World) -> None:
    """The push carries its attestations itself: the hook sends nothing twice."""
    commit = world.promote()
    pushed = cli(world.repo, "push", "f", "--json")
    assert pushed.code == 0, pushed
    tree = tree_of(world.repo, commit)
    assert ref(world.remote, f"refs/agent/attestations/{tree}/{commit}") is not None
    assert ref(world.remote, "refs/heads/agent/f") == commit
