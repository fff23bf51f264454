"""Go's regular expressions (RE2 syntax, as gitleaks writes them) as Python `re` patterns.

Most of the syntax is the same. Where it differs, the pattern is rewritten:

- flags set in the middle of a pattern, `a(?i)b|c`, hold in RE2 up to the end of their group;
  Python only takes global flags at the very start, so they become a scoped group per
  alternative: `a(?i:b)|(?i:c)`;
- `\\z` (end of text) is Python's `\\Z`; `\\Q...\\E` quotes a literal; `\\x{10FFFF}` and octal
  escapes (`\\123`) become the characters they name; `(?<name>...)` is `(?P<name>...)`;
- POSIX classes inside brackets (`[[:alpha:]]`, `[[:^digit:]]`) become ranges, and a `[` inside
  brackets is escaped (Python reads `[[` as the start of a future nested set);
- a `{` that does not start a repetition is a literal (`{,3}` is one in Python, not in RE2).

`\\d`, `\\w`, `\\s` and `\\b` are ASCII in RE2: patterns are compiled with `re.ASCII`.

What has no Python equivalent is refused with a `GoRegexError` saying what: Unicode classes
(`\\pL`, `\\p{Greek}`), the ungreedy flag `(?U)`, `\\C`, and `\\8`/`\\9`.
"""

from __future__ import annotations

import re
import warnings

FLAGS = re.ASCII


class GoRegexError(ValueError):
    """A Go regular expression Python's `re` cannot express, or a malformed one."""


POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FLAG_GROUP = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX_BRACED = re.compile(r"x\{([0-9A-Fa-f]{1,8})\}")


