"""Real signing keys made in a test: ssh (ssh-keygen) and OpenPGP (gpg), configured in a
repository the way a user configures git to sign."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit import git

EMAIL = "test@example.com"


def ssh_key(folder: Path, name: str = "key") -> tuple[Path, str]:
    """(private key file, public key line) of a new ed25519 key."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", EMAIL, "-f", str(key)],
        check=True,
        capture_output=True,
    )
    return key, (folder / f"{name}.pub").read_text().strip()


def allowed_signers(path: Path, *public: str) -> Path:
    path.write_text("".join(f"{EMAIL} {line}\n" for line in public))
    return path


def sign_with_ssh(repo: Path, key: Path, signers: Path | None) -> None:
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingKey", f"{key}.pub")
    if signers is not None:
        git(repo, "config", "gpg.ssh.allowedSignersFile", str(signers))


def gpg_key(home: Path) -> str:
    """The fingerprint of a new OpenPGP key in the keyring `home` (GNUPGHOME)."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--quiet",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"Test User <{EMAIL}>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    listing = subprocess.run(
        ["gpg", "--list-secret-keys", "--with-colons"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr"))
