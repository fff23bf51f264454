"""Where a policy comes from: `.git-agent/policy.toml` as of a commit (the default preset when absent)."""

from __future__ import annotations

from supervisor.gitio import Repo
from supervisor.policy import POLICY_PATH, Policy, load_policy, preset_text
from supervisor.trees import lookup


def policy_at(repo: Repo, commit: str | None) -> Policy:
    """The policy committed in `commit`; the default preset when there is none (or no commit)."""
    entry = lookup(repo, repo.commit_tree(commit), POLICY_PATH.encode()) if commit else None
    if entry is None:
        return load_policy(preset_text("default"), "preset default.toml")
    return load_policy(repo.read_blob(entry[1]), POLICY_PATH)
