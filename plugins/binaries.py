"""Binary and executable rules: new binary files, executables by content and by mode.

- `binary.added` (when `allow_binary` is false): a regular file whose new content is binary
  and whose old content was not (an added file, or a text file rewritten as binary). Binary
  means libgit2 says so, or a NUL byte in the first 8000 bytes (git's own test).
- `mode.executable-content` (when `allow_executable` is false): a file that becomes an
  executable by its content: an ELF, Mach-O or PE (`MZ`) image in any mode, or a script
  starting with `#!` that has the exec bit.
- `mode.executable` (when `allow_executable` is false): a file that becomes mode 100755.

Every rule defaults to `error`. A legitimate case is allowed by `allow_binary = true` /
`allow_executable = true` in the policy's `[limits]`, or by path with
`[plugins.binary] allow = ["glob", ...]` (a plan's list can only narrow the policy's).
Content is sniffed from the first 8000 bytes; a loose object is only inflated that far.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import pygit2
from pygit2.enums import DiffFlag

from supervisor.changes import Change
from supervisor.context import RuleContext
from supervisor.gitio import MODE_EXEC, MODE_FILE
from supervisor.hookspecs import hookimpl
from supervisor.violations import Violation

from ._narrow import allow_list

PLUGIN = "binary"
KEYS = ("allow",)
SNIFF_BYTES = 8000
FILE_MODES = (MODE_FILE, MODE_EXEC)
MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",  # MH_MAGIC
    b"\xfe\xed\xfa\xcf",  # MH_MAGIC_64
    b"\xce\xfa\xed\xfe",  # MH_CIGAM
    b"\xcf\xfa\xed\xfe",  # MH_CIGAM_64
)
FAT_MAGICS = (
    b"\xca\xfe\xba\xbe",  # FAT_MAGIC (also a Java class file: told apart below)
    b"\xca\xfe\xba\xbf",  # FAT_MAGIC_64
    b"\xbe\xba\xfe\xca",  # FAT_CIGAM
    b"\xbf\xba\xfe\xca",  # FAT_CIGAM_64
)
JAVA_MIN_MAJOR = 45  # a class file's version word; a fat header's arch count is far below it


@hookimpl
def git_agent_check_path(change: Change, ctx: RuleContext) -> Sequence[Violation]:
    limits = ctx.rules.limits
    deny_binary = limits.allow_binary is False
    deny_exec = limits.allow_executable is False
    if not (deny_binary or deny_exec) or change.mode not in FILE_MODES or change.oid is None:
        return []
    if allow_list(ctx, PLUGIN, KEYS)(change.path):
        return []
    found: list[Violation] = []
    if deny_exec and change.mode == MODE_EXEC and change.old_mode != MODE_EXEC:
        found.append(_violation("mode.executable", change, "file becomes executable (100755)"))
    new = Side(ctx, change.oid, change.mode, _flags(change, old=False))
    old = _old_side(ctx, change)
    if deny_binary and new.binary and not (old is not None and old.binary):
        found.append(_violation("binary.added", change, "new binary file"))
    kind = new.executable
    if deny_exec and kind is not None and (old is None or old.executable is None):
        found.append(_violation("mode.executable-content", change, f"new executable: {kind}"))
    return found


def _violation(rule: str, change: Change, message: str) -> Violation:
    return Violation(rule=rule, path=change.path, message=message)


def _old_side(ctx: RuleContext, change: Change) -> Side | None:
    if change.old_oid is None or change.old_mode not in FILE_MODES:
        return None
    return Side(ctx, change.old_oid, change.old_mode, _flags(change, old=True))


def _flags(change: Change, old: bool) -> int:
    if change.patch is None:
        return int(DiffFlag.BINARY) if change.binary and not old else 0
    delta = change.patch.delta
    return int((delta.old_file if old else delta.new_file).flags)


class Side:
    """One side of a change: a blob in a mode, its first bytes read lazily."""

    def __init__(self, ctx: RuleContext, oid: str, mode: int, flags: int) -> None:
        self.ctx, self.oid, self.mode, self.flags = ctx, oid, mode, flags
        self._head: bytes | None = None

    @property
    def head(self) -> bytes:
        if self._head is None:
            self._head = blob_head(self.ctx, self.oid, SNIFF_BYTES)
        return self._head

    @property
    def binary(self) -> bool:
        return bool(self.flags & DiffFlag.BINARY) or b"\0" in self.head

    @property
    def executable(self) -> str | None:
        """What kind of executable the content is, or None."""
        kind = executable_kind(self.head)
        if kind == "script" and self.mode != MODE_EXEC:
            return None
        return kind


def executable_kind(head: bytes) -> str | None:
    """`ELF`, `Mach-O`, `PE`, `script` (a `#!` line, executable only with the exec bit) or None."""
    magic = head[:4]
    if magic == b"\x7fELF":
        return "ELF"
    if magic in MACHO_MAGICS:
        return "Mach-O"
    if magic in FAT_MAGICS and len(head) >= 8:
        word = head[4:8] if magic.startswith(b"\xca") else head[7:3:-1]
        if int.from_bytes(word, "big") < JAVA_MIN_MAJOR:
            return "Mach-O"
    if head.startswith(b"MZ") and b"\0" in head[:64]:
        return "PE"
    if head.startswith(b"#!"):
        return "script"
    return None


def blob_head(ctx: RuleContext, oid: str, size: int) -> bytes:
    """The first `size` bytes of a blob; a loose object is only inflated that far."""
    head = _loose_head(ctx.repo.objects_dir, oid, size)
    if head is None:
        head = ctx.repo.raw.odb.read(pygit2.Oid(hex=oid))[1][:size]
    return head


def _loose_head(objects: Path, oid: str, size: int) -> bytes | None:
    """Inflate just enough of a loose object (`blob <n>\\0<bytes>`); None when not loose."""
    try:
        stream = (objects / oid[:2] / oid[2:]).open("rb")
    except OSError:
        return None
    want = size + 32  # the header is "blob " + at most 20 digits + NUL
    inflate = zlib.decompressobj()
    data = b""
    with stream:
        try:
            chunk = stream.read(4096)
            while chunk and len(data) < want:
                data += inflate.decompress(chunk, want - len(data))
                chunk = inflate.unconsumed_tail or stream.read(4096)
        except (OSError, zlib.error):
            return None
    header, sep, body = data.partition(b"\0")
    if not sep or not header.startswith(b"blob "):
        return None
    return body[:size]
