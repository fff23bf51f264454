"""The audit log itself: a hash chain of canonical JSON lines, appended under a lock, whose
every kind of damage `verify` finds and names by its first bad sequence number."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from pathlib import Path

import pytest

from supervisor.store.audit import AuditLog, canonical, digest, verify


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    made = AuditLog(tmp_path / "audit.jsonl")
    for number in range(1, 6):
        made.append("batch", {"n": number, "paths": [f"p{number}"]})
    return made


def lines(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def test_entries_are_chained_and_numbered(log: AuditLog) -> None:
    entries = list(log.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev == ""
    for before, after in itertools.pairwise(entries):
        assert after.prev == before.hash
    for entry in entries:
        assert entry.hash == digest(entry.seq, entry.time, entry.type, entry.data, entry.prev)
    assert verify(log) is None


def test_each_line_is_canonical_json(log: AuditLog) -> None:
    for line in lines(log):
        raw = json.loads(line)
        assert canonical(raw) + b"\n" == line


def test_an_edited_entry_is_found(log: AuditLog) -> None:
    kept = lines(log)
    kept[2] = kept[2].replace(b'"n":3', b'"n":9')
    log.path.write_bytes(b"".join(kept))
    problem = verify(log)
    assert problem is not None and problem.seq == 3 and "edited" in problem.why


def test_a_removed_entry_is_found(log: AuditLog) -> None:
    kept = lines(log)
    del kept[1]
    log.path.write_bytes(b"".join(kept))
    problem = verify(log)
    assert problem is not None and problem.seq == 2


def test_reordered_entries_are_found(log: AuditLog) -> None:
    kept = lines(log)
    kept[1], kept[3] = kept[3], kept[1]
    log.path.write_bytes(b"".join(kept))
    problem = verify(log)
    assert problem is not None and problem.seq == 2


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(log: AuditLog) -> None:
    kept = [json.loads(line) for line in lines(log)]
    kept[1]["data"]["n"] = 99
    kept[1]["hash"] = digest(2, kept[1]["time"], "batch", kept[1]["data"], kept[1]["prev"])
    log.path.write_bytes(b"".join(canonical(e) + b"\n" for e in kept))
    problem = verify(log)
    assert problem is not None and problem.seq == 3


def test_a_log_cut_short_is_found_by_the_hash_a_checkpoint_recorded(log: AuditLog) -> None:
    recorded = {list(log.entries())[-1].hash}
    log.path.write_bytes(b"".join(lines(log)[:3]))
    assert verify(log) is None  # a prefix of a chain is a chain
    problem = verify(log, recorded)
    assert problem is not None and problem.seq == 4 and "cut short" in problem.why


def test_a_line_that_is_no_entry_is_found(log: AuditLog) -> None:
    kept = lines(log)
    kept.insert(2, b"garbage\n")
    log.path.write_bytes(b"".join(kept))
    problem = verify(log)
    assert problem is not None and problem.seq == 3


def test_a_tail_torn_by_a_crash_is_cut_and_said(log: AuditLog) -> None:
    whole = log.path.read_bytes()
    log.path.write_bytes(whole + b'{"seq":6,"time":1.0,"ty')
    entry = log.append("batch", {"n": 6})
    entries = list(log.entries())
    assert [e.type for e in entries[-2:]] == ["torn", "batch"]
    assert entries[-2].data["bytes"] == len(b'{"seq":6,"time":1.0,"ty')
    assert entry.seq == 7
    assert verify(log) is None


def test_an_entry_longer_than_the_tail_read_still_chains(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("batch", {"paths": [f"dir/file{n}.txt" for n in range(20000)]})
    after = log.append("checkpoint", {"number": 1})
    assert after.seq == 2 and after.prev == next(iter(log.entries())).hash
    assert verify(log) is None


def test_paths_that_are_not_utf8_round_trip(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("batch", {"paths": ["caf\udce9.txt"]})
    assert next(iter(log.entries())).data["paths"] == ["caf\udce9.txt"]
    assert verify(log) is None


def _append_many(path: str, who: int) -> None:
    log = AuditLog(Path(path))
    for number in range(50):
        log.append("batch", {"who": who, "n": number})


def test_appends_from_several_processes_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), n)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    log = AuditLog(path)
    assert [e.seq for e in log.entries()] == list(range(1, 201))
    assert verify(log) is None
