"""binary.* and mode.*: new binary files, executables by content and by mode."""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
import pytest
from git_agent_plugins import binaries

from supervisor.config.load import load_policy
from supervisor.config.rules import Rules
from supervisor.gitio.repo import Repo
from supervisor.rules.context import RuleContext
from tests.kit import Found, cli, commit_all, found, git, start, verdict

STRICT = "[limits]\nallow_binary = false\nallow_executable = false\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MACHO_64 = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24
MACHO_FAT = b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\x00" * 24
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54
JAVA_CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 24


def validate(repo: Path, name: str = "f") -> tuple[int, Found]:
    code, data = verdict(repo, name)
    return code, found(data, ("binary.", "mode."))


def write(path: Path, data: bytes, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o755 if executable else 0o644)


def test_new_binary_file(repo: Path) -> None:
    shadow = start(repo, policy=STRICT).shadow
    write(shadow / "data.bin", b"abc\0def")
    write(shadow / "notes.txt", b"plain text\n")
    assert validate(repo) == (1, [("binary.added", "error", "data.bin")])


def test_huge_binary_is_sniffed_from_its_first_bytes(repo: Path) -> None:
    shadow = start(repo, policy=STRICT).shadow
    with (shadow / "zeros.img").open("wb") as f:
        f.truncate(20 << 20)
    assert validate(repo) == (1, [("binary.added", "error", "zeros.img")])


def test_binary_legitimate_cases(repo: Path) -> None:
    write(repo / "assets" / "old.png", b"\x89PNG\r\n\x1a\n\0\0")
    shadow = start(repo, policy=STRICT + '[plugins.binary]\nallow = ["assets/**"]\n').shadow
    write(shadow / "assets" / "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0")  # allowed by path
    write(shadow / "assets" / "old.png", b"\x89PNG\r\n\x1a\n\0\1")  # was binary already
    assert validate(repo) == (0, [])


def test_updating_an_existing_binary_is_not_new(repo: Path) -> None:
    write(repo / "old.dat", b"\0\1\2")
    shadow = start(repo, policy=STRICT).shadow
    write(shadow / "old.dat", b"\0\1\2\3")
    write(shadow / "README.md", b"now \0 binary\n")  # text rewritten as binary is new
    assert validate(repo) == (1, [("binary.added", "error", "README.md")])


def test_allow_binary_switch(repo: Path) -> None:
    shadow = start(repo, policy="[limits]\nallow_binary = true\n").shadow
    write(shadow / "data.bin", b"abc\0def")
    assert validate(repo) == (0, [])


def test_plan_narrows_the_binary_allow_list(repo: Path) -> None:
    policy = STRICT + '[plugins.binary]\nallow = ["assets/**", "fixtures/**"]\n'
    shadow = start(
        repo, policy=policy, plan='[plugins.binary]\nallow = ["fixtures/**", "build/**"]\n'
    ).shadow
    write(shadow / "assets" / "a.bin", b"\0")
    write(shadow / "fixtures" / "b.bin", b"\0")
    write(shadow / "build" / "c.bin", b"\0")
    assert validate(repo)[1] == [
        ("binary.added", "error", "assets/a.bin"),
        ("binary.added", "error", "build/c.bin"),
    ]


def test_mode_executable(repo: Path) -> None:
    shadow = start(repo, policy="[limits]\nallow_executable = false\n").shadow
    (shadow / "src" / "app.py").chmod(0o755)  # a mode change alone
    write(shadow / "tool.py", b"print('x')\n", executable=True)
    assert validate(repo) == (
        1,
        [("mode.executable", "error", "src/app.py"), ("mode.executable", "error", "tool.py")],
    )


def test_allow_executable_switch_and_existing_executables(repo: Path) -> None:
    write(repo / "run.sh", b"#!/bin/sh\necho\n", executable=True)
    shadow = start(repo, policy="[limits]\nallow_executable = false\n").shadow
    write(shadow / "run.sh", b"#!/bin/sh\necho changed\n", executable=True)  # already was
    assert validate(repo) == (0, [])
    open_shadow = start(repo, "g", policy="[limits]\nallow_executable = true\n").shadow
    write(open_shadow / "new.sh", b"#!/bin/sh\n", executable=True)
    write(open_shadow / "prog", ELF)
    assert validate(repo, "g") == (0, [])


