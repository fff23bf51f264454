"""Gates a team turns on without --no-verify (issue 8, cases 1 to 5): adopting and changing
the policy, history before it, --all-files, the server's gate, odd clones. Real git commits,
pushes to a real bare remote, the real pre-commit framework."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli, commit_all, git

ROOT = Path(__file__).resolve().parents[2]


def token() -> str:
    return "gh" + "p_" + "aB3dE9fGh1" * 3 + "xY9z8w"


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    full.update(env or {})
    return subprocess.run(
        list(args), cwd=cwd, env=full, capture_output=True, text=True, check=False
    )


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    return bare


def adopt(repo: Path) -> None:
    assert cli(repo, "init").code == 0
    assert cli(repo, "install-hooks").code == 0
    git(repo, "add", ".git-agent/policy.toml")


def test_adopting_the_policy_passes_pre_commit_pre_push_and_check(repo: Path, remote: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    adopt(repo)
    done = run(repo, "git", "commit", "-m", "adopt git-agent")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "adopts the policy" in done.stdout + done.stderr
    pushed = run(repo, "git", "push", "origin", "HEAD:refs/heads/main")  # a first push
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    checked = cli(repo, "check", "--base", base)
    assert checked.code == 0, checked
    assert "adopts the policy" in checked.out


def test_a_single_root_commit_adopting_the_policy_pushes(tmp_path: Path, remote: Path) -> None:
    fresh = tmp_path / "fresh"
    git(tmp_path, "init", "-q", str(fresh))
    (fresh / "README.md").write_text("hello\n")
    assert cli(fresh, "init").code == 0
    assert cli(fresh, "install-hooks").code == 0
    git(fresh, "add", "-A")
    assert run(fresh, "git", "commit", "-m", "root, with the policy").returncode == 0
    git(fresh, "remote", "add", "origin", str(remote))
    pushed = run(fresh, "git", "push", "origin", "HEAD:refs/heads/main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr


def test_a_later_policy_change_is_a_notice_locally_and_needs_an_approval_in_ci(repo: Path) -> None:
    adopt(repo)
    git(repo, "commit", "-qm", "adopt")
    base = git(repo, "rev-parse", "HEAD")
    policy = repo / ".git-agent" / "policy.toml"
    policy.write_text(policy.read_text().replace('"**/id_rsa*"', ""))
    git(repo, "add", "-A")
    done = run(repo, "git", "commit", "-m", "loosen")
    assert done.returncode == 0 and "changes the policy" in done.stdout + done.stderr
    refused = cli(repo, "check", "--base", base)
    assert refused.code == 1 and "GIT_AGENT_APPROVED_POLICY=" in refused.out
    blob = git(repo, "rev-parse", "HEAD:.git-agent/policy.toml")
    approved = cli(repo, "check", "--base", base, env={"GIT_AGENT_APPROVED_POLICY": blob})
    assert approved.code == 0 and "approved" in approved.out
    git(repo, "rm", "-q", ".git-agent/policy.toml")
    git(repo, "commit", "-qm", "drop the policy", "--no-verify")
    deleted = cli(repo, "check", "--base", git(repo, "rev-parse", "HEAD~1"))
    assert deleted.code == 1 and "deleted:.git-agent/policy.toml" in deleted.out


def test_a_policy_change_in_a_feature_worktree_is_an_error(repo: Path) -> None:
    adopt(repo)
    git(repo, "commit", "-qm", "adopt")
    assert cli(repo, "start", "f").code == 0
    worktree = Path(cli(repo, "status", "f", "--json").json()["worktree"])  # type: ignore[index]
    (worktree / ".git-agent" / "policy.toml").write_text("version = 1\n")
    git(worktree, "add", "-A")
    done = run(worktree, "git", "commit", "-m", "loosen from the feature")
    assert done.returncode != 0 and "git.policy" in done.stdout + done.stderr


def test_history_before_the_policy_is_not_judged_but_after_it_is(repo: Path, remote: Path) -> None:
    (repo / "tests" / "certs").mkdir(parents=True)
    (repo / "tests" / "certs" / "server.pem").write_text("-----BEGIN " + "PRIVATE KEY-----\nabc\n")
    commit_all(repo, "old test keys, years before any policy")
    adopt(repo)
    git(repo, "commit", "-qm", "adopt")
    pushed = run(repo, "git", "push", "origin", "HEAD:refs/heads/main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    (repo / "later.pem").write_text("new\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "new key, after adoption", "--no-verify")
    pushed = run(repo, "git", "push", "origin", "HEAD:refs/heads/main")
    assert pushed.returncode != 0 and "later.pem" in pushed.stdout + pushed.stderr


def test_a_branch_that_deletes_the_policy_is_still_judged(repo: Path, remote: Path) -> None:
    adopt(repo)
    git(repo, "commit", "-qm", "adopt")
    run(repo, "git", "push", "origin", "HEAD:refs/heads/main")
    git(repo, "rm", "-q", ".git-agent/policy.toml")
    (repo / ".env").write_text("A=1\n")
    git(repo, "add", "-f", ".env")
    git(repo, "commit", "-qm", "drop the policy and add .env", "--no-verify")
    pushed = run(repo, "git", "push", "origin", "HEAD:refs/heads/other")
    assert pushed.returncode != 0 and ".env" in pushed.stdout + pushed.stderr


def test_pre_commit_all_files_judges_the_whole_tree(repo: Path, tmp_path: Path) -> None:
    (repo / "config.py").write_text(f'TOKEN = "{token()}"\n')
    (repo / ".env").write_text("A=1\n")
    git(repo, "add", "-f", "-A")
    git(repo, "commit", "-qm", "a token and .env, committed long ago")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: HEAD\n  hooks:\n  - id: git-agent-files\n"
    )
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    done = run(
        repo,
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        "git-agent-files",
        "--all-files",
        env=env,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "secrets.github-token" in out and "scope.denied" in out and ".env" in out
    assert token() not in out


def test_the_server_gate_refuses_what_no_verify_pushed(repo: Path, tmp_path: Path) -> None:
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    installed = cli(server, "install-hooks")
    assert installed.code == 0 and "pre-receive" in installed.out
    git(repo, "remote", "add", "server", str(server))
    assert run(repo, "git", "push", "server", "HEAD:refs/heads/main").returncode == 0
    (repo / "c.py").write_text(f"T = '{token()}'\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a token")
    pushed = run(repo, "git", "push", "--no-verify", "server", "HEAD:refs/heads/main")
    out = pushed.stdout + pushed.stderr
    assert pushed.returncode != 0 and "secrets.github-token" in out and "declined" in out
    assert token() not in out
    assert git(server, "rev-parse", "main") == git(repo, "rev-parse", "HEAD~1")
    checked = cli(server, "check", "--base", "main", "--head", "main")
    assert checked.code == 0, checked  # check works in a bare repository


def test_the_server_gate_needs_its_own_approval_for_a_policy_change(
    repo: Path, tmp_path: Path
) -> None:
    adopt(repo)
    git(repo, "commit", "-qm", "adopt")
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    cli(server, "install-hooks")
    git(repo, "remote", "add", "server", str(server))
    assert run(repo, "git", "push", "server", "HEAD:refs/heads/main").returncode == 0
    (repo / ".git-agent" / "policy.toml").write_text("version = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "loosen", "--no-verify")
    refused = run(repo, "git", "push", "--no-verify", "server", "HEAD:refs/heads/main")
    assert refused.returncode != 0 and "agent.approvedPolicy" in refused.stdout + refused.stderr
    blob = git(repo, "rev-parse", "HEAD:.git-agent/policy.toml")
    git(server, "config", "agent.approvedPolicy", blob)
    assert run(repo, "git", "push", "--no-verify", "server", "HEAD:refs/heads/main").returncode == 0


def test_a_shallow_clone_cut_inside_the_range_is_exit_3(repo: Path, tmp_path: Path) -> None:
    for i in range(4):
        (repo / f"f{i}.txt").write_text(f"{i}\n")
        commit_all(repo, f"c{i}")
    git(repo, "tag", "target", "HEAD~4")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(shallow))
    git(shallow, "fetch", "-q", "--depth", "1", "origin", "tag", "target")  # CI's target branch
    done = cli(shallow, "check", "--base", "target", "--head", "HEAD")
    assert done.code == 3, done
    assert "shallow" in done.err and "fetch" in done.err and "Traceback" not in done.err


def test_a_token_in_a_commit_message_is_flagged_and_never_printed(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    (repo / "notes.md").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"deploy with {token()}")
    for form in ("text", "json", "junit", "sarif", "github"):
        done = cli(repo, "check", "--base", base, "--format", form)
        assert done.code == 1, (form, done)
        assert token() not in done.out + done.err, form
        assert "secrets.github-token" in done.out, form
