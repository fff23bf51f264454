"""Recall, cost and precision of the secrets rules (issue 12, "Secrets at the level of the
dedicated scanners").

Run:  python3 bench/secrets.py [--mb 4] [--repeat 3] [--no-django] [--no-history] [--missed-only]
                               [--before REV]

"Before" is plugins/secrets.py as it was before the catalogue was wired into it (read from git
at --before, by default the last commit that changed it before, and loaded as a module of its
own); "after" is the plugin of this checkout, the catalogue wired in. It prints, in one run:

(a) recall by kind over bench/secret_samples.py, one sample of each documented token format,
    fixed before the catalogue was written: a sample counts as found when the plugin's `scan`
    reports a finding of its kind on one of its lines. Every kind is listed (found or missed,
    before and after, and what else flagged it), or only the missed ones with `--missed-only`.
(b) the cost of scanning per MB of added lines, over a generated corpus of realistic code lines
    (this repository's own sources but the secrets rules' own, shuffled, cut into files of
    20-300 lines, with one sample secret every ~2,000 lines): before (`scan` as it was), after
    (`scan` wired: one prefilter pass for the plugin's rules and the catalogue), the catalogue
    alone, and before + the catalogue as two passes, next to `grep -c` of the same lines (the
    keywords of both rule sets as fixed strings, and a single word), best of `--repeat` runs.
(c) false positives over the Django source tree: `pip download --no-deps --no-binary :all:
    django==5.1.*` into bench/.work/ (git-ignored), every line of every text file scanned as
    added lines; findings by family (named, generic) and by rule, before and after.
(d) false positives over this repository's own history: every line added by every commit.

Secrets are never printed: findings show the rule, the path, the line and a redacted form.
See bench/README-secrets.md for a run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import re
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
# This file's name shadows the standard library's `secrets` (pydantic imports it) for as long
# as its directory is on the import path: keep it off, and load the samples by their path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]


def _load_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("secret_samples", BENCH / "secret_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_samples = _load_samples()
SAMPLES: list[Any] = _samples.SAMPLES
Sample = _samples.Sample

from git_agent_plugins import secret_formats  # noqa: E402
from git_agent_plugins import secrets as plugin  # noqa: E402

DJANGO = "django==5.1.*"
FAMILY = {fmt.id: fmt.family for fmt in secret_formats.FORMATS}
OLD_KINDS = frozenset(plugin.RULE_IDS)
# plugins/secrets.py before the catalogue was wired in: the last commit that changed it before.
BEFORE = "5164e2aa27e1efb31eecaab4c394229713cfcbdf"
old_plugin: Any = None  # the module, loaded by load_before()


def load_before(rev: str) -> Any:
    """plugins/secrets.py at `rev`, loaded as a module of its own (it imports only
    supervisor.plugin, and nothing of this checkout's plugin)."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:plugins/secrets.py"],
        capture_output=True,
        check=True,
    ).stdout
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"secrets_before_{rev[:12]}.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("secrets_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def family(rule: str) -> str:
    return FAMILY.get(rule, "generic" if rule == plugin.GENERIC_RULE else "named")


def redact(secret: str) -> str:
    return f"{secret[:4]}… ({len(secret)} chars)"


# --- (a) recall ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    before: bool  # the plugin before the catalogue was wired in reports the sample's kind
    before_any: bool  # ... reports something (any rule) on the sample
    after: bool  # the wired plugin reports the sample's kind
    other: tuple[str, ...]  # the rules that flagged the sample under another kind, after

    @property
    def found(self) -> bool:
        return self.after


def rules_on(module: Any, lines: Sequence[str]) -> set[str]:
    view = module.FileView("sample.txt", enumerate(lines, 1))
    return {finding.rule for finding in module.scan(view, pragma=False)}


def judge(sample: Sample) -> Outcome:
    lines = sample.text.splitlines()
    before, after = rules_on(old_plugin, lines), rules_on(plugin, lines)
    return Outcome(
        sample,
        sample.kind in before,
        bool(before),
        sample.kind in after,
        tuple(sorted(after - {sample.kind})),
    )


