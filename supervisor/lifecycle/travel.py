"""Features that travel: `push` sends a feature's refs to a remote (its branch, checkpoint
chain, record, saved worktree states, the attestations of its promotions, and the forgotten
features of that name); `pull` brings them back on another clone and rebuilds the feature
there (`lifecycle.restore`), or brings an existing one up to date.

Every ref only moves forward: a remote whose chain has checkpoints this clone lacks is pulled
first; two clones whose chains both went on are refused (nothing changes), as git refuses a
push that is not a fast-forward. A feature of the same name that is another one (started
again after a `forget`) is told apart by its record: the remote's copy of one forgotten here
is replaced by a push, and a pull of one forgotten there forgets it here too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from supervisor.errors import Refused, UsageError
from supervisor.gitio import merges, remote, trees
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.forget import forget
from supervisor.lifecycle.records import read_record
from supervisor.lifecycle.remove import remove
from supervisor.lifecycle.restore import promoted, restore
from supervisor.lifecycle.revert import set_aside_dir
from supervisor.lifecycle.workspace import Workspace
from supervisor.lifecycle.writer import Progress, Writer
from supervisor.store.names import (
    ATTESTATIONS,
    attestation_of,
    branch_of,
    chain_of,
    check_feature,
    feature_of_record,
    record_of,
    refs_of,
)

LOCAL_ONLY = ("/scanned",)  # refs that say something of this clone only


@dataclass
class Travelled:
    feature: str
    remote: str
    refs: list[str] = field(default_factory=list)  # what moved
    state: str = ""
    made: bool = False  # pull: the feature was rebuilt here
    forgotten: str | None = None  # pull: a feature of that name forgotten here first

    def as_json(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "remote": self.remote,
            "refs": self.refs,
            "state": self.state,
            "made": self.made,
            "forgotten": self.forgotten,
        }


# --- push ------------------------------------------------------------------------------------


def push(feature: Feature, where: str | None) -> Travelled:
    """Send the feature's refs to the remote (its lock held)."""
    repo, name = feature.repo, feature.name
    cwd = repo.workdir
    target = remote.resolve_remote(cwd, where)
    mine = own_refs(feature)
    attested = _attestations(feature)
    theirs = remote.ls_remote(cwd, target, _patterns(name))
    if attested:
        theirs.update(remote.ls_remote(cwd, target, attested))
    record = theirs.get(record_of(name))
    if record is not None and not repo.has_object(bytes.fromhex(record)):
        remote.fetch_objects(cwd, target, [record_of(name)])  # to know which feature it is
    leases = _leases(feature, mine, theirs, target)
    wanted = {**mine, **{ref: repo.ref(ref) or "" for ref in attested}}
    moving = [ref for ref, oid in wanted.items() if theirs.get(ref) != oid]
    if moving:
        remote.push(cwd, target, moving, leases)
    return Travelled(name, target, moving, feature.row.state)


def own_refs(feature: Feature) -> dict[str, str]:
    """The refs of the feature and of the forgotten features of its name: ref -> id."""
    repo, name = feature.repo, feature.name
    refs = [ref for ref in repo.refs_under(refs_of(name)) if not ref.endswith(LOCAL_ONLY)]
    refs += [ref for ref in repo.refs_under(f"refs/agent/{name}@") if not ref.endswith(LOCAL_ONLY)]
    if repo.ref(branch_of(name)) is not None:
        refs.append(branch_of(name))
    return {ref: repo.ref(ref) or "" for ref in sorted(refs)}


def _patterns(name: str) -> list[str]:
    return [branch_of(name), f"{refs_of(name)}*", f"refs/agent/{name}@*"]


def _leases(
    feature: Feature, mine: Mapping[str, str], theirs: Mapping[str, str], target: str
) -> dict[str, str]:
    """Check that every ref moves forward on the remote; the refs that may replace what the
    remote has (ref -> the id they replace): all of a feature of this name forgotten here, or
    a record that went on apart but says no more than this one."""
    repo, name = feature.repo, feature.name
    ours, record = mine.get(record_of(name)), theirs.get(record_of(name))
    if record is not None and ours is not None and root(repo, record) != root(repo, ours):
        if _forgotten(repo, name, record, {r: repo.ref(r) or "" for r in mine}):
            return {ref: oid for ref, oid in theirs.items() if _own(ref, name)}
        raise Refused(
            f"{target} holds another feature named {name}: nothing was pushed (forget one of "
            "them, here or there)"
        )
    leases = {}
    for ref, oid in theirs.items():
        if ref not in mine or oid == mine[ref] or _behind(repo, oid, mine[ref]):
            continue
        if ref == record_of(name) and _says_as_much(repo, mine[ref], oid):
            leases[ref] = oid
            continue
        raise Refused(
            f"{ref} on {target} has what this clone lacks: `git agent pull {name} {target}` "
            "first (if both went on, only one line of work can travel)"
        )
    return leases


