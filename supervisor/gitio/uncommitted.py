"""What a work tree holds that its HEAD does not: `git status`, started early and read late,
so git walks the work tree on one core while the caller works on the other."""

from __future__ import annotations

from pathlib import Path

from supervisor.errors import GitError
from supervisor.gitio.run import Running

STATUS = (
    "--no-optional-locks",
    "status",
    "--porcelain",
    "-z",
    "--no-renames",
    "--untracked-files=normal",
)


class Uncommitted:
    """The uncommitted changes (staged, unstaged, untracked) of a work tree."""

    def __init__(self, git_dir: Path, work_tree: Path) -> None:
        where = (f"--git-dir={git_dir}", f"--work-tree={work_tree}")
        try:
            self._running: Running | None = Running([*where, *STATUS], work_tree)
        except GitError:
            self._running = None

    def count(self) -> int:
        """How many paths differ from HEAD or are new; 0 when git could not tell."""
        if self._running is None:
            return 0
        try:
            out = self._running.output()
        except GitError:
            return 0
        return len([entry for entry in out.split(b"\0") if entry])
