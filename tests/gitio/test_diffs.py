"""`gitio.diffs`: git's `--raw --numstat --patch -z` output parsed into changes, every block
checked before it is believed, and a stream that does not add up read again commit by commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supervisor.gitio import diffs
from supervisor.gitio.change import Change
from supervisor.gitio.diffs import DIFF_FLAGS, BadBlock, commit_changes, parse_block, tree_changes
from supervisor.gitio.objects import EMPTY_TREE_OID
from tests.kit import Exec, Link, commit_all, git, git_bytes, make_repo, write_files


def seen(changes: list[Change]) -> list[tuple[object, ...]]:
    """Everything a rule can see of each change, lines included."""
    return [(*c.as_json().values(), c.oid, c.old_oid, list(c.added_lines())) for c in changes]


def raw_diff(repo: Path, old: str, new: str) -> bytes:
    return git_bytes(repo, "diff-tree", *DIFF_FLAGS, old, new)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository whose commits hold every kind of change: a rename, a type change, a mode
    change, a binary, a deletion, a file without a final newline, hostile names."""
    repo = make_repo(tmp_path / "repo", {"a.txt": "one\ntwo\nthree\n", "run.sh": "echo\n"})
    steps: list[dict[bytes | str, object]] = [
        {"a.txt": None, "moved/a.txt": "one\ntwo\nthree\nfour\n"},
        {"run.sh": Exec("echo\n"), "link": Link("moved/a.txt")},
        {"link": "now a file\n", "data.bin": b"\x00\x01binary\x00"},
        {b"new\nline.txt": b"x\n", b"caf\xe9.txt": b"y", b'tab\there \\ "q".txt': b"z\n"},
        {"data.bin": None, "moved/a.txt": "one\n+two\n@@ -1 +1 @@\ndiff --git a/x b/x\n"},
    ]
    commits = []
    for files in steps:
        write_files(repo, files)  # type: ignore[arg-type]
        commits.append(commit_all(repo, "step"))
    return repo, commits