STATE_ORDER = {"active": 0, "removed": 1, "forgotten": 2}


def _says_as_much(repo: Repo, mine: str, theirs: str) -> bool:
    """Two records of one feature that went on apart (both removed it, say): mine may stand
    for both when its state is as far along as theirs."""
    if not repo.has_object(bytes.fromhex(theirs)):
        return False
    here, there = read_record(repo, mine)[0].state, read_record(repo, theirs)[0].state
    return STATE_ORDER[here] >= STATE_ORDER[there]


def root(repo: Repo, commit: str) -> str:
    """The first commit of a record's chain: what tells one feature of a name from another."""
    while parents := repo.parents(commit):
        commit = parents[0]
    return commit


def _forgotten(repo: Repo, name: str, record: str, refs: Mapping[str, str]) -> str | None:
    """The name (`name@n`) under which `refs` hold the feature whose record is `record`."""
    wanted = root(repo, record)
    for ref, oid in refs.items():
        record_ref = ref.startswith(f"refs/agent/{name}@") and ref.endswith("/record")
        if record_ref and oid and repo.has_object(bytes.fromhex(oid)) and root(repo, oid) == wanted:
            return ref.split("/")[2]
    return None


def _own(ref: str, name: str) -> bool:
    return ref == branch_of(name) or ref.startswith(refs_of(name))


def _behind(repo: Repo, old: str | None, new: str | None) -> bool:
    """`old` is `new` or one of its ancestors (known here); a missing `old` is behind all."""
    if old is None or new is None:
        return old is None
    if old == new:
        return True
    return repo.has_object(bytes.fromhex(old)) and merges.merge_base(repo, old, new) == old


def _attestations(feature: Feature) -> list[str]:
    """The attestation refs of the promotions on the feature's branch."""
    repo = feature.repo
    head = repo.ref(feature.branch)
    if head is None:
        return []
    out = []
    for commit in repo.new_commits(head, [feature.row.base]):
        ref = attestation_of(repo.commit_tree(commit).hex(), commit)
        if repo.ref(ref) is not None:
            out.append(ref)
    return out


# --- pull ------------------------------------------------------------------------------------


def pull(
    ws: Workspace, name: str, where: str | None, progress: Progress | None = None
) -> Travelled:
    """Bring feature `name` from the remote: rebuilt here when new, brought forward when it
    is here already (its shadow and worktree too), removed or forgotten as it is there."""
    check_feature(name)
    repo = ws.repo
    cwd = repo.workdir
    target = remote.resolve_remote(cwd, where)
    theirs = remote.ls_remote(cwd, target, _patterns(name))
    if record_of(name) not in theirs:
        raise UsageError(f"{target} has no feature {name} (no {record_of(name)} there)")
    remote.fetch_objects(cwd, target, sorted(theirs))
    with ws.locked(name):
        done = Travelled(name, target)
        row = ws.state.get(name)
        if row is not None:
            done.forgotten = _other_incarnation(ws, name, theirs, target)
            if done.forgotten is None:
                return _forward(ws.feature(name), theirs, target, done)
        _adopt(ws, name, theirs, done)
        _forgotten_rows(ws, name)
        record, plan = read_record(repo, theirs[record_of(name)])
        made = restore(ws, name, record, plan, progress)
        done.state, done.made = made.state, True
        _fetch_attestations(ws, name, target)
        return done


def _other_incarnation(
    ws: Workspace, name: str, theirs: Mapping[str, str], target: str
) -> str | None:
    """When the feature `name` here is not the one the remote holds: forget it here if it was
    forgotten there (its new name), else refuse. None: it is the same feature."""
    repo = ws.repo
    mine = repo.ref(record_of(name))
    record = theirs[record_of(name)]
    if mine is None or root(repo, mine) == root(repo, record):
        return None
    here = _forgotten(
        repo, name, record, {r: repo.ref(r) or "" for r in repo.refs_under(f"refs/agent/{name}@")}
    )
    if here is not None:
        raise Refused(
            f"{target}'s {name} is the one forgotten here as {here}: "
            f"`git agent push {name} {target}` replaces it there"
        )
    there = _forgotten(repo, name, mine, theirs)
    if there is None:
        raise Refused(f"{name} here and on {target} are different features: nothing was changed")
    feature = ws.feature(name)
    if feature.row.state == "active":
        raise Refused(
            f"{name} was forgotten on {target} and another started there: remove {name} here "
            f"first (`git agent remove {name}`), then pull"
        )
    return forget(feature, there)


def _adopt(ws: Workspace, name: str, theirs: Mapping[str, str], done: Travelled) -> None:
    """Take the remote's refs of the feature (and of forgotten ones) where there are none here,
    or where they are ahead of those here; refused, before anything changes, where they went
    on apart."""
    repo = ws.repo
    moves = []
    for ref, oid in sorted(theirs.items()):
        here = repo.ref(ref)
        if here == oid or _behind(repo, oid, here):
            continue
        if not _behind(repo, here, oid):
            if ref.startswith(f"refs/agent/{name}@"):
                continue  # a forgotten feature recorded on both sides: ours stands
            raise Refused(f"{ref} here and on {done.remote} went on apart: nothing was changed")
        moves.append((ref, oid))
    for ref, oid in moves:
        repo.set_ref(ref, oid, f"git-agent: pull {name}")
        done.refs.append(ref)


