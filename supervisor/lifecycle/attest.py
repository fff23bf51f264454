"""The attestation of a promotion: what judged the promoted tree, as an in-toto Statement in a
commit git signs with the user's own signing configuration (see `store.attestations`).

It is made with the promotion commit, before anything moves (a key that cannot sign stops the
promotion there), and its ref is set when the promotion finishes (`lifecycle.promote`)."""

from __future__ import annotations

import time
from typing import Any

from supervisor import __version__
from supervisor.config.load import POLICY_PATH
from supervisor.gitio import trees
from supervisor.gitio.signing import commit_tree, fallback_identity
from supervisor.lifecycle.feature import Feature
from supervisor.rules.engine import Report
from supervisor.store import attestations

SIGN_CONFIG = "agent.signAttestations"


def attest(
    feature: Feature, commit: str, tree: bytes, number: int, checkpoint: str, report: Report
) -> str:
    """Write the attestation of promoted `commit` (of `tree`, from checkpoint `number` at
    commit `checkpoint`); its commit id. Its ref is set by `record`."""
    repo = feature.repo
    branch = feature.branch.removeprefix("refs/heads/")
    found = attestations.statement(
        tree.hex(), branch, predicate(feature, commit, number, checkpoint, report)
    )
    text = attestations.message(f"{branch} checkpoint {number}", found)
    identity = fallback_identity(
        bool(repo.config_get("user.name") and repo.config_get("user.email"))
    )
    return commit_tree(repo.git_dir, tree.hex(), [commit], text, wants_signature(feature), identity)


def record(feature: Feature, tree: str, commit: str, attestation: str) -> None:
    from supervisor.store.names import attestation_of

    feature.repo.set_ref(
        attestation_of(tree, commit), attestation, f"git-agent: attestation of {commit[:12]}"
    )


def wants_signature(feature: Feature) -> bool:
    """Sign when git is set up to sign (`user.signingKey`, or `commit.gpgSign`), unless
    `agent.signAttestations` says otherwise."""
    repo = feature.repo
    chosen = _boolean(repo.config_get(SIGN_CONFIG))
    if chosen is not None:
        return chosen
    return (
        bool(repo.config_get("user.signingKey"))
        or _boolean(repo.config_get("commit.gpgSign")) is True
    )


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "yes", "on", "1")


def predicate(
    feature: Feature, commit: str, number: int, checkpoint: str, report: Report
) -> dict[str, Any]:
    """What judged the promoted tree."""
    repo, row, rules = feature.repo, feature.row, feature.rules
    policy = trees.lookup(repo, repo.commit_tree(feature.policy_commit), POLICY_PATH.encode())
    plugins = feature.plugins
    return {
        "feature": row.name,
        "commit": commit,
        "base": row.base,
        "base_ref": row.base_ref,
        "plan_hash": row.plan_hash,
        "policy": {
            "commit": feature.policy_commit,
            "path": POLICY_PATH,
            "blob": policy[1].hex() if policy is not None else None,  # None: the default preset
        },
        "checkpoint": {"number": number, "commit": checkpoint},
        "verdict": {"ok": report.ok, "errors": report.errors, "warnings": report.warnings},
        "rules": {
            "policy": dict(rules.policy.rules),
            "plan": dict(rules.plan.rules) if rules.plan is not None else {},
        },
        "plugins": dict(sorted(plugins.versions.items())),
        "disabled_plugins": sorted(rules.disabled_plugins),
        "agent": {"name": None, "model": None, "cost": None},
        "tool": {"name": "git-agent", "version": __version__},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
