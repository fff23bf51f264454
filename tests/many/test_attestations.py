"""Attested promotions: an in-toto Statement per promotion, in git, signed the way git signs
(ssh and gpg keys made here), verified the way git verifies; `verify` prints what judged a
commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supervisor import __version__
from tests.kit import cli, commit_policy, git, git_bytes, ref, start, tree_of, write_files
from tests.many.signing import allowed_signers, gpg_key, sign_with_ssh, ssh_key


def promote(repo: Path, name: str = "f", files: dict[str, str] | None = None) -> dict[str, Any]:
    shadow = repo / ".git" / "agent" / "features" / name / "shadow"
    write_files(shadow, files or {"src/new.py": f"value = {name!r}\n"})
    done = cli(repo, "promote", name, "--json")
    assert done.code == 0, done
    data = done.json()
    assert isinstance(data, dict)
    return data


def statement_of(repo: Path, attestation: str) -> dict[str, Any]:
    message = git(repo, "log", "-1", "--format=%B", attestation)
    title, _, body = message.partition("\n\n")
    assert title.startswith("git-agent attestation: agent/")
    data = json.loads(body)
    assert isinstance(data, dict)
    return data


def verify(repo: Path, rev: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    result = cli(repo, "verify", rev, "--json", env=env)
    assert result.code in (0, 1), result
    data = result.json()
    assert isinstance(data, dict)
    return result.code, data


def test_every_promotion_records_an_in_toto_statement(repo: Path) -> None:
    policy = commit_policy(repo, '[rules]\n"size" = "warning"\n')
    start(repo, plan='[scope]\nallow = ["src/**"]\n')
    done = promote(repo)
    commit, tree = done["commit"], tree_of(repo, done["commit"])
    attestation = done["attestation"]
    assert ref(repo, f"refs/agent/attestations/{tree}/{commit}") == attestation
    assert tree_of(repo, attestation) == tree  # it changes nothing
    assert git(repo, "rev-parse", f"{attestation}^") == commit
    found = statement_of(repo, attestation)
    assert found["_type"] == "https://in-toto.io/Statement/v1"
    assert found["subject"] == [{"name": "agent/f", "digest": {"gitTree": tree}}]
    said = found["predicate"]
    blob = git(repo, "rev-parse", f"{policy}:.git-agent/policy.toml")
    assert said["policy"] == {"commit": policy, "path": ".git-agent/policy.toml", "blob": blob}
    assert said["base"] == policy and said["base_ref"] == "refs/heads/main"
    assert said["plan_hash"].startswith("sha256:")
    assert said["checkpoint"] == {"number": 1, "commit": ref(repo, "refs/agent/f/checkpoints")}
    assert said["verdict"] == {"ok": True, "errors": 0, "warnings": 0}
    assert said["rules"] == {"policy": {"size": "warning"}, "plan": {}}
    assert said["plugins"]["secrets"] == __version__ and "scope" in said["plugins"]
    assert said["agent"] == {"name": None, "model": None, "cost": None}
    assert said["commit"] == commit and said["feature"] == "f"


def test_verify_prints_what_judged_a_commit(repo: Path) -> None:
    start(repo)
    done = promote(repo)
    code, data = verify(repo, "agent/f")
    assert code == 0 and data["attested"] is True
    assert data["attestation"]["signature"]["status"] == "unsigned"
    text = cli(repo, "verify", "agent/f")
    assert text.code == 0
    assert f"was promoted by git-agent; attestation {done['attestation'][:12]}" in text.out
    assert "signature   unsigned" in text.out
    assert "feature     f, checkpoint 1" in text.out
    assert "verdict     ok: 0 errors, 0 warnings" in text.out
    assert "agent       none recorded" in text.out
    missing = cli(repo, "verify", "main")
    assert missing.code == 1 and "no valid attestation names its tree" in missing.out


def test_a_message_only_amend_keeps_its_attestation(repo: Path) -> None:
    start(repo)
    done = promote(repo)
    amended = (
        git_bytes(
            repo,
            "commit-tree",
            tree_of(repo, done["commit"]),
            "-p",
            f"{done['commit']}^",
            input=b"a better message\n",
        )
        .decode()
        .strip()
    )
    code, data = verify(repo, amended)
    assert code == 0 and data["attestation"]["statement"]["predicate"]["commit"] == done["commit"]
    assert "with the same tree (its message changed since)" in cli(repo, "verify", amended).out


def test_an_ssh_signed_attestation_good_unknown_and_tampered(repo: Path, tmp_path: Path) -> None:
    key, public = ssh_key(tmp_path / "keys")
    signers = allowed_signers(tmp_path / "allowed", public)
    sign_with_ssh(repo, key, signers)
    start(repo)
    done = promote(repo)
    assert "-----BEGIN SSH SIGNATURE-----" in git(repo, "cat-file", "commit", done["attestation"])
    code, data = verify(repo, "agent/f")
    assert code == 0
    assert data["attestation"]["signature"]["status"] == "good"
    assert data["attestation"]["signature"]["signer"] == "test@example.com"
    assert "signed by test@example.com SHA256:" in cli(repo, "verify", "agent/f").out
    _, other = ssh_key(tmp_path / "keys", "other")
    git(repo, "config", "gpg.ssh.allowedSignersFile", str(allowed_signers(tmp_path / "o", other)))
    code, data = verify(repo, "agent/f")
    assert code == 0 and data["attestation"]["signature"]["status"] == "unknown-key"
    assert "signed by an unknown key" in cli(repo, "verify", "agent/f").out
    git(repo, "config", "--unset", "gpg.ssh.allowedSignersFile")
    code, data = verify(repo, "agent/f")
    assert data["attestation"]["signature"]["status"] == "unverifiable"
    # a forged verdict under the old signature
    git(repo, "config", "gpg.ssh.allowedSignersFile", str(signers))
    raw = git_bytes(repo, "cat-file", "commit", done["attestation"])
    forged = raw.replace(b'"warnings": 0', b'"warnings": 9')
    fake = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=forged)
    tree = tree_of(repo, done["commit"])
    git(repo, "update-ref", f"refs/agent/attestations/{tree}/{done['commit']}", fake)
    code, data = verify(repo, "agent/f")
    assert code == 1 and data["attested"] is False
    assert data["rejected"][0]["problem"] == "its signature is bad"


def test_a_gpg_signed_attestation(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "gnupg"
    fingerprint = gpg_key(home)
    monkeypatch.setenv("GNUPGHOME", str(home))  # git and gpg are child processes
    git(repo, "config", "gpg.format", "openpgp")
    git(repo, "config", "user.signingKey", fingerprint)
    start(repo)
    promote(repo)
    code, data = verify(repo, "agent/f")
    assert code == 0 and data["attestation"]["signature"]["status"] == "good"
    assert data["attestation"]["signature"]["key"] == fingerprint
    (tmp_path / "empty").mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(tmp_path / "empty"))
    code, data = verify(repo, "agent/f")
    assert data["attestation"]["signature"]["status"] == "unknown-key"


def test_a_key_that_cannot_sign_stops_the_promotion_before_anything_moves(repo: Path) -> None:
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingKey", str(repo.parent / "no-such-key.pub"))
    started = start(repo)
    write_files(started.shadow, {"src/new.py": "x = 1\n"})
    refused = cli(repo, "promote", "f")
    assert refused.code == 3 and "cannot sign the attestation" in refused.err
    assert ref(repo, "agent/f") == started.base
    assert not (repo / ".git" / "agent" / "features" / "f" / "promote.journal").exists()
    git(repo, "config", "agent.signAttestations", "false")
    assert cli(repo, "promote", "f").code == 0


def test_the_agent_may_verify(repo: Path) -> None:
    start(repo)
    promote(repo)
    assert cli(repo, "verify", "agent/f", env={"GIT_AGENT_FEATURE": "f"}).code == 0


@pytest.mark.parametrize("interrupted", ["promote:journal", "promote:branch"])
def test_a_promotion_rolled_forward_gets_its_attestation(repo: Path, interrupted: str) -> None:
    from tests.kit import run_cli

    started = start(repo)
    write_files(started.shadow, {"src/new.py": "x = 1\n"})
    killed = run_cli(repo, "promote", "f", env={"GIT_AGENT_FAULT": interrupted})
    assert killed.code != 0
    assert cli(repo, "status", "f").code == 0  # rolls forward
    code, data = verify(repo, "agent/f")
    assert code == 0 and data["attested"] is True