@pytest.mark.parametrize(
    ("content", "kind"), [(ELF, "ELF"), (MACHO_64, "Mach-O"), (MACHO_FAT, "Mach-O"), (PE, "PE")]
)
def test_executable_content_in_any_mode(repo: Path, content: bytes, kind: str) -> None:
    shadow = start(repo, policy="[limits]\nallow_executable = false\n").shadow
    write(shadow / "bin" / "tool", content)
    code, found = validate(repo)
    assert (code, found) == (1, [("mode.executable-content", "error", "bin/tool")])
    assert binaries.executable_kind(content) == kind


def test_shebang_counts_only_with_the_exec_bit(repo: Path) -> None:
    shadow = start(repo, policy="[limits]\nallow_executable = false\n").shadow
    write(shadow / "plain.sh", b"#!/bin/sh\necho\n")
    write(shadow / "run.sh", b"#!/bin/sh\necho\n", executable=True)
    write(shadow / "Foo.class", JAVA_CLASS)  # cafebabe, but a Java class file
    write(shadow / "notes.txt", b"MZ is not a PE without its header\n")
    assert validate(repo) == (
        1,
        [
            ("mode.executable", "error", "run.sh"),
            ("mode.executable-content", "error", "run.sh"),
        ],
    )


def test_executable_allowed_by_path(repo: Path) -> None:
    shadow = start(
        repo, policy=STRICT + '[plugins.binary]\nallow = ["scripts/**", "bin/*"]\n'
    ).shadow
    write(shadow / "scripts" / "deploy.sh", b"#!/bin/sh\n", executable=True)
    write(shadow / "bin" / "tool", ELF, executable=True)
    assert validate(repo) == (0, [])


def test_severity_can_be_lowered(repo: Path) -> None:
    shadow = start(repo, policy=STRICT + '[rules]\n"mode" = "warning"\n').shadow
    write(shadow / "prog", ELF, executable=True)
    assert validate(repo) == (
        1,
        [
            ("binary.added", "error", "prog"),
            ("mode.executable", "warning", "prog"),
            ("mode.executable-content", "warning", "prog"),
        ],
    )


def test_bad_plugin_table_is_a_config_error_when_the_policy_is_read(repo: Path) -> None:
    """A bad [plugins.binary] table stops `start` at once, with FILE:LINE (not a later
    `validate`, once a matching change appears)."""
    (repo / ".git-agent").mkdir(exist_ok=True)
    for table, said in (
        ('allow = "assets/**"', "must be a list of globs"),
        ("alow = []", "unknown key 'alow'"),
    ):
        (repo / ".git-agent" / "policy.toml").write_text(
            f"version = 1\n{STRICT}[plugins.binary]\n{table}\n"
        )
        commit_all(repo, "policy")
        result = cli(repo, "start", "f")
        assert result.code == 2, result
        line = len(f"version = 1\n{STRICT}[plugins.binary]\n".splitlines()) + 1
        assert f".git-agent/policy.toml:{line}:" in result.err and said in result.err, result
        assert "Traceback" not in result.err


def test_blob_head_loose_and_packed(repo: Path) -> None:
    raw = pygit2.Repository(str(repo))
    data = ELF + os.urandom(50_000)
    oid = str(raw.create_blob(data))
    ctx = RuleContext(Rules(load_policy(b"version = 1\n")), Repo.open(repo))
    assert ctx.head(oid, 8000) == data[:8000]
    assert ctx.head(oid, 10**6) == data
    (repo / "blob").write_bytes(data)
    commit_all(repo, "blob")
    git(repo, "gc", "-q", "--prune=now")
    assert not (repo / ".git" / "objects" / oid[:2] / oid[2:]).exists()
    assert ctx.head(oid, 8000) == data[:8000]
