"""`git agent diff --stat` is `git diff --stat` byte for byte: the same trees through both, at
several widths (names shortened, graphs scaled, renames, binaries, quoting, singulars)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.gitio.change import Change
from supervisor.render.diffstat import diffstat, rename_name, summary
from tests.kit import Exec, Files, Link, checkpoint, cli, git_bytes, make_repo, start, write_files

LONG = "".join(
    f"line {n} of a file long enough to be found again after a rename\n" for n in range(40)
)
DEEP = "src/a/very/deep/folder/structure/that/goes/on/and/on/for/ever/module_with_a_long_name.py"
BASE: dict[str, str] = {
    "src/app.py": "print('hello')\n",
    "src/moved.py": LONG,
    "lib/util.py": LONG.replace("line", "row"),
    "docs/guide.md": "# Guide\n" + "text\n" * 30,
    "tool.sh": "#!/bin/sh\necho hi\n",
    "data.bin": "\0\1\2" * 100,
    DEEP: "x = 1\n",
}
CASES: dict[str, Files] = {
    "one line added": {"src/app.py": "print('hello')\nprint('more')\n"},
    "one line deleted": {"src/app.py": ""},
    "nothing": {},
    "many": {
        "src/app.py": "".join(f"print({n})\n" for n in range(300)),
        "docs/guide.md": "# Guide\n",
        "new.txt": "one\ntwo\n",
        "lib/util.py": None,
    },
    "long names": {DEEP: "x = 2\ny = 3\n", "src/b.py": "b\n"},
    "binaries": {"data.bin": "\0\3" * 400, "img.png": "\x89PNG\0" * 50, "src/app.py": "a\n"},
    "binary deleted": {"data.bin": None},
    "renames": {
        "src/moved.py": None,
        "src/renamed.py": LONG,
        "lib/util.py": None,
        "pkg/util.py": LONG.replace("line", "row") + "one more\n",
    },
    "rename into a folder": {"src/moved.py": None, "src/sub/moved.py": LONG},
    "quoted names": {"café.txt": "é\n", "tab\there.txt": "t\n", "src/app.py": None},
    "mode only": {"tool.sh": Exec("#!/bin/sh\necho hi\n")},
    "symlink": {"link": Link("src/app.py"), "docs/guide.md": Link("../README.md")},
}


def git_stat(repo: Path, old: str, new: str, columns: int) -> str:
    env = {"COLUMNS": str(columns)}
    return git_bytes(repo, "diff", "--stat", old, new, env=env).decode()


@pytest.mark.parametrize("case", list(CASES))
def test_the_stat_is_gits_at_every_width(case: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", BASE)
    started = start(repo, files=CASES[case])
    made = checkpoint(repo)
    for columns in (80, 40, 120, 10):
        theirs = git_stat(repo, started.base, made["commit"], columns)
        env = {"COLUMNS": str(columns)}
        ours = cli(repo, "diff", "f", "--to", str(made["number"]), "--stat", env=env)
        assert ours.code == 0, ours
        assert ours.out == theirs, f"{case} at {columns} columns"
        live = cli(repo, "diff", "f", "--stat", env=env)  # the shadow itself, same state
        assert live.out == theirs


def test_rename_names_write_the_common_parts_once() -> None:
    assert rename_name("src/a.py", "src/b.py") == "src/{a.py => b.py}"
    assert rename_name("src/x.py", "lib/x.py") == "{src => lib}/x.py"
    assert rename_name("a/b/c/x.py", "a/d/c/x.py") == "a/{b => d}/c/x.py"
    assert rename_name("x.py", "y.py") == "x.py => y.py"
    assert rename_name("src/x.py", "src/sub/x.py") == "src/{ => sub}/x.py"
    assert rename_name("é.txt", "e.txt") == '"\\303\\251.txt" => e.txt'


def test_summaries_count_in_the_singular_or_plural() -> None:
    assert summary(1, 1, 0) == " 1 file changed, 1 insertion(+)"
    assert summary(2, 0, 1) == " 2 files changed, 1 deletion(-)"
    assert summary(3, 0, 0) == " 3 files changed, 0 insertions(+), 0 deletions(-)"
    assert summary(2, 5, 7) == " 2 files changed, 5 insertions(+), 7 deletions(-)"


def test_no_change_prints_nothing() -> None:
    assert diffstat([], lambda c: (0, 0), 80) == []


def test_a_binary_file_shows_its_sizes() -> None:
    change = Change("b.bin", "M", None, 0, 0, True, 0o100644, 0o100644, "1" * 40, "2" * 40)
    lines = diffstat([change], lambda c: (10, 1200), 80)
    assert lines == [
        " b.bin | Bin 10 -> 1200 bytes",
        " 1 file changed, 0 insertions(+), 0 deletions(-)",
    ]


def test_the_width_comes_from_columns_or_is_80(repo: Path) -> None:
    shadow = start(repo).shadow
    write_files(shadow, {"src/app.py": "".join(f"{n}\n" for n in range(200))})
    wide = cli(repo, "diff", "f", "--stat", env={"COLUMNS": "200"}).out.splitlines()[0]
    narrow = cli(repo, "diff", "f", "--stat", env={"COLUMNS": ""}).out.splitlines()[0]
    assert len(wide) > 150 and len(narrow) <= 80, (wide, narrow)
