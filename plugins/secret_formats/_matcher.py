"""Finding formats in a line: one cheap test first, then only the formats the line names.

1. The gate. Every format names the words a line holding it always contains (its keywords; for
   a keyword-context format, the words its variable name must carry: `key`, `secret`,
   `token`...). They are compiled into one regex anchored on rare characters: each word is
   matched from its first character in a small set of rare ones (`glpat-` from `-`, `secret`
   from `c`), its start checked by a lookbehind. The regex engine skips every position whose
   character starts no anchor, so the gate reads text at about three times the speed of a
   plain alternation of the words. A format whose keyword is common in ordinary text (`pat`,
   `sk`) gives a short regex instead (`pat`, 14 letters or digits, a dot). A line (or a block:
   `may_contain`) the gate rejects costs that one search.
2. The keywords. A line past the gate is searched for every format's keywords (a trie of
   alternatives); only the formats whose keywords it holds are run, most specific first, and a
   format's regex is compiled the first time a line needs it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property

from ._model import (
    HIGH,
    MEDIUM,
    RANK_CONTEXT,
    Format,
    Match,
    default_entropy,
    placeholder,
    sequential,
    shannon,
    written,
)

Trie = dict[str, "Trie"]


def _insert(trie: Trie, word: str) -> None:
    node = trie
    for char in word:
        node = node.setdefault(char, {})
    node[""] = {}


def _alternatives(node: Trie) -> str:
    """The regex of a trie node: longer continuations preferred, so a match is the longest
    keyword starting at its position."""
    branches = [
        re.escape(char) + _alternatives(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{group})?"
    return group


def trie_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of `words`."""
    trie: Trie = {}
    for word in words:
        _insert(trie, word)
    return re.compile(_alternatives(trie))


# How often each character occurs in lowercased source code, per 10,000 characters (measured
# over Django's Python sources); characters not listed count as 1.
CODE_FREQUENCY: dict[str, float] = {
    **dict(
        zip(
            "abcdefghijklm",
            (412, 69, 191, 243, 795, 213, 110, 108, 367, 21, 40, 320, 176),
            strict=True,
        )
    ),
    **dict(
        zip(
            "nopqrstuvwxyz", (379, 370, 170, 23, 407, 447, 496, 164, 47, 43, 37, 66, 8), strict=True
        )
    ),
    **dict(zip("0123456789", (14, 9, 8, 4, 3, 3, 3, 1, 1, 2), strict=True)),
    **dict(
        zip(
            "_.:=\"#%(),'[]*-",
            (212, 143, 66, 67, 136, 27, 22, 100, 100, 100, 17, 15, 15, 12, 11),
            strict=True,
        )
    ),
    " ": 2859.0,
}


def anchors(words: Iterable[str], frequency: dict[str, float] = CODE_FREQUENCY) -> frozenset[str]:
    """A small set of rare characters such that every word holds one: greedily, the character
    that covers most words for how often it occurs."""
    uncovered = set(words)
    chosen: set[str] = set()
    while uncovered:
        counts: dict[str, int] = {}
        for word in uncovered:
            for char in set(word):
                counts[char] = counts.get(char, 0) + 1
        best = min(counts, key=lambda c: (frequency.get(c, 1.0) / counts[c], c))
        chosen.add(best)
        uncovered = {word for word in uncovered if best not in word}
    return frozenset(chosen)


_END = ""


def _anchored_branches(node: dict[str, object]) -> list[str]:
    branches: list[str] = []
    for char, child in sorted(node.items()):
        if char != _END:
            assert isinstance(child, dict)
            branches.append(re.escape(char) + _anchored_alternatives(child))
    ends = node.get(_END)
    if isinstance(ends, set) and ends:
        behind = "|".join(f"(?<={re.escape(word)})" for word in sorted(ends))
        branches.append(behind if len(ends) == 1 else f"(?:{behind})")
    return branches


def _anchored_alternatives(node: dict[str, object]) -> str:
    branches = _anchored_branches(node)
    if not branches:
        return ""
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def anchored_regex(words: Iterable[str], patterns: Iterable[str] = ()) -> re.Pattern[str]:
    """One regex matching any of `words`, each matched from its first anchor character on and
    its beginning checked by a lookbehind (the match is the word's tail, not the word), or any
    of `patterns`."""
    unique = sorted(set(words))
    rare = anchors(unique)
    trie: dict[str, object] = {}
    for word in unique:
        start = min(word.index(c) for c in rare if c in word)
        node = trie
        for char in word[start:]:
            child = node.setdefault(char, {})
            assert isinstance(child, dict)
            node = child
        ends = node.setdefault(_END, set())
        assert isinstance(ends, set)
        ends.add(word)
    # One flat alternation, every branch starting with a literal character: the regex engine
    # then knows the set of first characters and skips every other position.
    return re.compile("|".join([*_anchored_branches(trie), *sorted(set(patterns))]))


