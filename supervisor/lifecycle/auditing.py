"""Reading a feature's audit log back: filtered, followed, and verified against the hashes its
checkpoints recorded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from supervisor.lifecycle.chain import AUDIT_TRAILER
from supervisor.lifecycle.feature import Feature
from supervisor.store.audit import Entry, Problem, verify

POLL = 0.2


def recorded_hashes(feature: Feature) -> set[str]:
    """The audit hashes the feature's checkpoints carry in their `Audit:` trailers."""
    repo, found = feature.repo, set()
    commit = repo.ref(feature.chain_ref)
    base = feature.row.base
    while commit is not None and commit != base:
        found.update(AUDIT_TRAILER.findall(repo.commit_message(commit)))
        parents = repo.parents(commit)
        commit = parents[0] if parents else None
    return found


def check(feature: Feature) -> Problem | None:
    return verify(feature.audit, recorded_hashes(feature))


def selected(
    entries: Iterator[Entry], since: float | None, kinds: frozenset[str]
) -> Iterator[Entry]:
    for entry in entries:
        if since is not None and entry.time < since:
            continue
        if kinds and entry.type not in kinds:
            continue
        yield entry


def follow(feature: Feature, after: int, keep_going: Callable[[], bool]) -> Iterator[Entry]:
    """The entries appended after sequence `after`, as they come, while `keep_going()`."""
    while keep_going():
        fresh = [e for e in feature.audit.entries() if e.seq > after]
        for entry in fresh:
            after = entry.seq
            yield entry
        if not fresh:
            time.sleep(POLL)
