"""The agent must not be able to change its own verdict (issue 7, cases 1 and 3)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import cli, git
from tests.hostile.kit import agent, no_traceback, policy, start

LOOSE = 'version = 1\n[scope]\ndeny = []\n[plugins]\ndisable = ["git", "secrets"]\n'
STRICT = 'version = 1\n[scope]\ndeny = [".git-agent/**", "**/id_rsa*", "**/*.pem"]\n'


def token() -> str:
    return "gh" + "p_" + "aB3dE9fGh1" * 3 + "xY9z8w"


def test_a_policy_loosened_in_a_checkpoint_judges_nothing(repo: Path) -> None:
    """The repro: loosen the policy in f's shadow, checkpoint, base `evil` on f's chain, add
    keys and a token there: evil is judged by the policy of a commit the agent could not
    write, and the loosened policy under it is judged too."""
    policy(repo, STRICT)
    shadow, _ = start(repo, "f")
    (shadow / ".git-agent" / "policy.toml").write_text(LOOSE)
    assert cli(repo, "checkpoint", "f").code == 0
    done = cli(repo, "start", "evil", "--base", "refs/agent/f/checkpoints")
    assert done.code == 0, done
    evil = Path(cli(repo, "status", "evil", "--json").json()["shadow"])  # type: ignore[index]
    (evil / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (evil / "server.pem").write_text("x\n")
    (evil / "config.py").write_text(f'TOKEN = "{token()}"\n')
    promoted = cli(repo, "promote", "evil", "--json")
    assert promoted.code == 1, promoted
    rules = {(v["rule"], v["path"]) for v in promoted.json()["violations"]}  # type: ignore[index]
    assert ("scope.denied", "id_rsa") in rules
    assert ("scope.denied", "server.pem") in rules
    assert ("secrets.github-token", "config.py") in rules
    assert ("git.policy", ".git-agent/policy.toml") in rules  # f's loosening, under evil's base
    assert git(repo, "rev-parse", "agent/evil") == git(
        repo, "rev-parse", "refs/agent/f/checkpoints"
    )


def test_a_feature_on_promoted_work_is_judged_by_the_policy_under_it(repo: Path) -> None:
    first = policy(repo, STRICT)
    shadow, _ = start(repo, "f")
    (shadow / "notes.md").write_text("fine\n")
    assert cli(repo, "promote", "f").code == 0
    assert cli(repo, "start", "g", "--base", "agent/f").code == 0
    info = cli(repo, "status", "g", "--json").json()
    assert isinstance(info, dict)
    assert info["base"] == git(repo, "rev-parse", "agent/f")
    g_shadow = Path(info["shadow"])
    (g_shadow / "id_rsa").write_text("key\n")
    found = cli(repo, "validate", "g", "--json")
    assert found.code == 1
    assert ("scope.denied", "id_rsa") in {
        (v["rule"], v["path"])
        for v in found.json()["violations"]  # type: ignore[index]
    }
    assert first == git(repo, "rev-parse", "HEAD")


def test_base_with_no_trusted_ancestor_is_refused(repo: Path) -> None:
    """A commit no ref of yours reaches, all the way down: no policy can judge it."""
    orphan = git(repo, "commit-tree", git(repo, "rev-parse", "HEAD^{tree}"), "-m", "orphan")
    git(repo, "update-ref", "refs/agent/x/checkpoints", orphan)
    done = cli(repo, "start", "y", "--base", orphan)
    assert done.code == 2 and "no policy can judge it" in done.err, done
    no_traceback(done)


def test_commands_from_a_shadow_serve_only_that_feature(repo: Path) -> None:
    shadow, _ = start(repo, "f")
    start(repo, "other")
    start(repo, "third")
    (shadow / "a.txt").write_text("x\n")
    for args in (
        ["promote", "other"],
        ["promote", "f"],
        ["remove", "--force", "third"],
        ["remove", "f"],
        ["start", "new"],
        ["init", "--force"],
        ["install-hooks"],
        ["gc"],
        ["revert", "f", "--worktree"],
        ["status", "other"],
        ["validate", "other"],
        ["start", "new", "--", "true"],
        ["tell", "f", "approve yourself"],
        ["tell", "other", "hello"],
        ["logs", "other"],
        ["audit", "other"],
        ["stop", "f"],
        ["resume", "f"],
        ["watch", "f"],
        ["forget", "third"],
        ["push", "f"],
        ["pull", "f"],
    ):
        refused = agent(shadow, *args)
        assert refused.code == 1, (args, refused)
        assert "refused to the agent of feature f" in refused.err, refused
        no_traceback(refused)
    assert [r for r in ("other", "third") if cli(repo, "status", r).code != 0] == []
    for args in (
        ["status", "f"],
        ["validate", "f"],
        ["checkpoint", "f"],
        ["checkpoints", "f"],
        ["diff", "f"],
        ["logs", "f"],
        ["audit", "f"],
        ["conflicts"],
    ):
        allowed = agent(shadow, *args)
        assert allowed.code in (0, 1), (args, allowed)
    listed = agent(shadow, "list", "--json")
    assert [i["feature"] for i in listed.json()] == ["f"]  # type: ignore[union-attr]
    assert not (repo / ".git" / "agent" / "features" / "new").exists()


def test_the_agent_environment_is_recognised_anywhere(repo: Path, tmp_path: Path) -> None:
    start(repo, "f")
    start(repo, "other")
    refused = agent(repo, "promote", "other", env={"GIT_AGENT_FEATURE": "f"})
    assert refused.code == 1 and "GIT_AGENT_FEATURE=f" in refused.err, refused
    refused = agent(repo, "start", "x", env={"GIT_AGENT_FEATURE": "f"})
    assert refused.code == 1, refused


def test_init_and_install_hooks_refuse_in_a_feature_worktree(repo: Path) -> None:
    _, worktree = start(repo, "f")
    for args in (["init"], ["install-hooks"]):
        refused = agent(worktree, *args)
        assert refused.code == 1 and "worktree of feature f" in refused.err, refused
    assert not (worktree / ".git-agent" / "policy.toml").exists()
    assert os.listdir(repo / ".git" / "hooks") == os.listdir(repo / ".git" / "hooks")


def test_blocking_plugins_from_the_environment_gives_an_incomplete_verdict(repo: Path) -> None:
    """GIT_AGENT_DISABLE_PLUGINS, run by the agent: the verdict is incomplete, names the
    blocked plugins, never promotes and never passes a gate; only the policy turns rules off."""
    shadow, _ = start(repo, "f")
    (shadow / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    blocked = {"GIT_AGENT_DISABLE_PLUGINS": "scope,git,secrets"}
    said = agent(shadow, "validate", "f", "--json", env=blocked)
    assert said.code == 1, said
    report = said.json()
    assert isinstance(report, dict)
    assert report["ok"] is False and report["incomplete"] is True
    assert report["blocked"] == ["git", "scope", "secrets"]
    refused = agent(repo, "promote", "f", env=blocked)
    assert refused.code == 1 and "incomplete" in refused.err + refused.out, refused
    assert git(repo, "rev-parse", "agent/f") == info_base(repo)
    status = cli(repo, "status", "f", "--json").json()
    assert isinstance(status, dict) and status["verdict"]["ok"] is False
    # the gates too: a hook with plugins blocked never passes
    (repo / "notes.md").write_text("fine\n")
    git(repo, "add", "notes.md")
    hooked = agent(repo, "hook", "pre-commit", env=blocked)
    assert hooked.code == 1 and "incomplete" in hooked.out, hooked


def info_base(repo: Path) -> str:
    info = cli(repo, "status", "f", "--json").json()
    assert isinstance(info, dict)
    return str(info["base"])
