"""The "adopting git-agent in an existing repository" runs of docs/how-to/hooks.md and ci.md,
replayed: every `$ command` of their blocks runs again, in order, and prints what the docs
show (commit ids and the folder aside)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.kit import git_environ

DOCS = Path(__file__).resolve().parents[1] / "docs" / "how-to"
SECTION = "## Adopting git-agent in an existing repository"
HISTORY = """
git init -q myproject && cd myproject
mkdir -p src tests/certs && echo 'def get(url): ...' > src/client.py
git add . && git commit -qm "First release"
printf -- '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAtest0123\\n-----END RSA PRIVATE KEY-----\\n' > tests/certs/server.pem
git add . && git commit -qm "Test certificates for the TLS tests"
echo 'def post(url, data): ...' >> src/client.py && git commit -qam "post()"
"""
SETUP = {  # what the docs' blocks rely on between them: a secret to stage
    "$ git add .env": "echo 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY' > .env",
}


def blocks(doc: str) -> list[str]:
    """The text blocks of the adoption section."""
    text = (DOCS / doc).read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n## ", len(SECTION))]
    return re.findall(r"```text\n(.*?)```", section, re.S)


def replay(lines: list[str], where: Path) -> str:
    """Run every `$ command` in bash, one shell, each echoed as the docs show it."""
    script = ["set +e", f"cd {where}", HISTORY]
    for line in lines:
        if line.startswith("$ "):
            script += [SETUP.get(line, ":"), f"echo {quote(line)}", f"{line[2:]} 2>&1"]
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        env=git_environ({"GIT_CONFIG_NOSYSTEM": "1"}),
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout + proc.stderr


def quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def normal(text: str, where: Path) -> list[str]:
    text = text.replace(str(where), "/tmp/adopt")
    text = re.sub(r"\b[0-9a-f]{7,40}\b", "<id>", text)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("doc", ["hooks.md", "ci.md"])
def test_the_documented_adoption_is_what_git_agent_prints(doc: str, tmp_path: Path) -> None:
    where = tmp_path / "adopt"
    where.mkdir()
    shown = "".join(blocks(doc))
    ran = replay(shown.splitlines(), where)
    assert normal(ran, where) == normal(shown, where)
