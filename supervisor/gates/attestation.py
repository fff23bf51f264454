"""`[gates] require_attestation`: on the branches it names, every new commit's tree must be
named by a valid attestation of a promotion (see `store.attestations`).

A commit whose content was changed by hand (amended, rebased onto other content, made outside
git-agent) has a tree no promotion attested: it is refused, with how to re-promote. A commit
whose message alone was amended keeps its tree, and passes. On a push, commits a person's
branch already holds (reachable from a ref that is not agent work) are not the agent's and are
not asked for one; in CI every commit of the range is. With `require_signature`, the attestation must carry a signature git trusts
(`gpg.ssh.allowedSignersFile`, or the policy's own `allowed_signers` file; gpg's keyring).

Attestations must reach the gate: pre-push fetches those it lacks from the remote it pushes to
and sends along those the remote lacks; `check` fetches them from the remote (`--remote`);
the server's gate reads those it has and those the same push brings."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from supervisor.config.globs import Globs
from supervisor.config.rules import Gates, Rules
from supervisor.gates.repository import GateRepo
from supervisor.gitio.run import run_git
from supervisor.gitio.signing import Signature, check_signatures
from supervisor.rules.types import Violation
from supervisor.store import attestations
from supervisor.store.attestations import Attestation
from supervisor.store.names import ATTESTATIONS, is_trusted_ref

MISSING = "attestation.missing"
INVALID = "attestation.invalid"


class Vouched(NamedTuple):
    """What the attestations here say of one tree: the one that vouches for it, if any, and
    why each other one does not."""

    tree: str
    valid: Attestation | None
    signature: Signature | None
    rejected: list[tuple[Attestation, Signature, str]]


class Checked(NamedTuple):
    violations: dict[str, list[Violation]]  # commit -> what is wrong
    notices: dict[str, list[str]]


def applies(gates: Gates, branch: str | None) -> bool:
    return (
        bool(gates.require_attestation)
        and branch is not None
        and Globs(gates.require_attestation).match(branch)
    )


def branch_name(ref: str) -> str | None:
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None


def check_commits(
    repo: GateRepo,
    rules: Rules,
    branch: str,
    commits: Sequence[str],
    extra: Sequence[tuple[str, str]] = (),
    fetch_from: str | None = None,
    persons: bool = True,
) -> Checked:
    """The attestation verdict on each of `commits` (new on `branch`); `extra`: attestation
    refs (name, commit) the same push brings; `fetch_from`: a remote to fetch missing ones from;
    `persons`: leave out the commits a person's branch here already holds (a push; not in CI,
    where a checkout's refs, such as a pull request's merge ref, say nothing of who wrote what)."""
    gates = rules.policy.gates
    if not applies(gates, branch) or not commits:
        return Checked({}, {})
    agent_work = _not_a_persons(repo, commits) if persons else list(commits)
    if not agent_work:
        return Checked({}, {})
    trees = trees_of(repo, agent_work)
    with allowed_signers(repo, rules) as signers:
        found = vouch(repo, trees.values(), gates.require_signature, signers, extra)
        missing = sorted({t for t in trees.values() if found[t].valid is None})
        if missing and fetch_from and fetch(repo, fetch_from, missing):
            found.update(vouch(repo, missing, gates.require_signature, signers, extra))
    violations: dict[str, list[Violation]] = {}
    notices: dict[str, list[str]] = {}
    for commit, tree in trees.items():
        said = found[tree]
        if said.valid is None:
            violations[commit] = [_violation(branch, commit, said)]
        elif said.signature is not None and said.signature.status != "good":
            notices[commit] = [f"is attested, {attestations.describe(said.signature)}"]
    return Checked(violations, notices)


def _violation(branch: str, commit: str, said: Vouched) -> Violation:
    feature = branch.removeprefix("agent/")
    how = (
        f"content changed outside git-agent is not promoted work: put {branch} back at its last "
        f"promotion (`git reset --keep <commit>` in the feature's worktree), make the change "
        f"in the feature's shadow and `git agent promote {feature}`"
    )
    if not said.rejected:
        return Violation(
            MISSING,
            f"commit {commit[:12]} on {branch}: no promotion attests its tree "
            f"{said.tree[:12]}; {how}",
        )
    attestation, _, why = said.rejected[0]
    return Violation(
        INVALID,
        f"commit {commit[:12]} on {branch}: its attestation {attestation.commit[:12]} does not "
        f"hold: {why}",
    )


def vouch(
    repo: GateRepo,
    trees: Iterable[str],
    signed: bool,
    signers: Path | None,
    extra: Sequence[tuple[str, str]] = (),
) -> dict[str, Vouched]:
    """For each tree, the attestation here (or among `extra`) that vouches for it."""
    wanted = sorted(set(trees))
    listed = attestations.listed(repo.where.git_dir, wanted)
    for ref, commit in extra:
        tree = ref[len(ATTESTATIONS) :].split("/", 1)[0]
        if tree in wanted and (ref, commit) not in listed.get(tree, []):
            listed.setdefault(tree, []).append((ref, commit))
    loaded = attestations.load(repo.objects, [pair for t in wanted for pair in listed.get(t, [])])
    checked = check_signatures(repo.where.git_dir, [a.commit for a in loaded if a.signed], signers)
    out = {}
    for tree in wanted:
        good: list[tuple[Attestation, Signature]] = []
        rejected = []
        for found in (a for a in loaded if a.ref.startswith(f"{ATTESTATIONS}{tree}/")):
            signature = (
                checked.get(found.commit, Signature("unsigned"))
                if found.signed
                else (Signature("unsigned"))
            )
            problem = attestations.judge(found, tree, signature, signed)
            if problem is None:
                good.append((found, signature))
            else:
                rejected.append((found, signature, problem))
        good.sort(key=lambda item: item[1].status != "good")
        best = good[0] if good else (None, None)
        out[tree] = Vouched(tree, best[0], best[1], rejected)
    return out


def trees_of(repo: GateRepo, commits: Sequence[str]) -> dict[str, str]:
    listing = "".join(f"{c}\n" for c in commits).encode()
    out = repo.git.git(["log", "--no-walk=unsorted", "--stdin", "--format=%H %T"], stdin=listing)
    return dict(line.split(" ", 1) for line in out.decode().splitlines() if " " in line)


def _not_a_persons(repo: GateRepo, commits: Sequence[str]) -> list[str]:
    """The commits no ref of a person's (not agent work) reaches."""
    tips = [tip for name, tip in ref_tips(repo, "refs/") if is_trusted_ref(name)]
    listing = "".join(f"{c}\n" for c in commits) + "".join(f"^{t}\n" for t in tips)
    out = repo.git.git(["rev-list", "--stdin"], stdin=listing.encode(), check=False)
    reachable_only_by_agents = set(out.decode().split())
    return [c for c in commits if c in reachable_only_by_agents]


