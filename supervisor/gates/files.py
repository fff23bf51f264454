"""Files judged by what they are: the gate behind `pre-commit run --all-files`.

The pre-commit framework passes file names (split over several runs when there are many) and
sets nothing that says `--all-files`. Each named file is judged as it is staged, as if it
were added whole: path, content, mode and size rules apply; what only a change can break
(counts of files, lines or deletions, the shadow's disk quota) and the policy's own files are
left out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from supervisor.config.rules import Rules
from supervisor.gates.adoption import is_policy_path
from supervisor.gates.repository import GateRepo
from supervisor.gates.staged import feature_plan
from supervisor.gitio.change import Change
from supervisor.gitio.objects import MODE_GITLINK
from supervisor.rules.engine import Report

CHANGE_ONLY = (
    "size.files-changed",
    "size.lines-added",
    "size.lines-deleted",
    "size.disk-quota",
    "delete.",
)


def judge_files(repo: GateRepo, names: Sequence[str]) -> Report:
    head = repo.where.head
    rules = Rules(repo.policy_at(head), feature_plan(repo), head)
    changes = [c for c in staged_files(repo, names) if not is_policy_path(c.path)]
    repo.objects.prefetch_headers(c.oid for c in changes if c.oid)
    report = repo.judge(rules, changes, lambda: repo.git.write_tree(None))
    kept = [v for v in report.violations if not v.rule.startswith(CHANGE_ONLY)]
    return Report(kept, report.changes, report.failures)


def staged_files(repo: GateRepo, names: Iterable[str]) -> list[Change]:
    """The index entry of each named file, as an added file (untracked names are skipped)."""
    wanted = [n for n in names if n]
    if not wanted:
        return []
    out = repo.git.git(["ls-files", "-s", "-z", "--", *wanted])
    changes = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, oid, _stage = meta.decode().split()
        if int(mode, 8) == MODE_GITLINK:
            continue
        changes.append(_whole(repo, os.fsdecode(path), int(mode, 8), oid))
    return changes


def _whole(repo: GateRepo, path: str, mode: int, oid: str) -> Change:
    data = repo.objects.read(oid)[1]
    binary = b"\0" in data[:8000]
    lines = [] if binary else list(enumerate(data.decode("utf-8", "replace").splitlines(), 1))
    return Change(path, "A", None, len(lines), 0, binary, mode, None, oid, None, lambda: lines)
