"""A feature's record in git: what the state database knows of it that refs alone must carry
for the feature to be rebuilt elsewhere (its base, its base branch, its plan, its state).

`refs/agent/<name>/record` points at the last of a chain of commits, one per change of the
record (start, remove, forget), each holding `feature.json` and, when the feature has one, its
`plan.toml` byte for byte. The state database is a cache of this: whatever it lost, the refs
rebuild (see `lifecycle.restore`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from supervisor.errors import OperationalError
from supervisor.gitio import trees
from supervisor.gitio.objects import BLOB, MODE_FILE
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git
from supervisor.store.names import record_of
from supervisor.store.state import FeatureRow

FORMAT = 1
RECORD_FILE = b"feature.json"
PLAN_FILE = b"plan.toml"
STATES = ("active", "removed", "forgotten")


@dataclass(frozen=True)
class Record:
    feature: str  # the name it was started under (a forgotten one's too)
    state: str  # active, removed or forgotten
    base: str
    base_ref: str | None
    policy_commit: str | None
    plan_hash: str
    plan_source: str | None
    created: float
    forgotten_as: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def of_row(cls, row: FeatureRow, state: str | None = None) -> Record:
        return cls(
            feature=row.name,
            state=state or row.state,
            base=row.base,
            base_ref=row.base_ref,
            policy_commit=row.policy_commit,
            plan_hash=row.plan_hash,
            plan_source=row.plan_source,
            created=row.created,
        )


def write_record(
    repo: Repo, ref_name: str, record: Record, plan: bytes | None, message: str
) -> str:
    """Append `record` (and the plan) to the record chain at `ref_name`; its commit."""
    entries = {RECORD_FILE: (MODE_FILE, repo.write(BLOB, _encode(record)))}
    if plan is not None:
        entries[PLAN_FILE] = (MODE_FILE, repo.write(BLOB, plan))
    tree = trees.write_tree(repo, entries)
    parent = repo.ref(ref_name)
    if parent is not None and repo.commit_tree(parent) == tree:
        return parent  # recorded as it is already
    text = f"git-agent: {message}\n\nFeature: {record.feature}\nState: {record.state}\n"
    commit = repo.create_commit(tree, [parent] if parent else [], text)
    repo.set_ref(ref_name, commit, f"git-agent: record ({message})")
    return commit


def record_row(
    repo: Repo, row: FeatureRow, plan: bytes | None, message: str, state: str | None = None
) -> str:
    """Record a feature as its row says it is (in `state`, when given)."""
    return write_record(repo, record_of(row.name), Record.of_row(row, state), plan, message)


def read_record(repo: Repo, commit: str) -> tuple[Record, bytes | None]:
    """The record (and plan) a record commit holds; OperationalError when it is not one."""
    tree = repo.commit_tree(commit)
    found = trees.lookup(repo, tree, RECORD_FILE)
    if found is None:
        raise OperationalError(f"{commit[:12]} is not a git-agent record (no feature.json)")
    try:
        record = _decode(repo.read_blob(found[1]))
    except (ValueError, TypeError, KeyError) as exc:
        raise OperationalError(f"the record {commit[:12]} is unreadable: {exc}") from exc
    plan = trees.lookup(repo, tree, PLAN_FILE)
    return record, (repo.read_blob(plan[1]) if plan is not None else None)


def _encode(record: Record) -> bytes:
    return (json.dumps(record.as_json(), indent=2, sort_keys=True) + "\n").encode()


def _decode(data: bytes) -> Record:
    raw = json.loads(data)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"format {raw.get('format') if isinstance(raw, dict) else '?'} unknown")
    texts = {k: raw.get(k) for k in ("feature", "state", "base", "plan_hash")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise ValueError(f"{key} is missing")
    if texts["state"] not in STATES:
        raise ValueError(f"state {texts['state']!r} unknown")
    return Record(
        feature=raw["feature"],
        state=raw["state"],
        base=raw["base"],
        base_ref=_text_or_none(raw.get("base_ref")),
        policy_commit=_text_or_none(raw.get("policy_commit")),
        plan_hash=raw["plan_hash"],
        plan_source=_text_or_none(raw.get("plan_source")),
        created=float(raw.get("created") or 0.0),
        forgotten_as=_text_or_none(raw.get("forgotten_as")),
    )


def _text_or_none(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def base_branch(repo: Repo, rev: str) -> str | None:
    """The full name of the branch `rev` names (`HEAD`: the branch checked out), when it names
    one: the branch a feature started from is the one it will merge into."""
    if not rev or rev.startswith("-"):
        return None
    proc = run_git(
        [f"--git-dir={repo.git_dir}", "rev-parse", "--symbolic-full-name", rev],
        repo.git_dir,
        check=False,
    )
    name = proc.stdout.decode(errors="replace").strip() if proc.returncode == 0 else ""
    return name if name.startswith(("refs/heads/", "refs/remotes/")) else None
