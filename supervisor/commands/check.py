"""`git agent check --base REF --head REF --format FMT`: the CI gate (see `gates.ci`)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from supervisor.errors import OperationalError
from supervisor.gates.adoption import APPROVAL_ENV, parse_approvals
from supervisor.gates.ci import base_rules, check_range, resolve_base
from supervisor.gates.push import CommitReport
from supervisor.gates.repository import gate_repo
from supervisor.render import formats
from supervisor.render.output import Output
from supervisor.rules.engine import PluginsFailed

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    approvals = parse_approvals(env.get(APPROVAL_ENV))
    with gate_repo(Path(cwd), env, bare_ok=True) as repo:
        base = resolve_base(repo, args.base)
        head = repo.git.resolve_commit(args.head)
        reports, predated = check_range(repo, base_rules(repo, base), base, head, approvals)
    failed = [r.report for r in reports if r.report.failures]
    if failed:
        raise PluginsFailed(failed[0])
    render(out, args.format, reports, base, head, env.get(SUMMARY_ENV) or None)
    if predated:
        out.note(f"git-agent: {predated} commits predate the policy's adoption: not judged")
    return 0 if formats.ok(reports) else 1


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
