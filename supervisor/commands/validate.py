"""`git agent validate <feature>`: the shadow against the base under every rule."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from supervisor.commands import feature
from supervisor.engine import Report
from supervisor.output import Output, quote_path


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    with feature(env, cwd, args.feature) as found:
        report = found.validate()
    if args.json:
        out.json(report.as_json())
    else:
        print_report(out, report)
    return 0 if report.ok else 1


def print_report(out: Output, report: Report) -> None:
    for v in report.violations:
        where = quote_path(v.path) if v.path else "-"
        if v.line is not None:
            where += f":{v.line}"
        out.line(f"{v.severity:<8} {v.rule:<24} {where}: {v.message}")
    errors = sum(v.severity == "error" for v in report.violations)
    warnings = len(report.violations) - errors
    out.line(
        f"{plural(len(report.changes), 'changed path')}, "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
