"""Attestations of promotions: an in-toto Statement (v1) per promoted commit, kept in git.

An attestation is a commit on `refs/agent/attestations/<tree>/<commit>`: its parent is the
promoted commit, its tree is the promoted tree itself (it changes nothing), and its message is
a title line then the Statement as JSON. The Statement's subject is the promoted tree
(`gitTree`), its predicate says what judged it: base, plan hash, the policy's blob, the
checkpoint, the verdict, the rules and plugins in force, the agent. Signed, it is signed and
verified as git signs and verifies any commit (`gitio.signing`).

Why a commit on a ref of its own, not a note: a ref per attestation travels with an explicit
refspec, two machines promoting at once never race for one notes ref, git signs and verifies
commits with the user's own configuration, and the key (the tree) is what the gates look up:
a commit whose message alone was amended keeps its tree, so its attestation still holds.

Reading goes through the git CLI only (the gates read attestations too)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from supervisor.errors import GitError
from supervisor.gitio.catfile import CatFile
from supervisor.gitio.run import run_git
from supervisor.gitio.signing import Signature, is_signed
from supervisor.store.names import ATTESTATIONS

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://git-agent.dev/attestation/promotion/v1"
TITLE = "git-agent attestation"
CHUNK = 200  # tree prefixes per for-each-ref


class Attestation(NamedTuple):
    ref: str
    commit: str  # the attestation's own commit
    tree: str  # its tree (the promoted tree)
    parents: tuple[str, ...]  # the promoted commit
    signed: bool
    statement: dict[str, Any] | None  # None: the message holds no Statement
    problem: str | None = None  # why it cannot vouch for anything, whatever the signature

    @property
    def subject_tree(self) -> str | None:
        return subject_tree(self.statement) if self.statement else None

    @property
    def predicate(self) -> dict[str, Any]:
        found = (self.statement or {}).get("predicate")
        return found if isinstance(found, dict) else {}


def statement(tree: str, branch: str, predicate: dict[str, Any]) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": branch, "digest": {"gitTree": tree}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def message(title: str, found: dict[str, Any]) -> str:
    return f"{TITLE}: {title}\n\n{json.dumps(found, indent=2, sort_keys=True)}\n"


def subject_tree(found: dict[str, Any]) -> str | None:
    subjects = found.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        return None
    digest = subjects[0].get("digest")
    tree = digest.get("gitTree") if isinstance(digest, dict) else None
    return tree if isinstance(tree, str) else None


def parse_statement(text: str) -> dict[str, Any] | None:
    """The Statement in an attestation's message, or None."""
    title, _, body = text.partition("\n\n")
    if not title.startswith(TITLE):
        return None
    try:
        found = json.loads(body)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("_type") != STATEMENT_TYPE:
        return None
    if found.get("predicateType") != PREDICATE_TYPE or subject_tree(found) is None:
        return None
    return found


def listed(git_dir: Path, trees: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """tree -> [(ref, attestation commit)] of the attestation refs here for each tree."""
    wanted = sorted(set(trees))
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(wanted), CHUNK):
        patterns = [f"{ATTESTATIONS}{tree}/" for tree in wanted[start : start + CHUNK]]
        proc = run_git(
            [
                f"--git-dir={git_dir}",
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                *patterns,
            ],
            git_dir,
            check=False,
        )
        for line in proc.stdout.decode(errors="replace").splitlines():
            commit, _, ref = line.partition(" ")
            tree = ref[len(ATTESTATIONS) :].split("/", 1)[0]
            found.setdefault(tree, []).append((ref, commit))
    return found


def load(objects: CatFile, refs: Sequence[tuple[str, str]]) -> list[Attestation]:
    """The attestations the (ref, commit) pairs name, read and parsed (not yet verified)."""
    out = []
    for ref, commit in refs:
        try:
            kind, raw = objects.read(commit)
        except GitError:
            continue  # a missing object: an attestation that is not there
        out.append(parse(ref, commit, raw) if kind == 1 else _broken(ref, commit, "not a commit"))
    return out


def parse(ref: str, commit: str, raw: bytes) -> Attestation:
    head, _, body = raw.partition(b"\n\n")
    tree, parents = "", []
    for line in head.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
    found = parse_statement(body.decode("utf-8", "replace"))
    problem = None
    if found is None:
        problem = "its message holds no git-agent Statement"
    elif subject_tree(found) != tree:
        problem = "its Statement names another tree than the one it carries"
    return Attestation(ref, commit, tree, tuple(parents), is_signed(raw), found, problem)


def _broken(ref: str, commit: str, why: str) -> Attestation:
    return Attestation(ref, commit, "", (), False, None, why)


def judge(found: Attestation, tree: str, signature: Signature | None, signed: bool) -> str | None:
    """Why `found` does not vouch for `tree` (`signed`: a signature git trusts is required);
    None when it does."""
    if found.problem:
        return found.problem
    if found.subject_tree != tree:
        return f"it attests tree {found.subject_tree}, not {tree}"
    verdict = found.predicate.get("verdict")
    if not isinstance(verdict, dict) or verdict.get("ok") is not True:
        return "its verdict is not ok"
    status = signature.status if signature else "unsigned"
    if status in ("bad", "revoked"):
        return f"its signature is {status}"
    if signed and status != "good":
        return f"it is {describe(signature)}, and the policy requires a signature git trusts"
    return None


def describe(signature: Signature | None) -> str:
    """`signed by alice@example.com (good)`, `unsigned`, `signed by an unknown key ...`."""
    if signature is None or signature.status == "unsigned":
        return "unsigned"
    key = f" {signature.key}" if signature.key else ""
    if signature.status == "good":
        return f"signed by {signature.signer or 'a trusted key'}{key} (good)"
    if signature.status == "unknown-key":
        return f"signed by an unknown key{key} (not an allowed signer, or not in the keyring)"
    if signature.status == "unverifiable":
        return (
            f"signed{key}, but git has nothing to verify it with "
            "(gpg.ssh.allowedSignersFile is not set)"
        )
    return f"signed{key}, signature {signature.status}"
