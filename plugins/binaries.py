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

from collections.abc import Sequence

from supervisor.plugin import (
    MODE_EXEC,
    MODE_FILE,
    Change,
    RuleContext,
    Violation,
    allow_list,
    hookimpl,
)

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
    new = Side(ctx, change.oid, change.mode, change.binary)
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
    return Side(ctx, change.old_oid, change.old_mode, False)


class Side:
    """One side of a change: a blob in a mode, its first bytes read lazily. `said_binary`:
    the diff already called it binary."""

    def __init__(self, ctx: RuleContext, oid: str, mode: int, said_binary: bool) -> None:
        self.ctx, self.oid, self.mode, self.said_binary = ctx, oid, mode, said_binary
        self._head: bytes | None = None

    @property
    def head(self) -> bytes:
        if self._head is None:
            self._head = self.ctx.head(self.oid, SNIFF_BYTES)
        return self._head

    @property
    def binary(self) -> bool:
        return self.said_binary or b"\0" in self.head

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


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    allow_list(ctx, PLUGIN, KEYS)