def first_parents(repo: Path, commits: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for commit in commits:
        parents = git(repo, "rev-list", "--parents", "-n1", commit, "--").split()[1:]
        out[commit] = parents[0] if parents else None
    return out


def test_every_kind_of_change_is_read(history: tuple[Path, list[str]]) -> None:
    repo, commits = history
    git_dir = repo / ".git"
    rename, retype, binary, names, last = (tree_changes(git_dir, f"{c}^", c) for c in commits)
    assert [(c.path, c.status, c.old_path, c.added, c.deleted) for c in rename] == [
        ("moved/a.txt", "R", "a.txt", 1, 0)
    ]
    assert list(rename[0].added_lines()) == [(4, "four")]
    by_path = {c.path: c for c in retype}
    assert (by_path["run.sh"].status, by_path["run.sh"].mode) == ("M", 0o100755)
    assert (by_path["link"].status, by_path["link"].mode) == ("A", 0o120000)
    by_path = {c.path: c for c in binary}
    assert by_path["link"].status == "T" and list(by_path["link"].added_lines()) == [
        (1, "now a file")
    ]
    assert by_path["data.bin"].binary and (
        by_path["data.bin"].added,
        by_path["data.bin"].deleted,
    ) == (0, 0)
    assert sorted(os.fsencode(c.path) for c in names) == sorted(
        [b"new\nline.txt", b"caf\xe9.txt", b'tab\there \\ "q".txt']
    )
    assert {os.fsencode(c.path): list(c.added_lines()) for c in names}[b"caf\xe9.txt"] == [(1, "y")]
    # patch text inside a file is only ever an added line
    by_path = {c.path: c for c in last}
    assert list(by_path["moved/a.txt"].added_lines()) == [
        (2, "+two"),
        (3, "@@ -1 +1 @@"),
        (4, "diff --git a/x b/x"),
    ]
    assert by_path["data.bin"].status == "D" and by_path["data.bin"].oid is None


def test_one_stream_gives_what_each_commit_gives_alone(history: tuple[Path, list[str]]) -> None:
    repo, commits = history
    root = git(repo, "rev-list", "--max-parents=0", "HEAD")
    everything = [root, *commits]
    parents = first_parents(repo, everything)
    streamed = list(commit_changes(repo / ".git", everything, parents))
    assert [c for c, _ in streamed] == everything
    for commit, changes in streamed:
        alone = tree_changes(repo / ".git", parents[commit] or EMPTY_TREE_OID, commit)
        assert seen(changes) == seen(alone), commit


def test_a_stream_read_in_small_chunks_is_the_same(
    history: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, commits = history
    parents = first_parents(repo, commits)
    whole = [(c, seen(ch)) for c, ch in commit_changes(repo / ".git", commits, parents)]
    monkeypatch.setattr(diffs, "READ_CHUNK", 7)
    chunked = [(c, seen(ch)) for c, ch in commit_changes(repo / ".git", commits, parents)]
    assert chunked == whole


def test_a_block_that_does_not_add_up_is_read_again_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named after the next commit's id looks like that commit's header in the stream:
    the block is cut short, does not add up, and every commit from there on is read alone."""
    repo = make_repo(tmp_path / "repo", {"README.md": "x\n"})
    git(repo, "checkout", "-q", "-b", "other")
    other = commit_all_with(repo, {"other.txt": "o\n"})
    git(repo, "checkout", "-q", "main")
    hostile = commit_all_with(repo, {other: "named after the other commit\n", "b.txt": "b\n"})
    after = commit_all_with(repo, {"c.txt": "c\n"})
    commits = [hostile, other, after]
    parents = first_parents(repo, commits)
    alone_calls: list[str] = []

    def counted(git_dir: Path, old: str, new: str) -> list[Change]:
        alone_calls.append(new)
        return tree_changes(git_dir, old, new)

    monkeypatch.setattr(diffs, "tree_changes", counted)
    streamed = dict(commit_changes(repo / ".git", commits, parents))
    assert alone_calls == commits  # the stream was not believed from the hostile block on
    assert sorted(c.path for c in streamed[hostile]) == sorted([other, "b.txt"])
    assert [c.path for c in streamed[other]] == ["other.txt"]
    assert [c.path for c in streamed[after]] == ["c.txt"]
    for commit in commits:
        alone = tree_changes(repo / ".git", parents[commit] or EMPTY_TREE_OID, commit)
        assert seen(streamed[commit]) == seen(alone)


def commit_all_with(repo: Path, files: dict[str, str]) -> str:
    write_files(repo, files)
    return commit_all(repo, "change")


# --- one block, checked before it is believed -------------------------------------------------


@pytest.fixture
def block(tmp_path: Path) -> bytes:
    """The raw diff of one commit: a two-line file added, a one-line file changed."""
    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"})
    base = git(repo, "rev-parse", "HEAD")
    head = commit_all_with(repo, {"a.txt": "A\n", "b.txt": "one\ntwo\n"})
    return raw_diff(repo, base, head)


def test_a_good_block_parses(block: bytes) -> None:
    changes = parse_block(block, 0, len(block))
    assert [(c.path, c.status, c.added, c.deleted) for c in changes] == [
        ("a.txt", "M", 1, 1),
        ("b.txt", "A", 2, 0),
    ]
    assert [list(c.added_lines()) for c in changes] == [[(1, "A")], [(1, "one"), (2, "two")]]


def test_an_empty_block_is_no_change() -> None:
    assert parse_block(b"", 0, 0) == []
    assert parse_block(b"\n\0", 0, 2) == []


def test_a_count_that_does_not_match_the_lines_is_a_bad_block(block: bytes) -> None:
    bad = block.replace(b"2\t0\tb.txt\0", b"3\t0\tb.txt\0", 1)
    assert bad != block
    with pytest.raises(BadBlock, match="2 added lines where git counted 3"):
        parse_block(bad, 0, len(bad))


def test_a_missing_patch_section_is_a_bad_block(block: bytes) -> None:
    cut = block[: block.rindex(b"diff --git ")]
    with pytest.raises(BadBlock, match="1 patch sections for 2 changes"):
        parse_block(cut, 0, len(cut))


def test_a_cut_record_is_a_bad_block(block: bytes) -> None:
    with pytest.raises(BadBlock, match="unreadable diff records"):
        parse_block(block, 0, 20)


def test_text_after_an_empty_diff_is_a_bad_block() -> None:
    data = b"diff --git a/x b/x\n+sneaked in\n"
    with pytest.raises(BadBlock, match="output after an empty diff"):
        parse_block(data, 0, len(data))


def test_a_bad_block_is_a_git_error() -> None:
    from supervisor.errors import GitError

    assert issubclass(BadBlock, GitError)
