"""Signed commits the way git makes and checks them: `git commit-tree -S` signs with git's own
configuration (`gpg.format`, `user.signingKey`, `gpg.program`, `gpg.ssh.program`, ...), and
`git log --format=%G?` verifies as `git verify-commit` does (`gpg.ssh.allowedSignersFile` for
ssh, gpg's keyring for OpenPGP). No pygit2: the gates use this."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from supervisor.errors import GitError
from supervisor.gitio.objects import SIGNATURE
from supervisor.gitio.run import run_git

# git's %G? letters, as words
GRADES = {
    "G": "good",
    "U": "unknown-key",  # a good signature by a key git does not trust (not an allowed signer)
    "E": "unknown-key",  # cannot be checked: the key is missing (gpg)
    "B": "bad",
    "X": "expired",
    "Y": "expired-key",
    "R": "revoked",
}
SIGNATURE_HEADERS = (b"gpgsig ", b"gpgsig-sha256 ")


class Signature(NamedTuple):
    status: str  # good, unsigned, unknown-key, unverifiable, bad, expired, expired-key, revoked
    signer: str | None = None  # who git says signed (the allowed signer's principal, the uid)
    key: str | None = None  # the key's fingerprint

    def as_json(self) -> dict[str, str | None]:
        return {"status": self.status, "signer": self.signer, "key": self.key}


def is_signed(raw_commit: bytes) -> bool:
    """Whether a commit object carries a signature header."""
    head = raw_commit.split(b"\n\n", 1)[0]
    return any(line.startswith(SIGNATURE_HEADERS) for line in head.split(b"\n"))


def commit_tree(
    git_dir: Path,
    tree: str,
    parents: Sequence[str],
    message: str,
    sign: bool,
    identity: Mapping[str, str] | None = None,
) -> str:
    """A commit of `tree`, signed by git when `sign` (with the user's signing configuration);
    `identity`: GIT_AUTHOR_* / GIT_COMMITTER_* when the repository has no user of its own."""
    args = [f"--git-dir={git_dir}", "commit-tree", "-S" if sign else "--no-gpg-sign"]
    for parent in parents:
        args += ["-p", parent]
    proc = run_git([*args, tree], git_dir, stdin=message.encode(), env=identity, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        what = "sign" if sign else "write"
        raise GitError(
            f"cannot {what} the attestation: {detail[-1] if detail else proc.returncode}"
            + (
                " (check gpg.format and user.signingKey, or set agent.signAttestations false)"
                if sign
                else ""
            )
        )
    return proc.stdout.decode().strip()


def fallback_identity(configured: bool) -> dict[str, str] | None:
    """git's identity variables for a repository without `user.name`/`user.email`."""
    if configured:
        return None
    name, email = SIGNATURE
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def check_signatures(
    git_dir: Path, commits: Sequence[str], allowed_signers: Path | None = None
) -> dict[str, Signature]:
    """git's verdict on each signed commit of `commits` (one `git log`); `allowed_signers`
    replaces `gpg.ssh.allowedSignersFile` when given."""
    if not commits:
        return {}
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"] if allowed_signers else []
    listing = "".join(f"{c}\n" for c in commits).encode()
    fields = "%H%x00%G?%x00%GS%x00%GF%x00%GK%x1e"
    proc = run_git(
        [
            *config,
            f"--git-dir={git_dir}",
            "log",
            "--no-walk=unsorted",
            "--stdin",
            f"--format={fields}",
        ],
        git_dir,
        stdin=listing,
        check=False,
    )
    found: dict[str, Signature] = {}
    for record in proc.stdout.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip("\n").split("\0")
        if len(parts) != 5:
            continue
        commit, grade, signer, fingerprint, key = parts
        status = GRADES.get(grade, "unverifiable")  # N on a signed commit: nothing to check with
        found[commit] = Signature(status, signer or None, fingerprint or key or None)
    return found
