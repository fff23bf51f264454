"""`git agent check --base REF --head REF --format FMT`: the CI gate (see `gates.ci`)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.config.rules import Rules
from supervisor.errors import OperationalError
from supervisor.gates.adoption import APPROVAL_ENV, parse_approvals
from supervisor.gates.attestation import check_commits
from supervisor.gates.ci import base_rules, check_range, resolve_base
from supervisor.gates.push import CommitReport, add_violations
from supervisor.gates.repository import GateRepo, gate_repo
from supervisor.render import formats
from supervisor.render.output import Output
from supervisor.rules.engine import PluginsFailed

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    approvals = parse_approvals(env.get(APPROVAL_ENV))
    with gate_repo(Path(cwd), env, bare_ok=True) as repo:
        base = resolve_base(repo, args.base)
        head = repo.git.resolve_commit(args.head)
        rules = base_rules(repo, base)
        reports, predated = check_range(repo, rules, base, head, approvals)
        branch = under_review(repo, args.branch, args.head, env)
        unknown = attest_range(repo, rules, branch, reports, args.remote)
    failed = [r.report for r in reports if r.report.failures]
    if failed:
        raise PluginsFailed(failed[0])
    render(out, args.format, reports, base, head, env.get(SUMMARY_ENV) or None)
    if predated:
        out.note(f"git-agent: {predated} commits predate the policy's adoption: not judged")
    if unknown:
        out.note(
            "git-agent: the policy requires attestations on some branches, but which branch "
            "is under review is unknown: pass --branch"
        )
    return 0 if formats.ok(reports) else 1


def attest_range(
    repo: GateRepo, rules: Rules, branch: str | None, reports: list[CommitReport], remote: str
) -> bool:
    """What `[gates] require_attestation` finds in the range, added to the reports; True when
    the policy asks for attestations but the branch under review is not known."""
    if not rules.policy.gates.require_attestation:
        return False
    if branch is None:
        return True
    commits = [r.commit for r in reports]
    checked = check_commits(repo, rules, branch, commits, fetch_from=remote, persons=False)
    for found in reports:
        add_violations(found.report, rules, checked.violations.get(found.commit, []))
        found.report.notices.extend(checked.notices.get(found.commit, []))
    return False


CI_BRANCH = ("GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH")


def under_review(
    repo: GateRepo, given: str | None, head: str, env: Mapping[str, str]
) -> str | None:
    """The branch under review: `--branch`, else the branch `--head` names, else what the CI
    says (GitHub's pull request head, GitLab's merge request source or branch)."""
    if given:
        return given.removeprefix("refs/heads/")
    name = repo.git.git(["rev-parse", "--symbolic-full-name", head], check=False).decode().strip()
    if name.startswith("refs/heads/"):
        return name.removeprefix("refs/heads/")
    if name.startswith("refs/remotes/"):
        return name.split("/", 3)[3] if name.count("/") >= 3 else None
    for variable in CI_BRANCH:
        if env.get(variable):
            return env[variable]
    if env.get("GITHUB_REF", "").startswith("refs/heads/"):
        return env["GITHUB_REF"].removeprefix("refs/heads/")
    return None


def render(
    out: Output,
    form: str,
    reports: list[CommitReport],
    base: str,
    head: str,
    summary_file: str | None,
) -> None:
    if form == "json":
        out.json(formats.as_json(reports, base, head))
    elif form == "sarif":
        out.json(formats.sarif(reports, base, head))
    elif form == "junit":
        out.stdout.write(formats.junit(reports))
    elif form == "github":
        if summary_file:
            append_summary(Path(summary_file), formats.markdown(reports, base, head))
        out.stdout.write(formats.github(reports, base, bool(summary_file)))
    else:
        out.stdout.write(formats.text(reports, base))


def append_summary(path: Path, markdown: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(markdown)
    except OSError as exc:
        raise OperationalError(f"cannot write the step summary {path}: {exc}") from exc