def ref_tips(repo: GateRepo, prefix: str) -> list[tuple[str, str]]:
    out = repo.git.git(["for-each-ref", "--format=%(refname) %(objectname)", prefix])
    lines = out.decode(errors="surrogateescape").splitlines()
    return [(name, tip) for name, _, tip in (line.partition(" ") for line in lines)]


@contextmanager
def allowed_signers(repo: GateRepo, rules: Rules) -> Iterator[Path | None]:
    """The policy's own allowed-signers file (as of the commit the policy comes from), written
    where git can read it; None when the policy names none (git's configuration then)."""
    name = rules.policy.gates.allowed_signers
    if not name or not rules.source:
        yield None
        return
    found = repo.objects.info(f"{rules.source}:{name}")
    if found is None or found[0] != "blob":
        yield None  # named but absent: no signer is allowed, every signature is unknown
        return
    data = repo.objects.read(found[2])[1]
    handle, path = tempfile.mkstemp(prefix="git-agent-allowed-signers-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        yield Path(path)
    finally:
        os.unlink(path)


def fetch(repo: GateRepo, remote: str, trees: Sequence[str]) -> bool:
    """Fetch the attestations of `trees` from `remote`; False when that cannot be done."""
    if repo.where.bare or not remote_exists(repo, remote):
        return False
    specs = [f"+{ATTESTATIONS}{t}/*:{ATTESTATIONS}{t}/*" for t in trees]
    proc = run_git(
        [f"--git-dir={repo.where.git_dir}", "fetch", "--quiet", "--no-tags", remote, *specs],
        repo.git.cwd,
        check=False,
    )
    return proc.returncode == 0


def remote_exists(repo: GateRepo, remote: str) -> bool:
    if "/" in remote or ":" in remote:
        return True  # a URL or a path: git will say
    return bool(repo.git.git(["remote", "get-url", remote], check=False).strip())


def send_along(
    repo: GateRepo, remote: str, trees: Iterable[str], brought: Iterable[str] = ()
) -> list[str]:
    """Push to `remote` the attestation refs of `trees` it lacks and the push under way does
    not bring (`brought`), before the commits they vouch for arrive, so its own gate can read
    them; the refs sent."""
    listed = attestations.listed(repo.where.git_dir, trees)
    skip = set(brought)
    refs = sorted(ref for pairs in listed.values() for ref, _ in pairs if ref not in skip)
    if not refs:
        return []
    there = set(remote_refs(repo, remote, refs))
    send = [ref for ref in refs if ref not in there]
    if send:
        run_git(
            [
                f"--git-dir={repo.where.git_dir}",
                "push",
                "--quiet",
                "--no-verify",
                remote,
                *(f"{ref}:{ref}" for ref in send),
            ],
            repo.git.cwd,
        )
    return send


def remote_refs(repo: GateRepo, remote: str, refs: Sequence[str]) -> Mapping[str, str]:
    out = repo.git.git(["ls-remote", remote, *refs], check=False)
    found = {}
    for line in out.decode().splitlines():
        oid, _, name = line.partition("\t")
        found[name] = oid
    return found