# Until this many characters have gone through a gate (or the keyword search), its words are
# looked for one by one with `str.find`/`in` (fast C searches, nothing to build), instead of
# compiling the one combined regex, which costs milliseconds: a git hook over a small commit
# never builds it. Past it, the regex is compiled and used from then on. Both find the same.
COMPILE_GATE_AFTER = 1 << 18
COMPILE_TRIGGER_AFTER = 1 << 16


class Gate:
    """The prefilter: a (lowercased) text is worth a look when it holds one of `words` or
    matches one of `patterns`."""

    def __init__(self, words: Iterable[str], patterns: Iterable[str]) -> None:
        self.words = tuple(sorted({w for w in words if w and "\n" not in w}))
        self.patterns = tuple(sorted(set(patterns)))
        self._regex: re.Pattern[str] | None = None
        self._searched = 0

    @property
    def regex(self) -> re.Pattern[str]:
        """The one regex of the words and patterns (`anchored_regex`), compiled on first use."""
        if self._regex is None:
            self._regex = anchored_regex(self.words, self.patterns)
        return self._regex

    @cached_property
    def _patterns(self) -> re.Pattern[str] | None:
        return re.compile("|".join(self.patterns)) if self.patterns else None

    def _compiled(self, size: int) -> re.Pattern[str] | None:
        """The regex, once `size` more characters take the searches past the threshold."""
        if self._regex is None:
            self._searched += size
            if self._searched <= COMPILE_GATE_AFTER:
                return None
        return self.regex

    def search(self, text: str) -> bool:
        """Whether `text` (lowercased) holds a word or matches a pattern."""
        regex = self._compiled(len(text))
        if regex is not None:
            return regex.search(text) is not None
        if any(word in text for word in self.words):
            return True
        return self._patterns is not None and self._patterns.search(text) is not None

    def stops(self, block: str) -> Iterator[int]:
        """The indexes of the lines of `block` (lowercased, `\n`-separated) the gate finds
        something in, in order."""
        regex = self._compiled(len(block))
        if regex is not None:
            position, index = 0, 0
            while (hit := regex.search(block, position)) is not None:
                index += block.count("\n", position, hit.start())
                yield index
                position = block.find("\n", hit.start()) + 1
                if position == 0:
                    return
                index += 1
            return
        ends = [i for i, char in enumerate(block) if char == "\n"] if "\n" in block else []
        lines: set[int] = set()

        def line_of(at: int) -> int:
            index = bisect_left(ends, at)
            lines.add(index)
            return ends[index] + 1 if index < len(ends) else len(block)  # the next line's start

        for word in self.words:
            at = block.find(word)
            while at != -1:
                at = block.find(word, line_of(at))
        if self._patterns is not None:
            position = 0
            while (hit := self._patterns.search(block, position)) is not None:
                position = line_of(hit.start())
        yield from sorted(lines)


