"""Changes read from the git CLI: one `diff-tree` or `diff-index` run gives the changed paths,
their line counts and their added lines at once (`--raw --numstat --patch -U0 -z`).

This is the gates' path: no pygit2 to import, git's own tree diff skips equal subtrees, and a
range of a thousand commits is one process (`diff-tree --stdin`) whose output is judged while
git is still writing it.

Every block is checked before it is believed: its sections must match its raw records one for
one and their added lines the numstat counts. A block that does not add up (a hostile file
name, an output git never writes) is read again on its own, from a diff of that commit alone.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from supervisor.errors import GitError
from supervisor.gitio.change import Change
from supervisor.gitio.objects import EMPTY_TREE_OID, MODE_GITLINK
from supervisor.gitio.run import Running, run_git

DIFF_FLAGS = (
    "-r",
    "-z",
    "-M",
    "--raw",
    "--numstat",
    "--patch",
    "-U0",
    "--full-index",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
READ_CHUNK = 1 << 20
Lines = list[tuple[int, str]]
Raw = tuple[int, int, str, str, str, bytes, bytes]  # modes, ids, status, old path, new path


class BadBlock(GitError):
    """A diff block that does not add up (read again on its own when it came in a stream)."""


class StagedDiff:
    """The staged changes: the index (`index_file`, default the repository's) against the
    tree-ish `against`, computed by git while the caller goes on (`changes()` waits)."""

    def __init__(
        self, git_dir: Path, work_tree: Path, against: str, index_file: Path | None
    ) -> None:
        env = {"GIT_INDEX_FILE": str(index_file)} if index_file is not None else None
        args = [f"--git-dir={git_dir}", f"--work-tree={work_tree}", "diff-index", "--cached"]
        self._running = Running([*args, *DIFF_FLAGS, against], work_tree, env)

    def changes(self) -> list[Change]:
        data = self._running.output()
        return parse_block(data, 0, len(data))


def index_changes(
    git_dir: Path, work_tree: Path, against: str, index_file: Path | None
) -> list[Change]:
    return StagedDiff(git_dir, work_tree, against, index_file).changes()


def tree_changes(git_dir: Path, old: str, new: str) -> list[Change]:
    """The changes from tree-ish `old` to tree-ish `new`."""
    proc = run_git([f"--git-dir={git_dir}", "diff-tree", *DIFF_FLAGS, old, new], git_dir)
    return parse_block(proc.stdout, 0, len(proc.stdout))


def commit_changes(
    git_dir: Path, commits: Sequence[str], parents: Mapping[str, str | None]
) -> Iterator[tuple[str, list[Change]]]:
    """(commit, its first-parent changes) for every commit in `commits`, in order, from one
    `diff-tree --stdin` read as it comes (a root commit against the empty tree). `parents`:
    each commit's first parent (None for a root), to read a block again on its own."""
    if not commits:
        return
    with tempfile.TemporaryFile() as listing:
        listing.write("".join(f"{c}\n" for c in commits).encode())
        listing.seek(0)
        args = [f"--git-dir={git_dir}", "diff-tree", "--stdin", "--always", "--root", *DIFF_FLAGS]
        running = Running(args, git_dir, stdin=listing)
        stream = _Stream(running.chunks(READ_CHUNK))
        try:
            yield from _commit_blocks(stream, git_dir, commits, parents)
        finally:
            running.finish()


class _Stream:
    """A growing buffer over chunks of output, with the part already parsed dropped."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.data = b""
        self.done = False

    def more(self) -> None:
        chunk = next(self.chunks, None)
        if chunk is None:
            self.done = True
        else:
            self.data += chunk

    def drop(self, upto: int) -> None:
        self.data = self.data[upto:]


def _commit_blocks(
    stream: _Stream, git_dir: Path, commits: Sequence[str], parents: Mapping[str, str | None]
) -> Iterator[tuple[str, list[Change]]]:
    trusted = True
    for index, commit in enumerate(commits):
        following = commits[index + 1] if index + 1 < len(commits) else None
        if trusted:
            try:
                yield commit, _next_block(stream, commit, following)
                continue
            except BadBlock:
                trusted = False  # from here on, each commit on its own
        yield commit, tree_changes(git_dir, parents.get(commit) or EMPTY_TREE_OID, commit)


def _next_block(stream: _Stream, commit: str, following: str | None) -> list[Change]:
    header = commit.encode() + b"\0"
    while len(stream.data) < len(header) and not stream.done:
        stream.more()
    if not stream.data.startswith(header):
        raise BadBlock(f"expected the block of {commit}")
    start = len(header)
    end = _block_end(stream, start, following)
    changes = parse_block(stream.data, start, end)
    stream.drop(end)
    return changes


def _block_end(stream: _Stream, start: int, following: str | None) -> int:
    """Where the block that begins at `start` ends: at the next commit's header (a line of its
    own, or right after the previous header), or at the end of the output for the last one."""
    if following is None:
        while not stream.done:
            stream.more()
        return len(stream.data)
    marker = following.encode() + b"\0"
    searched = start
    while True:
        found = stream.data.find(marker, searched)
        while found != -1 and stream.data[found - 1 : found] not in (b"\n", b"\0"):
            found = stream.data.find(marker, found + 1)
        if found != -1:
            return found
        if stream.done:
            raise BadBlock(f"no block for {following}")
        searched = max(start, len(stream.data) - len(marker))
        stream.more()


# parsing ------------------------------------------------------------------------------------------


def parse_block(data: bytes, pos: int, end: int) -> list[Change]:
    """One diff (raw records, numstat records, patch text) in `data[pos:end]`."""
    try:
        raws: list[Raw] = []
        while pos < end and data[pos : pos + 1] == b":":
            record, pos = _raw_record(data, pos, end)
            raws.append(record)
        counts: list[tuple[int, int, bool]] = []
        for record in raws:
            count, pos = _numstat_record(data, pos, end, record[4] in "RC")
            counts.append(count)
    except (ValueError, IndexError) as exc:
        raise BadBlock(f"unreadable diff records: {exc}") from None
    if not raws:
        if data[pos:end].strip(b"\0\n"):
            raise BadBlock("output after an empty diff")
        return []
    if data[pos : pos + 1] == b"\0":
        pos += 1
    return _changes(raws, counts, _sections(data[pos:end]))


def _take(data: bytes, pos: int, end: int) -> tuple[bytes, int]:
    """The NUL-terminated field at `pos` (and the position after it), inside `end`."""
    stop = data.index(b"\0", pos, end)
    return data[pos:stop], stop + 1


def _raw_record(data: bytes, pos: int, end: int) -> tuple[Raw, int]:
    meta, pos = _take(data, pos, end)
    old_mode, new_mode, old_id, new_id, status = meta[1:].split(b" ")
    first, pos = _take(data, pos, end)
    second = first
    letter = chr(status[0])
    if letter in "RC":
        second, pos = _take(data, pos, end)
    modes = (int(old_mode, 8), int(new_mode, 8))
    return (*modes, old_id.decode(), new_id.decode(), letter, first, second), pos


def _numstat_record(
    data: bytes, pos: int, end: int, renamed: bool
) -> tuple[tuple[int, int, bool], int]:
    field, pos = _take(data, pos, end)
    added, deleted, _ = field.split(b"\t", 2)
    if renamed:  # `added<TAB>deleted<TAB>NUL old NUL new NUL`
        pos = _take(data, _take(data, pos, end)[1], end)[1]
    if added == b"-":
        return (0, 0, True), pos
    return (int(added), int(deleted), False), pos


def _sections(text: bytes) -> list[Lines]:
    """The added lines of every `diff --git` section of a patch, in order."""
    out: list[Lines] = []
    current: Lines | None = None
    number = 0
    in_hunk = False
    for line in text.split(b"\n"):
        if line.startswith(b"diff --git "):
            current, in_hunk = [], False
            out.append(current)
        elif current is None:
            continue
        elif line.startswith(b"@@"):
            found = HUNK.match(line)
            if found:
                number, in_hunk = int(found.group(1)), True
        elif in_hunk and line.startswith(b"+"):
            current.append((number, line[1:].rstrip(b"\r").decode("utf-8", "replace")))
            number += 1
    return out


def _changes(
    raws: Sequence[Raw], counts: Sequence[tuple[int, int, bool]], sections: Sequence[Lines]
) -> list[Change]:
    wanted = sum(2 if record[4] == "T" else 1 for record in raws)
    if len(sections) != wanted:
        raise BadBlock(f"{len(sections)} patch sections for {wanted} changes")
    changes: list[Change] = []
    index = 0
    for record, (added, deleted, binary) in zip(raws, counts, strict=True):
        index += 2 if record[4] == "T" else 1  # a type change: a deletion, then an addition
        lines = sections[index - 1]
        if not binary and MODE_GITLINK not in record[:2] and len(lines) != added:
            raise BadBlock(f"{len(lines)} added lines where git counted {added} in {record[6]!r}")
        changes.append(_change(record, added, deleted, binary, lines))
    return sorted(changes, key=lambda c: c.raw_path)


def _change(record: Raw, added: int, deleted: int, binary: bool, lines: Lines) -> Change:
    old_mode, new_mode, old_id, new_id, letter, first, second = record
    is_new, is_gone = letter == "A", letter == "D"
    kept: Lines = [] if new_mode == MODE_GITLINK else lines
    return Change(
        path=os.fsdecode(second),
        status="R" if letter in "RC" else letter,
        old_path=os.fsdecode(first) if letter in "RC" else None,
        added=added,
        deleted=deleted,
        binary=binary,
        mode=None if is_gone else new_mode,
        old_mode=None if is_new else old_mode,
        oid=None if is_gone else new_id,
        old_oid=None if is_new else old_id,
        lines=_frozen(kept),
    )


def _frozen(lines: Lines) -> Callable[[], Iterable[tuple[int, str]]]:
    return lambda: lines