def recall(every_kind: bool) -> list[Outcome]:
    outcomes = [judge(sample) for sample in SAMPLES]
    found = [o for o in outcomes if o.found]
    old = [o for o in outcomes if o.sample.kind in OLD_KINDS]
    new = [o for o in outcomes if o.sample.kind not in OLD_KINDS]
    kinds = {o.sample.kind for o in outcomes}
    kinds_found = {o.sample.kind for o in found}
    print("(a) recall over bench/secret_samples.py, through the plugin's scan")
    print(f"    samples {len(outcomes)}, kinds {len(kinds)}; catalogue: {len(FAMILY)} kinds")
    print(
        f"    after   {len(found)}/{len(outcomes)} samples = {percent(len(found), len(outcomes))}"
    )
    print(
        f"            {len(kinds_found)}/{len(kinds)} kinds = {percent(len(kinds_found), len(kinds))}"
    )
    print(
        f"    kinds the plugin already had: {sum(o.found for o in old)}/{len(old)} samples;"
        f" new kinds: {sum(o.found for o in new)}/{len(new)}"
    )
    before = sum(o.before for o in outcomes)
    print(f"    before  {before}/{len(outcomes)} = {percent(before, len(outcomes))}")
    before_any = sum(o.before_any for o in outcomes)
    print(f"    flagged under any rule, before: {before_any}/{len(outcomes)}", end="")
    flagged = sum(o.found or bool(o.other) for o in outcomes)
    print(f"; after: {flagged}/{len(outcomes)}")
    for outcome in outcomes:
        if every_kind or not outcome.found:
            print("    " + outcome_line(outcome))
    print()
    return outcomes


def outcome_line(outcome: Outcome) -> str:
    status = "found" if outcome.found else "MISSED"
    status += " (before: found)" if outcome.before else ""
    other = f" (also: {', '.join(outcome.other)})" if outcome.other else ""
    if not outcome.found and outcome.other:
        other = f" (flagged as {', '.join(outcome.other)})"
    return f"{outcome.sample.kind:44} {outcome.sample.provider:24} {status}{other}"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


# --- (b) cost per MB ----------------------------------------------------------------------------

SOURCE_SUFFIXES = (".py", ".md", ".toml", ".yaml", ".yml", ".json", ".txt", ".cfg", ".sh")
RULES_DOC = "docs/reference/rules.md"  # lists every kind's keywords
File = tuple[str, list[str]]