class Catalogue:
    """A set of formats and the matcher over them."""

    def __init__(self, formats: Sequence[Format]) -> None:
        self.formats: tuple[Format, ...] = tuple(sorted(formats, key=lambda f: f.rank))
        self._compiled: list[re.Pattern[str] | None] = [None] * len(self.formats)
        self._gates: dict[frozenset[str], Gate] = {}
        self._looked_up = 0  # characters the keyword search went through without the trie

    @cached_property
    def _own_keywords(self) -> dict[str, frozenset[int]]:
        """Each keyword, with the formats that have it."""
        own: dict[str, set[int]] = {}
        for index, fmt in enumerate(self.formats):
            for keyword in fmt.keywords:
                own.setdefault(keyword, set()).add(index)
        return {keyword: frozenset(indices) for keyword, indices in own.items()}

    @cached_property
    def _by_keyword(self) -> dict[str, tuple[int, ...]]:
        """Each keyword, with the formats of every keyword it starts with (the trigger reports
        only the longest keyword at a position)."""
        own = self._own_keywords
        table: dict[str, tuple[int, ...]] = {}
        for keyword in own:
            indices: set[int] = set()
            for end in range(1, len(keyword) + 1):
                indices |= own.get(keyword[:end], frozenset())
            table[keyword] = tuple(sorted(indices))
        return table

    @cached_property
    def _trigger(self) -> re.Pattern[str]:
        return trie_regex(self._by_keyword)

    @cached_property
    def _gate(self) -> Gate:
        return self.gate_with(())

    def gate_with(self, words: Iterable[str]) -> Gate:
        """The gate of every format and of `words` too (lowercase): one search over a block
        stops at each line that may hold a secret of some format or mention one of `words`
        (a caller's own rules share the pass). Made once per set of words."""
        extra = frozenset(words)
        gate = self._gates.get(extra)
        if gate is None:
            gate = self._gates[extra] = Gate(
                [*(word for fmt in self.formats for word in fmt.gate_words), *extra],
                (fmt.gate_pattern for fmt in self.formats if fmt.gate_pattern),
            )
        return gate

    def may_contain(self, text_lower: str) -> bool:
        """Whether some line of `text_lower` (lowercased) may hold a secret of some format."""
        return self._gate.search(text_lower)

    def candidates(self, low: str) -> list[int]:
        """The formats (by index, most specific first) whose keywords the line `low` holds."""
        if "_trigger" not in self.__dict__:
            self._looked_up += len(low)
            if self._looked_up <= COMPILE_TRIGGER_AFTER:
                held = [i for k, i in self._own_keywords.items() if k in low]
                return sorted(frozenset[int]().union(*held))
        trigger, table = self._trigger, self._by_keyword
        hit = trigger.search(low)
        if hit is None:
            return []
        found: set[int] = set()
        while hit is not None:
            found.update(table[hit.group()])
            hit = trigger.search(low, hit.start() + 1)
        return sorted(found)

    def regex(self, index: int) -> re.Pattern[str]:
        compiled = self._compiled[index]
        if compiled is None:
            fmt = self.formats[index]
            compiled = self._compiled[index] = re.compile(fmt.pattern, fmt.flags)
        return compiled

    def find_lines(self, lines: Sequence[str]) -> Iterator[tuple[int, Match]]:
        """`find` over many lines, with their index: one gate search over the whole block,
        and `find` only on the lines it stops at."""
        for index in self.stops(lines):
            line = lines[index]
            yield from ((index, match) for match in self.matches(line, line.lower()))

    def stops(self, lines: Sequence[str], gate: Gate | None = None) -> Iterator[int]:
        """The indexes of the lines `gate` (by default the catalogue's own; see `gate_with`)
        finds something in, in order: one search over the whole block, lowercased."""
        gate = self._gate if gate is None else gate
        block = "\n".join(lines).lower()
        if block.count("\n") != max(len(lines) - 1, 0):  # a line holding a newline
            yield from (i for i, line in enumerate(lines) if gate.search(line.lower()))
            return
        yield from gate.stops(block)

    def find(self, line: str) -> Iterator[Match]:
        """The secrets in one line, non-overlapping (the most specific format wins a span),
        in the order they appear."""
        low = line.lower()
        if self._gate.search(low):
            yield from self.matches(line, low)

    def matches(
        self,
        line: str,
        low: str,
        family: str | None = None,
        taken: Sequence[tuple[int, int]] = (),
    ) -> list[Match]:
        """The secrets in a line the gate stopped at (`low`: the line lowercased), in order:
        only the formats of `family` (None: all), none overlapping a span of `taken` (the
        caller's own findings, which win)."""
        found: list[Match] = []
        windowed = len(line) > LONG_LINE and len(low) == len(line)
        for index in self.candidates(low):
            fmt = self.formats[index]
            if family is not None and fmt.family != family:
                continue
            regex = self.regex(index)
            hits = _around(regex, line, low, fmt.keywords) if windowed else regex.finditer(line)
            for hit in hits:
                match = judge(fmt, hit)
                if match is None or any(_overlap(match, other) for other in found):
                    continue
                if any(match.start < end and start < match.end for start, end in taken):
                    continue
                found.append(match)
        return sorted(found, key=lambda m: m.start)


# A line longer than this (minified code, a data blob) is searched only around its keywords:
# from BEFORE characters before each to WINDOW characters after it, not from end to end once
# per format.
LONG_LINE = 4096
BEFORE = 128
WINDOW = 2048


def _around(
    regex: re.Pattern[str], line: str, low: str, keywords: Sequence[str]
) -> Iterator[re.Match[str]]:
    """The matches of `regex` in the windows of `line` around the `keywords` of `low` (the
    line lowercased, of the same length); windows that overlap are searched once."""
    starts: list[int] = []
    for keyword in keywords:
        at = low.find(keyword)
        while at != -1:
            starts.append(at)  # the next occurrence that needs a window of its own:
            at = low.find(keyword, at + WINDOW - 2 * BEFORE)
    covered = 0
    for at in sorted(starts):
        if at + WINDOW <= covered:
            continue
        begin, end = max(covered, at - BEFORE), min(len(line), at + WINDOW)
        yield from regex.finditer(line, begin, end)
        covered = end


def _overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _group(hit: re.Match[str], name: str) -> str | None:
    return hit.group(name) if name in hit.re.groupindex else None


def judge(fmt: Format, hit: re.Match[str]) -> Match | None:
    """The match as a finding of `fmt`, or None when the value is a placeholder, too regular,
    written rather than generated, or not of the format after all."""
    has_secret = "secret" in hit.re.groupindex
    secret = hit.group("secret") if has_secret else hit.group()
    start, end = hit.span("secret") if has_secret else hit.span()
    body = _group(hit, "body") or secret
    if (fmt.placeholders and placeholder(body)) or sequential(body):
        return None
    floor = default_entropy(body) if fmt.min_entropy is None else fmt.min_entropy
    if shannon(body) < floor:
        return None
    if fmt.rank >= RANK_CONTEXT and written(body):
        return None
    if fmt.accept is not None and not fmt.accept(hit):
        return None
    confidence = fmt.confidence
    if fmt.checksum is not None:
        confidence = HIGH if fmt.checksum(secret) else MEDIUM
    return Match(fmt.id, fmt.label, start, end, secret, confidence)
