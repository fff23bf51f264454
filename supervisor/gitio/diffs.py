"""Changes read from the git CLI: one `diff-tree` or `diff-index` run gives the changed paths,
their line counts and their added lines at once (`--raw --numstat --patch -U0 -z`).

This is the gates' path: no pygit2 to import, git's own tree diff skips equal subtrees, and a
range of a thousand commits is one process (`diff-tree --stdin`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from supervisor.errors import GitError
from supervisor.gitio.change import Change
from supervisor.gitio.objects import MODE_GITLINK
from supervisor.gitio.run import Running, run_git

DIFF_FLAGS = (
    "-r",
    "-z",
    "-M",
    "--raw",
    "--numstat",
    "--patch",
    "-U0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
COMMIT_ID = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")
Lines = list[tuple[int, str]]


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
        return parse_block(self._running.output(), 0)[0]


def index_changes(
    git_dir: Path, work_tree: Path, against: str, index_file: Path | None
) -> list[Change]:
    return StagedDiff(git_dir, work_tree, against, index_file).changes()


def tree_changes(git_dir: Path, old: str, new: str) -> list[Change]:
    """The changes from tree-ish `old` to tree-ish `new`."""
    proc = run_git([f"--git-dir={git_dir}", "diff-tree", *DIFF_FLAGS, old, new], git_dir)
    return parse_block(proc.stdout, 0)[0]


def commit_changes(git_dir: Path, commits: Sequence[str]) -> dict[str, list[Change]]:
    """The first-parent changes of every commit in `commits`, from one `diff-tree --stdin`
    (a root commit against the empty tree). A commit that changes nothing lists nothing."""
    found: dict[str, list[Change]] = {commit: [] for commit in commits}
    if not commits:
        return found
    proc = run_git(
        [f"--git-dir={git_dir}", "diff-tree", "--stdin", "--root", *DIFF_FLAGS],
        git_dir,
        stdin="".join(f"{c}\n" for c in commits).encode(),
    )
    data, pos = proc.stdout, 0
    while pos < len(data):
        end = data.index(b"\0", pos)
        commit = data[pos:end].decode()
        if not COMMIT_ID.fullmatch(data[pos:end]):
            raise GitError(f"git diff-tree: unexpected output at byte {pos}")
        changes, pos = parse_block(data, end + 1)
        found[commit] = changes
    return found


# parsing ------------------------------------------------------------------------------------------
Raw = tuple[int, int, str, str, str, bytes, bytes]  # modes, ids, status, old path, new path


def parse_block(data: bytes, pos: int) -> tuple[list[Change], int]:
    """One diff's raw records, numstat records and patch text from `pos`; the changes and the
    position after the block (the next commit's id, or the end)."""
    raws: list[Raw] = []
    while pos < len(data) and data[pos : pos + 1] == b":":
        record, pos = _raw_record(data, pos)
        raws.append(record)
    counts: list[tuple[int, int, bool]] = []
    for record in raws:
        count, pos = _numstat_record(data, pos, record[4] in "RC")
        counts.append(count)
    if not raws:
        return [], pos
    if data[pos : pos + 1] == b"\0":
        pos += 1
    end = data.find(b"\0", pos)
    if end == -1:
        text, pos = data[pos:], len(data)
    else:
        start_of_id = data.rfind(b"\n", pos, end) + 1
        text, pos = data[pos:start_of_id], start_of_id
    sections = _sections(text)
    return _changes(raws, counts, sections), pos


def _raw_record(data: bytes, pos: int) -> tuple[Raw, int]:
    end = data.index(b"\0", pos)
    old_mode, new_mode, old_id, new_id, status = data[pos + 1 : end].split(b" ")
    pos = end + 1
    end = data.index(b"\0", pos)
    first = data[pos:end]
    pos = end + 1
    second = first
    letter = chr(status[0])
    if letter in "RC":
        end = data.index(b"\0", pos)
        second = data[pos:end]
        pos = end + 1
    record = (
        int(old_mode, 8),
        int(new_mode, 8),
        old_id.decode(),
        new_id.decode(),
        letter,
        first,
        second,
    )
    return record, pos


def _numstat_record(data: bytes, pos: int, renamed: bool) -> tuple[tuple[int, int, bool], int]:
    end = data.index(b"\0", pos)
    added, deleted, _ = data[pos:end].split(b"\t", 2)
    pos = end + 1
    if renamed:  # `added<TAB>deleted<TAB>NUL old NUL new NUL`
        pos = data.index(b"\0", data.index(b"\0", pos) + 1) + 1
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
            continue
        if current is None:
            continue
        if line.startswith(b"@@"):
            found = HUNK.match(line)
            if found:
                number, in_hunk = int(found.group(1)), True
            continue
        if not in_hunk:
            continue
        if line.startswith(b"+"):
            current.append((number, line[1:].rstrip(b"\r").decode("utf-8", "replace")))
            number += 1
    return out


def _changes(
    raws: Sequence[Raw], counts: Sequence[tuple[int, int, bool]], sections: Sequence[Lines]
) -> list[Change]:
    changes: list[Change] = []
    index = 0
    for record, (added, deleted, binary) in zip(raws, counts, strict=True):
        letter = record[4]
        take = 2 if letter == "T" else 1  # git prints a type change as a deletion and an addition
        lines = sections[index + take - 1] if index + take - 1 < len(sections) else []
        index += take
        changes.append(_change(record, added, deleted, binary, lines))
    return sorted(changes, key=lambda c: c.raw_path)


def _change(record: Raw, added: int, deleted: int, binary: bool, lines: Lines) -> Change:
    old_mode, new_mode, old_id, new_id, letter, first, second = record
    status = "R" if letter in "RC" else letter
    is_new, is_gone = letter == "A", letter == "D"
    kept: Lines = [] if new_mode == MODE_GITLINK else lines
    return Change(
        path=os.fsdecode(second),
        status=status,
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
