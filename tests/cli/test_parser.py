"""`start`'s `--`: before the feature it ends the options as git's does; after it, what follows
is the agent's command, untouched."""

from __future__ import annotations

import pytest

from supervisor.cli.parser import parse
from supervisor.errors import UsageError


@pytest.mark.parametrize(
    ("words", "feature", "command"),
    [
        (["start", "f"], "f", []),
        (["start", "f", "--", "cmd", "--flag", "--"], "f", ["cmd", "--flag", "--"]),
        (["start", "--", "-x"], "-x", []),
        (["start", "--plan", "p.toml", "--", "-x", "--", "cmd", "-v"], "-x", ["cmd", "-v"]),
        (["start", "f", "--prompt", "do it", "--", "--prompt"], "f", ["--prompt"]),
    ],
)
def test_start_splits_at_the_double_dash(
    words: list[str], feature: str, command: list[str]
) -> None:
    args = parse(words)
    assert (args.feature, args.agent_command) == (feature, command)


def test_start_with_no_feature_at_all_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="feature"):
        parse(["start", "--"])
