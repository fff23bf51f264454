"""Watching shadows with watchdog: one recursive inotify watch per feature, limited to the
events that say "this path may hold something new" (a write closed, a create, a delete, a
move). Asking for every event type costs most of them under load (the kernel queue overflows
while pygit2 holds the GIL); these few all arrive.

The ways events get lost are each turned into a full scan by the supervisor:
- the kernel's queue overflowed: watchdog logs it (and delivers nothing for what was lost);
- a watch could not be added: the kernel's budget of watches ran out (watchdog skips a
  subdirectory it cannot watch without a word, so the watches are counted), or the shadow
  has more directories than `GIT_AGENT_MAX_WATCHES` allows. That feature is then polled.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import ObservedWatch
from watchdog.observers.inotify import InotifyObserver

from supervisor.live.inbox import Inbox

EVENTS: list[type[FileSystemEvent]] = [
    FileClosedEvent,
    FileCreatedEvent,
    DirCreatedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
]
OUT_OF_WATCHES = (errno.ENOSPC, errno.EMFILE, errno.ENOMEM)
WATCHDOG_LOGGER = "watchdog"


class ShadowEvents(FileSystemEventHandler):
    """A shadow's events as paths relative to it, into the inbox; its own `.git` left out."""

    def __init__(self, feature: str, root: Path, inbox: Inbox) -> None:
        self.feature = feature
        self.root = os.fsencode(root) + b"/"
        self.inbox = inbox

    def dispatch(self, event: FileSystemEvent) -> None:
        found = []
        for raw in (event.src_path, event.dest_path):
            rel = relative(self.root, os.fsencode(raw)) if raw else None
            if rel is not None:
                found.append(rel)
        if found:
            self.inbox.add(self.feature, found, event.is_directory)


def relative(root: bytes, path: bytes) -> bytes | None:
    """`path` relative to the shadow `root` (ending in "/"); None for the shadow itself, its
    `.git`, and anything outside."""
    if not path.startswith(root):
        return None
    rel = path[len(root) :].strip(b"/")
    if not rel or rel == b".git" or rel.startswith(b".git/"):
        return None
    return rel


class LostEvents(logging.Handler):
    """Watchdog's word that the kernel dropped events, turned into a full scan of everything."""

    def __init__(self, lost: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.lost = lost

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.lost()


class Watches:
    def __init__(self, inbox: Inbox, limit: int | None) -> None:
        self.inbox = inbox
        self.limit = limit
        self.observer = InotifyObserver()
        self.watches: dict[str, ObservedWatch] = {}
        self.dirs: dict[str, int] = {}  # directories each inotify watch covers, when counted
        self._log = LostEvents(inbox.lose)

    def start(self) -> None:
        logging.getLogger(WATCHDOG_LOGGER).addHandler(self._log)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()
        logging.getLogger(WATCHDOG_LOGGER).removeHandler(self._log)

    def add(self, feature: str, root: Path) -> str | None:
        """Watch `root` for `feature`; None when inotify covers it, else why it must be polled."""
        count = count_dirs(root)
        if self.over_limit(feature, count):
            return f"more directories than GIT_AGENT_MAX_WATCHES ({self.limit})"
        handler = ShadowEvents(feature, root, self.inbox)
        try:
            watch = self.observer.schedule(handler, str(root), recursive=True, event_filter=EVENTS)
        except OSError as exc:
            if exc.errno in OUT_OF_WATCHES:
                return f"no inotify watch left ({os.strerror(exc.errno)})"
            raise
        self.watches[feature], self.dirs[feature] = watch, count
        return None

    def remove(self, feature: str) -> None:
        watch = self.watches.pop(feature, None)
        self.dirs.pop(feature, None)
        if watch is not None:
            self.observer.unschedule(watch)

    def over_limit(self, feature: str, count: int) -> bool:
        if self.limit is None:
            return False
        others = sum(n for name, n in self.dirs.items() if name != feature)
        return others + count > self.limit

    def recount(self, feature: str, root: Path) -> str | None:
        """After new directories came: None while every directory is still watched, else why
        the feature must be polled from now on (its watch is then dropped)."""
        if feature not in self.watches:
            return None
        count = count_dirs(root)
        why = None
        if self.over_limit(feature, count):
            why = f"more directories than GIT_AGENT_MAX_WATCHES ({self.limit})"
        else:
            self.dirs[feature] = count
            if kernel_watches() < sum(self.dirs.values()):
                why = "the kernel's inotify watches ran out"
        if why is not None:
            self.remove(feature)
        return why


def count_dirs(root: Path) -> int:
    """The directories a recursive watch of `root` needs (itself and every one below it, links
    to directories not followed), as watchdog walks them."""
    count, pending = 0, [os.fsencode(root)]
    while pending:
        folder = pending.pop()
        count += 1
        try:
            with os.scandir(folder) as listing:
                pending.extend(e.path for e in listing if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return count


def kernel_watches() -> int:
    """The inotify watches this process holds, as the kernel counts them."""
    total = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            with open(f"/proc/self/fdinfo/{fd}", "rb") as info:
                total += sum(line.startswith(b"inotify wd:") for line in info)
        except OSError:
            continue
    return total
