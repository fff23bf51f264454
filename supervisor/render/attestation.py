"""What `verify` prints: the attestation that vouches for a commit's tree, and what judged it."""

from __future__ import annotations

from typing import Any

from supervisor.gates.attestation import Vouched
from supervisor.gitio.signing import Signature
from supervisor.render.output import Output
from supervisor.render.text import plural
from supervisor.store.attestations import Attestation, describe


def as_json(commit: str, found: Vouched) -> dict[str, Any]:
    return {
        "commit": commit,
        "tree": found.tree,
        "attested": found.valid is not None,
        "attestation": _attestation(found.valid, found.signature) if found.valid else None,
        "rejected": [{**_attestation(a, s), "problem": why} for a, s, why in found.rejected],
    }


def _attestation(found: Attestation, signature: Signature | None) -> dict[str, Any]:
    return {
        "ref": found.ref,
        "commit": found.commit,
        "signature": (signature or Signature("unsigned")).as_json(),
        "statement": found.statement,
    }


def verdict(out: Output, commit: str, found: Vouched) -> None:
    for attestation, signature, why in found.rejected:
        out.line(
            f"attestation {attestation.commit[:12]} ({describe(signature)}) does not hold: {why}"
        )
    if found.valid is None:
        out.line(
            f"commit {commit[:12]} (tree {found.tree[:12]}): no valid attestation names its tree "
            f"here; fetch them with git fetch <remote> "
            f"'+refs/agent/attestations/{found.tree}/*:refs/agent/attestations/{found.tree}/*'"
        )
        return
    _judged(out, commit, found.valid, found.signature)


def _judged(out: Output, commit: str, found: Attestation, signature: Signature | None) -> None:
    said = found.predicate
    promoted = str(said.get("commit") or "")
    out.line(f"commit {commit[:12]} was promoted by git-agent; attestation {found.commit[:12]}")
    out.line(f"  signature   {describe(signature)}")
    if promoted and promoted != commit:
        out.line(
            f"  promoted    as {promoted[:12]}, with the same tree (its message changed since)"
        )
    checkpoint = said.get("checkpoint") or {}
    out.line(
        f"  feature     {said.get('feature')}, checkpoint {checkpoint.get('number')} "
        f"({str(checkpoint.get('commit') or '')[:12]})"
    )
    base_ref = said.get("base_ref")
    out.line(
        f"  base        {str(said.get('base') or '')[:12]}" + (f" ({base_ref})" if base_ref else "")
    )
    out.line(f"  policy      {_policy(said.get('policy') or {})}")
    out.line(f"  plan        {said.get('plan_hash')}")
    out.line(f"  verdict     {_verdict(said.get('verdict') or {})}")
    out.line(f"  rules       {_rules(said.get('rules') or {})}")
    plugins = said.get("plugins") or {}
    out.line(f"  plugins     {', '.join(f'{n} {v}' for n, v in plugins.items()) or 'none'}")
    out.line(f"  agent       {_agent(said.get('agent') or {})}")
    out.line(f"  time        {said.get('time')}")


def _policy(policy: dict[str, Any]) -> str:
    source = str(policy.get("commit") or "")[:12]
    if not policy.get("blob"):
        return f"the default preset (no policy committed in {source})"
    return f"{policy.get('path')} blob {str(policy['blob'])[:12]} (of commit {source})"


def _verdict(verdict: dict[str, Any]) -> str:
    state = "ok" if verdict.get("ok") else "not ok"
    errors, warnings = int(verdict.get("errors") or 0), int(verdict.get("warnings") or 0)
    return f"{state}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def _rules(rules: dict[str, Any]) -> str:
    parts = []
    for layer in ("policy", "plan"):
        table = rules.get(layer) or {}
        if table:
            parts.append(f"{layer}: " + ", ".join(f"{k}={v}" for k, v in sorted(table.items())))
    return "; ".join(parts) or "every rule at its default level"


def _agent(agent: dict[str, Any]) -> str:
    if not agent.get("name"):
        return "none recorded"
    extra = [str(agent[k]) for k in ("model", "cost") if agent.get(k) is not None]
    return str(agent["name"]) + (f" ({', '.join(extra)})" if extra else "")
