"""`config.globs`, the gitignore translator of the gates, held to the `pathspec` library
(`GitIgnoreSpec`) on a generated corpus: the same answer for every pattern list and path."""

from __future__ import annotations

import random

import pathspec
import pytest

from supervisor.config.globs import Globs, check_glob

SEED = 20240611
SPECS = 2500
PATHS_PER_SPEC = 40

# Components a pattern is made of: names, wildcards, classes, escapes.
PIECES = [
    *["a", "b", "ab", "ba", "c", "a.txt", "b.py", "x y", "a b"],
    *["*", "?", "**", "a*", "*a", "*.txt", "*.py", "?b", "a?", "***", "a**", "**a", "a**b"],
    *["[ab]", "[!a]", "[^a]", "[]a]", "[!]a]", "[^]]", "[a-c]", "[!a-b]", "[.]txt", "[*]"],
    *["\\*a", "\\!a", "\\#a", "\\[a]", "a\\]", "\\a", "\\?", "\\ a", "[\\]]", "[\\!a]"],
    *["#a", "!a", "a!", "[a]", "*a]"],
]
# Names a path is made of: what the pieces match, and what they only match literally.
NAMES = [
    *["a", "b", "ab", "ba", "c", "a.txt", "b.py", "c.txt", "x y", "a b", ".a", "aa", "bb"],
    *["[a]", "*a", "!a", "#a", "a!", "a]", "?", "*", "]", "a ", " a", "\\", "a\\b", "ab.txt"],
]


def pattern(rng: random.Random) -> str:
    text = "/".join(rng.choice(PIECES) for _ in range(rng.choice((1, 1, 2, 2, 3, 4))))
    if rng.random() < 0.25:
        text = "/" + text  # anchored at the top
    if rng.random() < 0.1:
        text = "**/" + text
    if rng.random() < 0.1:
        text += "/**"
    if rng.random() < 0.25:
        text += "/"  # only what is below a directory of that name
    if rng.random() < 0.2:
        text = "!" + text
    spaces = rng.random()
    if spaces < 0.1:
        text += "  "  # trailing spaces are dropped ...
    elif spaces < 0.15:
        text += "\\ "  # ... unless escaped
    elif spaces < 0.18:
        text += " \\ "
    elif spaces < 0.2:
        text += "\\  "  # an escaped space, then one dropped: a lone backslash is left
    return text


def path(rng: random.Random) -> str:
    return "/".join(rng.choice(NAMES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))))


def corpus() -> list[tuple[list[str], list[str]]]:
    rng = random.Random(SEED)
    out = []
    for _ in range(SPECS):
        patterns = [pattern(rng) for _ in range(rng.choice((1, 1, 2, 3, 4)))]
        out.append((patterns, [path(rng) for _ in range(PATHS_PER_SPEC)]))
    return out


def refused(patterns: list[str]) -> bool:
    try:
        for one in patterns:
            check_glob(one)
    except ValueError:
        return True
    return False


def test_the_translator_answers_as_pathspec_for_every_generated_pair() -> None:
    mismatches: list[tuple[list[str], str, bool, bool]] = []
    compared = refusals = 0
    for patterns, paths in corpus():
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        except pathspec.patterns.gitignore.GitIgnorePatternError:
            # a pattern git cannot read either: ours refuses it too, with a reason
            assert refused(patterns), patterns
            refusals += 1
            continue
        globs = Globs(patterns)
        for one in paths:
            ours, theirs = globs.match(one), spec.match_file(one)
            compared += 1
            if ours != theirs:
                mismatches.append((patterns, one, ours, theirs))
    assert not mismatches, f"{len(mismatches)} of {compared} differ, e.g. {mismatches[:5]}"
    assert compared > 90_000 and refusals > 0  # the corpus is what it claims to be


def test_the_corpus_exercises_every_feature() -> None:
    patterns = [p for spec, _ in corpus() for p in spec]
    for feature in ("!", "/", "**", "[!", "[^", "[]", "\\", "  ", "\\ "):
        assert any(feature in p for p in patterns), feature
    assert any(p.startswith("**/") for p in patterns)
    assert any(p.rstrip().endswith("/**") for p in patterns)
    assert any("/**/" in p for p in patterns)
    assert any(p.rstrip().endswith("/") for p in patterns)
    # and it matches something: a comparison of two "no"s proves little
    matched = sum(
        Globs(spec).match(one)
        for spec, paths in corpus()[:300]
        for one in paths
        if not refused(spec)
    )
    assert matched > 1000


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["a/"], "a", False),  # a file called a is no directory
        (["a/"], "a/b", True),
        (["/a"], "b/a", False),
        (["a"], "b/a", True),
        (["a/b"], "c/a/b", False),  # a slash in the middle anchors it
        (["**/b"], "a/c/b", True),
        (["a/**"], "a", False),
        (["a/**/b"], "a/b", True),
        (["a", "!a/b"], "a/b", False),  # a negation takes a path back (git would not descend)
        (["*.txt", "!a.txt"], "a.txt", False),
        (["[]a]"], "]", True),
        (["[!a]"], "b", True),
        (["\\#a"], "#a", True),
        (["#a"], "#a", False),  # a comment
        (["a\\ "], "a ", True),
        (["a  "], "a", True),
    ],
)
def test_the_rules_that_matter_most(patterns: list[str], path: str, expected: bool) -> None:
    assert Globs(patterns).match(path) is expected
    assert pathspec.GitIgnoreSpec.from_lines(patterns).match_file(path) is expected


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's warning about "--" in a class
@pytest.mark.parametrize("glob", ["[z-a]", "x[a--b]", "[a-\\]]"])
def test_a_glob_that_cannot_be_compiled_is_refused_up_front(glob: str) -> None:
    try:
        check_glob(glob)
    except ValueError:
        return  # refused with a reason: what a policy or --paths needs
    Globs([glob]).match("zx")  # or, accepted, it must match without raising
