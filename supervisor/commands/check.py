"""`git agent check --base REF --head REF --format FMT`: the CI gate.

Every commit in base..head (reachable from head, not from base), oldest first, each judged on
its own against its first parent. The policy and the plugin configuration come from the base
commit, never from the change under review. No feature and no state database are needed.

A merge commit is judged only on what it brings that none of its parents has (conflict
resolutions, "evil" edits): what a parent brought was either judged in its own commit in the
range or is already part of the base's history.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pluggy
import pygit2

from supervisor import plugins, reporters
from supervisor.changes import Change, changes_between, commit_changes
from supervisor.context import RuleContext
from supervisor.engine import evaluate
from supervisor.errors import OperationalError, UsageError
from supervisor.gates import CommitReport, new_commits, parent_tree
from supervisor.gitio import Repo
from supervisor.output import Output
from supervisor.policy import Rules
from supervisor.policy_source import policy_at
from supervisor.settings import Settings
from supervisor.trees import lookup
from supervisor.workspace import Report

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    repo = Repo.discover(Path(cwd))
    settings = Settings.from_env(env)
    base = resolve_base(repo, args.base)
    head = repo.resolve_commit(args.head)
    rules = base_rules(repo, base)
    manager = plugins.load(settings.disabled_plugins)
    reports = check_range(repo, manager, rules, base, head)
    emit(out, args.format, reports, base, head, env.get(SUMMARY_ENV) or None)
    return 0 if reporters.ok(reports) else 1


def resolve_base(repo: Repo, base: str | None) -> str:
    if base is not None:
        return repo.resolve_commit(base)
    try:
        return repo.resolve_commit("@{upstream}")
    except UsageError:
        raise UsageError(
            "no --base given and HEAD has no upstream branch: "
            "pass --base REF (in CI, the merge base of the target branch and HEAD)"
        ) from None


def base_rules(repo: Repo, base: str) -> Rules:
    """The rules as of `base`: its committed policy, or the default preset when it has none."""
    try:
        return Rules(policy_at(repo, base), None, base)
    except UsageError as exc:
        raise UsageError(f"policy of base {base[:12]}: {exc}") from exc


def check_range(
    repo: Repo, manager: pluggy.PluginManager, rules: Rules, base: str, head: str
) -> list[CommitReport]:
    try:
        return list(judge_each(repo, manager, rules, new_commits(repo, head, [base])))
    except (KeyError, pygit2.GitError) as exc:
        hint = ""
        if repo.raw.is_shallow:
            hint = "; the clone is shallow: fetch the full history (e.g. fetch-depth: 0)"
        raise OperationalError(
            f"cannot read the history of {base[:12]}..{head[:12]}: {exc}{hint}"
        ) from exc


def judge_each(
    repo: Repo, manager: pluggy.PluginManager, rules: Rules, commits: Sequence[str]
) -> Iterator[CommitReport]:
    merges = {c for c in commits if len(repo.commit_info(c).parent_ids) > 1}
    listed = commit_changes(repo, [c for c in commits if c not in merges])
    for commit in commits:
        summary = repo.commit_info(commit).message.split("\n", 1)[0]
        if commit in merges:
            report = judge_merge(repo, manager, rules, commit)
        else:
            changes = listed[commit]
            ctx = RuleContext(rules, repo, None, None, repo.commit_tree(commit))
            report = Report(evaluate(manager, ctx, changes), changes)
        yield CommitReport(commit, summary, report)


def judge_merge(repo: Repo, manager: pluggy.PluginManager, rules: Rules, commit: str) -> Report:
    """A merge against its first parent, limited to the paths that differ from every parent."""
    info = repo.commit_info(commit)
    tree = repo.commit_tree(commit)
    others = [repo.commit_tree(str(p)) for p in info.parent_ids[1:]]
    changes = [
        c
        for c in changes_between(repo, parent_tree(repo, commit), tree)
        if new_in_merge(repo, c, tree, others)
    ]
    ctx = RuleContext(rules, repo, None, None, tree)
    return Report(evaluate(manager, ctx, changes), changes)


def new_in_merge(repo: Repo, change: Change, tree: bytes, others: Sequence[bytes]) -> bool:
    """True when the merge's entry at the change's path matches no other parent's."""
    path = change.raw_path
    mine = lookup(repo, tree, path)
    return all(lookup(repo, other, path) != mine for other in others)


def emit(
    out: Output,
    form: str,
    reports: list[CommitReport],
    base: str,
    head: str,
    summary_file: str | None,
) -> None:
    if form == "json":
        out.json(reporters.as_json(reports, base, head))
    elif form == "sarif":
        out.json(reporters.sarif(reports, base, head))
    elif form == "junit":
        out.stdout.write(reporters.junit(reports))
    elif form == "github":
        if summary_file:
            append_summary(Path(summary_file), reporters.markdown(reports, base, head))
        out.stdout.write(reporters.github(reports, base, bool(summary_file)))
    else:
        out.stdout.write(reporters.text(reports, base))


def append_summary(path: Path, markdown: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(markdown)
    except OSError as exc:
        raise OperationalError(f"cannot write the step summary {path}: {exc}") from exc
