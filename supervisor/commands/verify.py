"""`git agent verify <commit>`: what judged a promoted commit, from its attestation; exit 1
when no valid attestation names its tree."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.config.rules import Rules
from supervisor.gates.attestation import Vouched, allowed_signers, vouch
from supervisor.gates.repository import gate_repo
from supervisor.render import attestation
from supervisor.render.output import Output


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with gate_repo(Path(cwd), env, bare_ok=True) as repo:
        commit = repo.git.resolve_commit(args.commit)
        tree = repo.git.tree_of(commit)
        head = repo.git.commit_or_none("HEAD")
        rules = Rules(repo.policy_at(head), None, head)  # its allowed_signers, its demands
        with allowed_signers(repo, rules) as signers:
            found: Vouched = vouch(repo, [tree], rules.policy.gates.require_signature, signers)[
                tree
            ]
    if args.json:
        out.json(attestation.as_json(commit, found))
    else:
        attestation.verdict(out, commit, found)
    return 0 if found.valid is not None else 1