def compile_go(source: str) -> re.Pattern[str]:
    """`source`, a Go regular expression, compiled for Python (a `GoRegexError` when it cannot
    be)."""
    translated = translate(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning on sets Python may read differently
        try:
            return re.compile(translated, FLAGS)
        except re.error as exc:
            raise GoRegexError(f"not a valid regular expression: {exc.msg}") from None
        except (OverflowError, RecursionError):
            raise GoRegexError("too large or too deeply nested") from None


class _Group:
    """One open group of the pattern: the scoped flag groups opened in its current
    alternative, to close at its end and to reopen after each `|`."""

    __slots__ = ("flags",)

    def __init__(self) -> None:
        self.flags: list[str] = []  # each a "(?i:" or "(?-i:" opened in this group


def translate(source: str) -> str:
    """The Python spelling of the Go regular expression `source`."""
    out: list[str] = []
    groups = [_Group()]
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            text, i = _escape(source, i, in_class=False)
            out.append(text)
        elif char == "[":
            text, i = _char_class(source, i)
            out.append(text)
        elif char == "(":
            text, i = _open(source, i, groups)
            out.append(text)
        elif char == ")":
            if len(groups) == 1:
                raise GoRegexError("unbalanced ')'")
            group = groups.pop()
            out.append(")" * len(group.flags) + ")")
            i += 1
        elif char == "|":
            flags = groups[-1].flags
            out.append(")" * len(flags) + "|" + "".join(flags))
            i += 1
        elif char == "{":
            repeat = _REPEAT.match(source, i)
            if repeat is None:
                out.append("\\{")
                i += 1
            else:
                out.append(repeat.group())
                i = repeat.end()
        else:
            out.append(char)
            i += 1
    if len(groups) != 1:
        raise GoRegexError("missing ')'")
    out.append(")" * len(groups[0].flags))
    return "".join(out)


def _open(source: str, i: int, groups: list[_Group]) -> tuple[str, int]:
    """A `(` at `i`: a group, a named group or a flag setting."""
    if not source.startswith("(?", i):
        groups.append(_Group())
        return "(", i + 1
    for prefix, python in (("(?P<", "(?P<"), ("(?<", "(?P<")):
        if source.startswith(prefix, i) and not source.startswith(("(?<=", "(?<!"), i):
            end = source.find(">", i)
            name = source[i + len(prefix) : end] if end != -1 else ""
            if not _GROUP_NAME.fullmatch(name):
                raise GoRegexError(f"invalid group name {name!r}")
            groups.append(_Group())
            return f"{python}{name}>", end + 1
    flag = _FLAG_GROUP.match(source, i)
    if flag is None or flag.group() == "(?:":
        # (?:...), and (?=...) or (?<=...), which RE2 lacks but Python reads the same way
        groups.append(_Group())
        return "(", i + 1
    on, off, closer = flag.group(1), flag.group(2) or "", flag.group(3)
    if "U" in on + off:
        raise GoRegexError("the ungreedy flag (?U) has no Python equivalent")
    if not on and not off:
        raise GoRegexError("empty flag group")
    scoped = f"(?{on}{'-' + off if off else ''}:"
    if closer == ":":
        groups.append(_Group())
        return scoped, flag.end()
    groups[-1].flags.append(scoped)  # (?i) in the middle: holds to the end of its group
    return scoped, flag.end()


def _escape(source: str, i: int, in_class: bool) -> tuple[str, int]:
    """The escape sequence starting at `i` (a backslash), in Python's spelling."""
    if i + 1 >= len(source):
        raise GoRegexError("trailing backslash")
    char = source[i + 1]
    if char == "z" and not in_class:
        return "\\Z", i + 2
    if char in "pP":
        raise GoRegexError(f"Unicode classes (\\{char}...) have no Python equivalent")
    if char == "C":
        raise GoRegexError("\\C (any byte) has no Python equivalent")
    if char == "Q":
        end = source.find("\\E", i + 2)
        literal = source[i + 2 :] if end == -1 else source[i + 2 : end]
        after = len(source) if end == -1 else end + 2
        return "".join(_literal(c, in_class) for c in literal), after
    if char in "89":
        raise GoRegexError(f"\\{char} is not a valid escape")
    if char in "01234567":
        if char != "0" and not source[i + 2 : i + 3].isdigit():
            raise GoRegexError(f"\\{char}: backreferences have no RE2 meaning")
        octal = _OCTAL.match(source, i + 1)
        assert octal is not None
        return _literal(chr(int(octal.group(), 8)), in_class), octal.end()
    hexed = _HEX_BRACED.match(source, i + 1)
    if hexed is not None:
        code = int(hexed.group(1), 16)
        if code > 0x10FFFF:
            raise GoRegexError(f"\\x{{{hexed.group(1)}}} is not a code point")
        return _literal(chr(code), in_class), hexed.end()
    if char in "AbBdDsSwWfnrtvax" or not char.isalnum():
        return source[i : i + 2], i + 2
    raise GoRegexError(f"\\{char} is not a valid escape")


def _literal(char: str, in_class: bool) -> str:
    if in_class:
        return "\\" + char if char in "\\]^-[" else _printable(char)
    return re.escape(char) if char.isprintable() else _printable(char)


def _printable(char: str) -> str:
    code = ord(char)
    if char.isprintable() and char != "\\":
        return char
    return f"\\x{code:02x}" if code < 0x100 else f"\\U{code:08x}"


def _char_class(source: str, i: int) -> tuple[str, int]:
    """The bracket expression starting at `i`."""
    whole = _POSIX.match(source, i + 1)
    if whole is not None and whole.group(1) and source.startswith("]", whole.end()):
        name = whole.group(2)  # [[:^alpha:]]: the negated class alone
        if name not in POSIX_CLASSES:
            raise GoRegexError(f"unknown class [:{name}:]")
        return f"[^{POSIX_CLASSES[name]}]", whole.end() + 1
    out = ["["]
    i += 1
    if i < len(source) and source[i] == "^":
        out.append("^")
        i += 1
    if i < len(source) and source[i] == "]":  # a leading ] is a literal
        out.append("\\]")
        i += 1
    while i < len(source):
        char = source[i]
        if char == "]":
            out.append("]")
            return "".join(out), i + 1
        if char == "\\":
            text, i = _escape(source, i, in_class=True)
            out.append(text)
            continue
        if char == "[":
            posix = _POSIX.match(source, i)
            if posix is not None:
                negated, name = posix.groups()
                if name not in POSIX_CLASSES:
                    raise GoRegexError(f"unknown class [:{name}:]")
                ranges = POSIX_CLASSES[name]
                if negated:
                    raise GoRegexError(f"a negated class [:^{name}:] inside brackets")
                out.append(ranges)
                i = posix.end()
                continue
            out.append("\\[")
            i += 1
            continue
        if char in "&~|" and source.startswith(char * 2, i):  # Python's future set operators
            out.append("\\" + char)
            i += 1
            continue
        out.append(char)
        i += 1
    raise GoRegexError("missing ']'")