def source_lines() -> list[str]:
    """The lines of this repository's tracked text files, but for the secrets rules' own and
    their reference (made of the keywords, which ordinary code is not)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode()
    lines: list[str] = []
    for name in listed.split("\0"):
        if name.endswith(SOURCE_SUFFIXES) and "secret" not in name and name != RULES_DOC:
            text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
            lines.extend(line.rstrip() for line in text.splitlines())
    return lines


def corpus(megabytes: float, seed: int = 12) -> tuple[list[File], int]:
    """Files of shuffled source lines, `megabytes` of them, with one sample secret every
    ~2,000 lines; and how many secrets went in."""
    rng = random.Random(seed)
    pool = source_lines()
    secrets = [s.text for s in SAMPLES if "\n" not in s.text]
    files: list[File] = []
    size, planted, count = 0, 0, 0
    while size < megabytes * 1_000_000:
        lines: list[str] = []
        for _ in range(rng.randint(20, 300)):
            count += 1
            if count % 2000 == 0:
                lines.append(rng.choice(secrets))
                planted += 1
            else:
                lines.append(rng.choice(pool))
        size += sum(len(line) + 1 for line in lines)
        suffix = rng.choice((".py", ".py", ".py", ".md", ".toml", ".yaml", ".env"))
        files.append((f"src/file{len(files)}{suffix}", lines))
    return files, planted


def scan_with(module: Any, files: Sequence[File]) -> int:
    return sum(len(module.scan(module.FileView(p, enumerate(lines, 1)))) for p, lines in files)


def scan_catalogue(files: Sequence[File]) -> int:
    return sum(sum(1 for _ in secret_formats.find_lines(lines)) for _, lines in files)


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def keywords() -> list[str]:
    words = set(plugin.OWN_KEYWORDS)
    for fmt in secret_formats.FORMATS:
        words.update(fmt.keywords)
        words.update(fmt.gate_words)
    return sorted(words)


def cost(megabytes: float, repeat: int) -> None:
    files, planted = corpus(megabytes)
    lines = [line for _, file_lines in files for line in file_lines]
    size = sum(len(line.encode()) + 1 for line in lines) / 1_000_000
    WORK.mkdir(parents=True, exist_ok=True)
    text_file, words_file = WORK / "secrets-corpus.txt", WORK / "secrets-keywords.txt"
    text_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words_file.write_text("\n".join(keywords()) + "\n", encoding="utf-8")
    runs: dict[str, Callable[[], int]] = {
        "before": lambda: scan_with(old_plugin, files),
        "after": lambda: scan_with(plugin, files),
        "catalogue": lambda: scan_catalogue(files),
        "two passes": lambda: scan_with(old_plugin, files) + scan_catalogue(files),
    }
    counts = {name: run() for name, run in runs.items()}  # warm-up: imports, compiled regexes
    timed = {name: best(run, repeat) for name, run in runs.items()}
    grep_all = ["grep", "-c", "-F", "-i", "-f", str(words_file), str(text_file)]
    grep_one = ["grep", "-c", "-F", "token", str(text_file)]
    for name, command in (("grep keywords", grep_all), ("grep one word", grep_one)):
        counts[name] = int(subprocess.run(command, capture_output=True, text=True).stdout or 0)
        timed[name] = best(lambda c=command: subprocess.run(c, capture_output=True), repeat)  # type: ignore[misc]
    print(
        f"(b) cost per MB of added lines: {size:.2f} MB, {len(lines):,} lines in {len(files):,} files,"
    )
    print(f"    {planted} sample secrets planted; best of {repeat}")
    print(f"    {'':36} {'ms/MB':>8} {'x grep':>8} {'x before':>9} {'found':>7}")
    reference = timed["grep keywords"] / size
    labels = {
        "before": "before: scan, not wired",
        "after": "after: scan, catalogue wired in",
        "catalogue": "the catalogue alone (find_lines)",
        "two passes": "before + catalogue, two passes",
        "grep keywords": f"grep -c -F -i -f ({len(keywords())} keywords)",
        "grep one word": "grep -c -F token",
    }
    for key, label in labels.items():
        per_mb = timed[key] / size * 1000
        versus = per_mb / (timed["before"] / size * 1000)
        print(
            f"    {label:36} {per_mb:8.1f} {per_mb / (reference * 1000):8.1f}"
            f" {versus:9.2f} {counts[key]:7}"
        )
    print("    (found: findings for the scans, matching lines for grep)")
    print()


# --- (c), (d) false positives -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    source: str  # "before" or "after"
    rule: str
    path: str
    line: int
    shown: str  # redacted

    @property
    def family(self) -> str:
        return family(self.rule)


def scan_file(
    path: str, lines: Sequence[str], numbers: Sequence[int] | None = None
) -> Iterator[Hit]:
    """The plugin before and after over `lines` (numbered `numbers`, or 1, 2, ...)."""
    numbering = list(numbers) if numbers is not None else list(range(1, len(lines) + 1))
    for source, module in (("before", old_plugin), ("after", plugin)):
        view = module.FileView(path, zip(numbering, lines, strict=True))
        for finding in module.scan(view, pragma=False):
            yield Hit(source, finding.rule, path, finding.line, finding.redacted)


def django_tree() -> Path:
    """The Django source tree (the sdist: package, tests, docs), downloaded once."""
    WORK.mkdir(parents=True, exist_ok=True)
    archives = sorted(WORK.glob("django-5.1.*.tar.gz")) or []
    if not archives:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                DJANGO,
                "-d",
                str(WORK),
            ],
            check=True,
        )
        archives = sorted(WORK.glob("django-5.1.*.tar.gz"))
    archive = archives[-1]
    tree = WORK / archive.name.removesuffix(".tar.gz")
    if not tree.is_dir():
        with tarfile.open(archive) as tar:
            tar.extractall(WORK, filter="data")
    return tree


def text_files(tree: Path) -> Iterator[tuple[str, list[str], int]]:
    for directory, _, names in os.walk(tree):
        for name in sorted(names):
            path = Path(directory) / name
            data = path.read_bytes()
            if b"\0" in data[:8192]:
                continue
            lines = data.decode("utf-8", "replace").splitlines()
            yield path.relative_to(tree).as_posix(), lines, len(data)


def report(title: str, hits: Sequence[Hit], scanned: str) -> None:
    print(f"{title}: {scanned}")
    for source in ("before", "after"):
        mine = [h for h in hits if h.source == source]
        named = sum(h.family == "named" for h in mine)
        generic = len(mine) - named
        rules = Counter(h.rule for h in mine)
        listed = ", ".join(f"{rule} {n}" for rule, n in rules.most_common()) or "-"
        print(f"    {source:10} named {named:4}   generic {generic:4}   {listed}")
    for hit in hits[:40]:
        print(f"    {hit.source:10} {hit.family:8} {hit.rule:32} {hit.path}:{hit.line} {hit.shown}")
    if len(hits) > 40:
        print(f"    ... and {len(hits) - 40} more")
    print()


def django() -> None:
    tree = django_tree()
    hits: list[Hit] = []
    files = size = lines = 0
    start = time.perf_counter()
    for path, file_lines, length in text_files(tree):
        files, size, lines = files + 1, size + length, lines + len(file_lines)
        hits.extend(scan_file(path, file_lines))
    elapsed = time.perf_counter() - start
    scanned = (
        f"{tree.name}, {files:,} text files, {lines:,} lines, {size / 1e6:.1f} MB ({elapsed:.1f} s)"
    )
    report("(c) false positives over the Django source tree", hits, scanned)


_HUNK = re.compile(r"^@@ -\S+ \+(\d+)(?:,\d+)? @@")


def added_lines() -> Iterator[tuple[str, list[int], list[str]]]:
    """(commit:path, line numbers, lines) for every file every commit of this repository adds
    lines to."""
    log = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "log",
            "--all",
            "-p",
            "--no-color",
            "--no-ext-diff",
            "-U0",
            "--format=commit %h",
            "--no-renames",
        ],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    commit, path, numbers, lines, number = "", "", [], [], 0
    for line in log.splitlines():
        if line.startswith("commit ") or line.startswith("diff --git "):
            if lines:
                yield f"{commit}:{path}", numbers, lines
            numbers, lines = [], []
            if line.startswith("commit "):
                commit = line.split()[1]
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else line[4:]
        elif (hunk := _HUNK.match(line)) is not None:
            number = int(hunk.group(1))
        elif line.startswith("+"):
            numbers.append(number)
            lines.append(line[1:])
            number += 1
    if lines:
        yield f"{commit}:{path}", numbers, lines


def history() -> None:
    hits: list[Hit] = []
    files = lines = 0
    for where, numbers, file_lines in added_lines():
        files, lines = files + 1, lines + len(file_lines)
        hits.extend(scan_file(where, file_lines, numbers))
    commits = subprocess.run(
        ["git", "-C", str(ROOT), "rev-list", "--all", "--count"], capture_output=True, text=True
    ).stdout.strip()
    report(
        "(d) false positives over this repository's history",
        hits,
        f"{commits} commits, {files:,} file changes, {lines:,} added lines",
    )


# --- main -------------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=4.0, help="size of the cost corpus (MB)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--missed-only", action="store_true", help="list only the missed kinds")
    parser.add_argument("--no-django", action="store_true")
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--before", default=BEFORE, help="the revision of plugins/secrets.py")
    args = parser.parse_args(argv)
    global old_plugin
    old_plugin = load_before(args.before)
    print(
        f"bench/secrets.py  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  Python"
        f" {platform.python_version()}  {os.cpu_count()} CPUs  {platform.machine()}"
    )
    print(f"before: plugins/secrets.py at {args.before[:12]}; after: this checkout")
    print()
    recall(not args.missed_only)
    cost(args.mb, args.repeat)
    if not args.no_django:
        django()
    if not args.no_history:
        history()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
