"""Containment: what the supervisor does at once when a rule whose action is not `report`
fires on a change it just judged.

- `revert-file`: the path goes back to what the last checkpoint holds (or away, when the
  checkpoint has nothing there); what stood there is moved, whole, into the feature's
  quarantine folder (owner-only, under the state directory), never into a checkpoint.
- `pause`: the processes working in the shadow are stopped (SIGSTOP) until `git agent resume`.
  Work a person started by hand there may be their own shell: it is stopped only where the
  policy says so (`[live] pause_by_hand`); otherwise the pause is recorded and reported.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_TREE
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.writer import Writer
from supervisor.live import procs


@dataclass(frozen=True)
class Reverted:
    path: str
    quarantined: str | None  # where what stood there went, relative to the quarantine folder
    restored: bool  # False: the checkpoint has nothing there, so the path is now absent


def safe_relative(path: str) -> bytes | None:
    """A violation's path as a path inside the shadow, or None when it could lead out of it."""
    raw = os.fsencode(path)
    parts = raw.split(b"/")
    if not raw or raw.startswith(b"/") or any(p in (b"", b".", b"..") for p in parts):
        return None
    return raw


def revert_file(feature: Feature, rel: bytes, checkpoint_tree: bytes | None) -> Reverted:
    """Put `rel` back as the checkpoint has it; what stood there goes to quarantine."""
    shadow = os.fsencode(feature.shadow)
    taken = _take_out(shadow, rel, feature.ws.layout.quarantine(feature.name))
    entry = trees.lookup(feature.repo, checkpoint_tree, rel)
    restored = False
    if entry is not None and _parents_are_dirs(shadow, rel):
        writer = Writer(feature.repo, feature.shadow)
        if entry[0] == MODE_TREE:
            writer.apply((p, None, e) for p, e in trees.walk(feature.repo, entry[1], rel + b"/"))
        else:
            writer.apply([(rel, None, entry)])
        restored = True
    return Reverted(os.fsdecode(rel), taken, restored)


def _take_out(shadow: bytes, rel: bytes, quarantine: Path) -> str | None:
    source = shadow + b"/" + rel
    if not _parents_are_dirs(shadow, rel):
        return None
    try:
        os.lstat(source)
    except FileNotFoundError:
        return None
    folder = time.strftime("%Y%m%dT%H%M%S") + f"-{time.monotonic_ns() % 1_000_000_000:09d}"
    target = os.fsencode(quarantine) + b"/" + os.fsencode(folder) + b"/" + rel
    _owner_only_dirs(os.fsencode(quarantine), os.path.dirname(target))
    shutil.move(os.fsdecode(source), os.fsdecode(target))
    return folder + "/" + os.fsdecode(rel)


def _owner_only_dirs(top: bytes, folder: bytes) -> None:
    os.makedirs(folder, mode=0o700, exist_ok=True)
    current = folder
    while current.startswith(top) and len(current) >= len(top):
        os.chmod(current, 0o700)
        if current == top:
            break
        current = os.path.dirname(current)


def _parents_are_dirs(root: bytes, rel: bytes) -> bool:
    current = root
    for part in rel.split(b"/")[:-1]:
        current += b"/" + part
        try:
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                return False
        except OSError:
            return False
    return True


# pausing ------------------------------------------------------------------------------------
def paused_file(feature: Feature) -> Path:
    return feature.ws.layout.feature_dir(feature.name) / "paused.json"


def pause(feature: Feature, pids: list[int]) -> list[int]:
    """Stop `pids` (the feature's agent, or what works in its shadow); they are recorded so
    `resume` continues exactly those (a pid reused since is left alone)."""
    stopped = procs.send(pids, signal.SIGSTOP)
    record = _recorded(feature) + [(pid, procs.create_time(pid)) for pid in stopped]
    paused_file(feature).write_text(json.dumps([list(entry) for entry in record]))
    return stopped


def resume(feature: Feature) -> list[int]:
    """Continue what `pause` stopped; forget the record."""
    alive = [pid for pid, created in _recorded(feature) if procs.alive(pid, created)]
    continued = procs.send(alive, signal.SIGCONT)
    paused_file(feature).unlink(missing_ok=True)
    return continued


def _recorded(feature: Feature) -> list[tuple[int, float]]:
    try:
        found = json.loads(paused_file(feature).read_text())
        return [(int(pid), float(created)) for pid, created in found]
    except (OSError, ValueError, TypeError):
        return []
