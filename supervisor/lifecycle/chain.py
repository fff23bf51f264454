"""A feature's checkpoint chain: commits on `refs/agent/<feature>/checkpoints`, each the parent
of the next, the first one's parent the base; a `Checkpoint: N` trailer numbers them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from supervisor.errors import OperationalError, UsageError
from supervisor.gitio.objects import TREE
from supervisor.gitio.trees import serialize

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

TRAILER = re.compile(r"^Checkpoint: (\d+)$", re.MULTILINE)
TRAILERS = re.compile(r"\n\nCheckpoint: \d+\nFeature: [^\n]*(?:\nAudit: [0-9a-f]*)?$")
AUDIT_TRAILER = re.compile(r"^Audit: ([0-9a-f]{64})$", re.MULTILINE)


@dataclass(frozen=True)
class CheckpointInfo:
    number: int
    commit: str
    time: float
    message: str

    def as_json(self) -> dict[str, object]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.time))
        return {
            "number": self.number,
            "commit": self.commit,
            "time": stamp,
            "message": self.message,
        }


@dataclass(frozen=True)
class Checkpointed:
    number: int
    commit: str
    created: bool  # False: nothing changed since the last checkpoint

    def as_json(self) -> dict[str, object]:
        return {"number": self.number, "commit": self.commit, "created": self.created}


class Chain:
    def __init__(self, feature: Feature) -> None:
        self.feature = feature
        self.repo = feature.repo
        self.ref = feature.chain_ref

    def tip(self) -> tuple[int, str]:
        commit = self.repo.ref(self.ref)
        if commit is None:
            raise OperationalError(f"checkpoint chain {self.ref} is missing")
        return self.number_of(commit), commit

    def number_of(self, commit: str) -> int:
        if commit == self.feature.row.base:
            return 0
        found = TRAILER.findall(self.repo.commit_message(commit))
        if not found:
            raise OperationalError(f"commit {commit} on {self.ref} has no Checkpoint trailer")
        return int(found[-1])

    def listing(self) -> list[CheckpointInfo]:
        """Every checkpoint, oldest first."""
        number, commit = self.tip()
        out = []
        while True:
            message = self.repo.commit_message(commit)
            when = self.repo.commit_time(commit)
            out.append(CheckpointInfo(number, commit, when, _title(message, number)))
            if number == 0:
                return out[::-1]
            parents = self.repo.parents(commit)
            if not parents:
                raise OperationalError(
                    f"checkpoint chain of {self.feature.name} does not reach its base"
                )
            commit, number = parents[0], number - 1

    def resolve(self, number: int) -> str:
        last, commit = self.tip()
        if not 0 <= number <= last:
            raise UsageError(
                f"feature {self.feature.name} has checkpoints 0 to {last}, not {number}"
            )
        for _ in range(last - number):
            commit = self.repo.parents(commit)[0]
        return commit

    def checkpoint(
        self, message: str | None = None, paths: Iterable[bytes] | None = None, auto: bool = False
    ) -> Checkpointed:
        """Commit the shadow's exact state as the next checkpoint (unless nothing changed);
        `paths`: what changed since the last scan, when the caller knows it; `auto`: the
        supervisor took it on its own."""
        scanner = self.feature.scanner
        tree = scanner.scan(paths, keep=False) or self.repo.write(TREE, serialize({}))
        scanner.forget_scanned()
        number, tip = self.tip()
        if tree == self.repo.commit_tree(tip):
            return Checkpointed(number, tip, False)
        number += 1
        text = (message or "").strip() or f"checkpoint {number}"
        head = self.feature.audit.head()
        audit = f"Audit: {head.hash}\n" if head is not None else ""
        body = f"{text}\n\nCheckpoint: {number}\nFeature: {self.feature.name}\n{audit}"
        commit = self.repo.create_commit(tree, [tip], body)
        self.repo.set_ref(self.ref, commit, f"git-agent: checkpoint {number}")
        extra = {"auto": True} if auto else {}
        self.feature.emit("checkpoint", number=number, commit=commit, **extra)
        return Checkpointed(number, commit, True)


def _title(message: str, number: int) -> str:
    """A checkpoint's message without its trailers (the base commit's message for checkpoint 0)."""
    text = message.strip()
    if number:
        text = TRAILERS.sub("", text).strip()
    return text
