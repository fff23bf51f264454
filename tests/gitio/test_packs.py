"""supervisor/packs.py: a checkpoint's many new objects go into one pack git itself reads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from supervisor.gitio import packs, trees
from supervisor.gitio.objects import BLOB
from supervisor.gitio.repo import Repo
from tests.kit import cli, git


def pack_count(repo: Path) -> int:
    return len(list((repo / ".git" / "objects" / "pack").glob("pack-*.idx")))


def test_a_big_checkpoint_is_one_pack_git_reads(repo: Path) -> None:
    cli(repo, "start", "f")
    shadow = Path(cli(repo, "status", "f", "--json").json()["shadow"])  # type: ignore[index]
    before = pack_count(repo)
    for n in range(40):
        (shadow / "src" / f"m{n % 5}").mkdir(exist_ok=True)
        (shadow / "src" / f"m{n % 5}" / f"f{n}.py").write_text(f"value = {n}\n" * (n + 1))
    (shadow / "blob.bin").write_bytes(os.urandom(300_000))
    made = cli(repo, "checkpoint", "f", "--json").json()
    assert made["created"] is True  # type: ignore[index]
    assert pack_count(repo) == before + 1
    fsck = subprocess.run(
        ["git", "fsck", "--full", "--strict"], cwd=repo, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stderr
    for pack in (repo / ".git" / "objects" / "pack").glob("pack-*.pack"):
        git(repo, "verify-pack", str(pack))
    assert git(repo, "show", f"{made['commit']}:src/m3/f8.py") == ("value = 8\n" * 9).strip()  # type: ignore[index]
    (shadow / "src" / "m3" / "f8.py").write_text("changed\n")
    again = cli(repo, "checkpoint", "f", "--json").json()
    assert git(repo, "show", f"{again['commit']}:src/m3/f8.py") == "changed"  # type: ignore[index]


def test_few_objects_stay_loose(repo: Path) -> None:
    store = Repo.open(repo)
    before = pack_count(repo)
    writer = packs.PackWriter(store)
    oid = writer.write(BLOB, b"one small blob\n")
    writer.flush()
    assert pack_count(repo) == before
    assert git(repo, "cat-file", "-p", oid.hex()) == "one small blob"


def test_many_small_packs_are_folded(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packs, "MAX_PACKS", 2)
    store = Repo.open(repo)
    for round_ in range(4):
        writer = packs.PackWriter(store)
        entries = {
            f"r{round_}/f{n}".encode(): (0o100644, writer.write(BLOB, f"{round_} {n}\n".encode()))
            for n in range(20)
        }
        tree = trees.update(writer, None, entries)
        writer.flush()
        assert tree is not None
        assert git(repo, "cat-file", "-t", tree.hex()) == "tree"
    assert pack_count(repo) <= 3