def _forgotten_rows(ws: Workspace, name: str) -> None:
    """The forgotten features of this name whose refs are here, recorded as such."""
    for ref in sorted(ws.repo.refs_under(f"refs/agent/{name}@")):
        forgotten = feature_of_record(ref)
        if forgotten is not None and ws.state.get(forgotten) is None:
            record, plan = read_record(ws.repo, ws.repo.ref(ref) or "")
            restore(ws, forgotten, record, plan)


def _forward(
    feature: Feature, theirs: Mapping[str, str], target: str, done: Travelled
) -> Travelled:
    """The same feature, here and there: every ref brought forward, then the shadow and the
    worktree with them; refused, before anything changes, when they went on apart or the
    shadow or worktree hold work that would be lost."""
    repo, name = feature.repo, feature.name
    moves: dict[str, tuple[str | None, str]] = {}
    for ref, oid in theirs.items():
        here = repo.ref(ref)
        if here == oid or _behind(repo, oid, here):
            continue
        if ref == record_of(name) and here is not None and not _behind(repo, here, oid):
            if _says_as_much(repo, here, oid):
                continue  # both went on, as far: ours stands for both
            moves[ref] = (here, oid)  # theirs says more (removed there): it wins
            continue
        if not _behind(repo, here, oid):
            raise Refused(
                f"{ref} went on both here and on {target}: only one line of work can travel "
                "(nothing was changed)"
            )
        moves[ref] = (here, oid)
    moved = moves.get(record_of(name))
    record, _ = read_record(repo, moved[1] if moved else repo.ref(record_of(name)) or "")
    active = feature.row.state == "active"
    chain, branch = moves.get(chain_of(name)), moves.get(branch_of(name))
    if active and chain is not None:
        _require_clean_shadow(feature)
    if active and branch is not None and branch[0] is not None:
        _check_worktree(feature, branch[0], branch[1])
    for ref, (_, oid) in moves.items():
        repo.set_ref(ref, oid, f"git-agent: pull {name} from {target}")
        done.refs.append(ref)
    if active and chain is not None:
        _advance_shadow(feature, chain[0] or feature.row.base, chain[1])
    if active and branch is not None and branch[0] is not None:
        run_git(["read-tree", "-m", "-u", branch[0], branch[1]], feature.worktree)
    commit, number = promoted(repo, name, feature.row.base)
    feature.ws.state.update(name, promoted_commit=commit, promoted_checkpoint=number)
    if active and record.state == "removed":
        remove(feature)  # removed there: removed here (it refuses to lose work)
    _fetch_attestations(feature.ws, name, target)
    done.state = feature.row.state
    return done


def _require_clean_shadow(feature: Feature) -> None:
    tree = feature.scanner.scan()
    _, tip = feature.chain.tip()
    if tree is not None and tree != feature.repo.commit_tree(tip):
        raise Refused(
            f"the shadow of {feature.name} holds work no checkpoint has: the remote's chain "
            "went on meanwhile, so only one of them can travel (nothing was changed)"
        )


def _check_worktree(feature: Feature, old: str, new: str) -> None:
    run_git(["update-index", "-q", "--refresh"], feature.worktree, check=False)
    proc = run_git(["read-tree", "-m", "-u", "-n", old, new], feature.worktree, check=False)
    if proc.returncode != 0:
        raise Refused(
            f"worktree {feature.worktree} has local changes the pulled promotions would "
            "overwrite: commit or stash them there first (nothing was changed)"
        )


def _advance_shadow(feature: Feature, old: str, new: str) -> None:
    """The shadow from checkpoint `old` to checkpoint `new`, changed paths only."""
    repo = feature.repo
    before, after = repo.commit_tree(old), repo.commit_tree(new)

    def in_checkpoint(rel: bytes) -> bool:
        return trees.lookup(repo, before, rel) is not None

    writer = Writer(repo, feature.shadow, trash=set_aside_dir(feature), kept=in_checkpoint)
    writer.apply(trees.compare(repo, before, after))
    feature.scanner.scan(keep=False)


def _fetch_attestations(ws: Workspace, name: str, target: str) -> None:
    repo = ws.repo
    head = repo.ref(branch_of(name))
    row = ws.state.get(name)
    if head is None or row is None:
        return
    wanted = {repo.commit_tree(c).hex() for c in repo.new_commits(head, [row.base])}
    specs = [f"+{ATTESTATIONS}{tree}/*:{ATTESTATIONS}{tree}/*" for tree in sorted(wanted)]
    remote.fetch_refs(repo.workdir, target, specs)
