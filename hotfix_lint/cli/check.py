"""``hotfix-lint check``: plan what to judge (CI or not), gather the facts the selected rules
need, judge them, write each report format, and post the commit status when asked."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hotfix_lint import TOOL_NAME, __version__
from hotfix_lint.cli.options import github_budget, github_request, parse_formats, parse_now
from hotfix_lint.errors import EXIT_OK, EXIT_VIOLATIONS, UnknownRuleError, UserError

if TYPE_CHECKING:
    import argparse

    from hotfix_lint.ci.context import CIContext
    from hotfix_lint.ci.plan import CheckPlan
    from hotfix_lint.collect.github.target import GitHubRequest
    from hotfix_lint.policy.model import Policy
    from hotfix_lint.report.model import Report


def _github_request_in_ci(args: argparse.Namespace, ci: CIContext | None) -> GitHubRequest:
    """``--github`` and friends; in Actions on GitHub Enterprise Server, the API the runner names."""
    from dataclasses import replace

    from hotfix_lint.ci.context import GITHUB_ACTIONS
    from hotfix_lint.collect.github.target import DEFAULT_API_URL

    request = github_request(args)
    if (
        ci is not None
        and ci.provider == GITHUB_ACTIONS
        and request.api_url is None
        and ci.api_url
        and ci.api_url.rstrip("/") != DEFAULT_API_URL
    ):
        request = replace(request, api_url=ci.api_url.rstrip("/"))
    return request


def cmd_check(args: argparse.Namespace) -> int:
    from hotfix_lint.collect.git.many_objects import fewer_collections

    with fewer_collections():  # the history read, and the findings judged and written from it
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from hotfix_lint.ci.context import OTHER_CI, is_ci, read_ci_context
    from hotfix_lint.ci.plan import choose_policy, plan_check
    from hotfix_lint.ci.policy import load_check_policy
    from hotfix_lint.collect.gather import current_branch
    from hotfix_lint.collect.git.repository import (
        branch_tip,
        checked_out_change,
        detached_merge_parents,
        has_commit,
        open_repository,
    )

    environ = os.environ
    targets = parse_formats(args.format, args.output)
    repo = open_repository(Path(args.repo))
    root = Path(repo.workdir or repo.path)
    ci = None if args.no_ci else read_ci_context(environ)
    if ci is not None and ci.is_merge_checkout and (ci.head_sha is None or ci.base_sha is None):
        parents = detached_merge_parents(repo)  # refs/pull/N/merge: the base, then the head
        if parents is not None:
            ci = replace(ci, base_sha=ci.base_sha or parents[0], head_sha=ci.head_sha or parents[1])
    head_branch, head_commit = current_branch(repo)
    choice = choose_policy(
        args.policy_from,
        ci,
        args.base,
        in_ci=not args.no_ci and is_ci(environ),
        branch_arg=args.branch,
        current_branch=head_branch,
    )
    loaded = load_check_policy(root, args.policy, choice)
    policy = loaded.policy
    described = loaded.described
    if args.policy is None and loaded.relative_path is None:
        from hotfix_lint.infer.policy_file import unless_no_policy

        policy, described = unless_no_policy(repo, policy, described)
    print(f"{TOOL_NAME}: {described}", file=sys.stderr)
    if args.rule:
        from hotfix_lint.rules.registry import rules_by_id

        registered = rules_by_id()
        for rule_id in args.rule:
            if rule_id not in registered:
                raise UnknownRuleError(f"unknown rule {rule_id!r}; `hotfix-lint rules` lists them")
    under_check = args.branch or (ci.head_branch if ci is not None else None)
    # another CI system's merge request run: its detached checkout is the change (maybe a fork's)
    merge_request = ci is not None and ci.provider == OTHER_CI and bool(args.branch and args.base) and not head_branch
    plan = plan_check(
        policy,
        ci,
        branch_arg=args.branch,
        base_arg=args.base,
        current_branch=head_branch,
        head_tip=branch_tip(repo, under_check) if under_check else None,
        checkout_at=checked_out_change(repo, args.base) if merge_request else None,
    )
    before = plan.push[2] if plan.push is not None else None
    if plan.push is not None and before is not None and not has_commit(repo, before):
        line, tip, _ = plan.push
        note = f"{before[:10]} (before the push) is not in this clone: all of {line} since `since` is judged"
        plan = replace(plan, push=(line, tip, None), notes=(*plan.notes, note))
    github = replace(_github_request_in_ci(args, ci), budget=github_budget(args))
    status_target = None
    if args.post_status:
        from hotfix_lint.ci.publish import PublishError
        from hotfix_lint.collect.github.target import resolve_target
        from hotfix_lint.collect.github_plan import origin_url

        resolved = resolve_target(github, origin_url(repo), environ)
        if isinstance(resolved, str):
            raise PublishError(f"--post-status: {resolved}")
        status_target = resolved
    status_url = args.status_url or (ci.run_url if ci is not None else None)
    context = ""
    if status_target is not None:
        from hotfix_lint.ci.publish import status_context

        context = status_context(reviews=plan.reviews, policy_out_of_reach=choice.change_cannot_edit)
    try:
        report, status_sha = _run_check(args, root, policy, plan, github, loaded.relative_path)
    except UserError as exc:
        if status_target is not None:
            from hotfix_lint.ci.publish import error_status, post_status

            sha = plan.status_sha or plan.branch_at or head_commit
            if sha:
                first = str(exc).split("\n", 1)[0]
                try:
                    post_status(status_target, error_status(first, sha, status_url, context))
                except UserError as failed:
                    print(f"{TOOL_NAME}: error: {failed}", file=sys.stderr)
        raise
    if args.baseline:
        from hotfix_lint.cli.check_baseline import apply_baseline, read_baseline

        report = apply_baseline(report, read_baseline(Path(args.baseline)), args.baseline)
    _write_reports(report, targets, verbose=args.verbose)
    if status_target is not None:
        from hotfix_lint.ci.publish import post_status, status_for

        sha = plan.status_sha or status_sha or head_commit
        if sha is None:
            raise UserError("--post-status: no commit to post the status on (the repository has no commits)")
        status = status_for(report, sha, status_url, context)
        post_status(status_target, status)
        print(f"{TOOL_NAME}: posted status {status.state} ({status.context}) on {sha[:10]}", file=sys.stderr)
    return EXIT_VIOLATIONS if report.errors else EXIT_OK


def _run_check(
    args: argparse.Namespace,
    root: Path,
    policy: Policy,
    plan: CheckPlan,
    github: GitHubRequest,
    policy_path: str | None,
) -> tuple[Report, str | None]:
    """Gather what ``plan`` asks for, judge it, and build the report (and the commit judged)."""
    from hotfix_lint.catalog import rule_info
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.git.anchor import existing_anchor, workflow_file
    from hotfix_lint.collect.git.repository import open_repository
    from hotfix_lint.engine import evaluate, required_kinds, select_rules, skip_notes, utc_day
    from hotfix_lint.facts.kinds import GIT_BRANCH, GIT_HISTORY
    from hotfix_lint.report.model import Report

    now = parse_now(args.now)
    whole, policy = policy, policy.era_now(now)  # with eras, the present's era
    selected = select_rules(policy, args.rule)
    kinds = set(required_kinds(selected))
    if args.no_history or not plan.history:
        kinds.discard(GIT_HISTORY)
    if plan.push is not None:
        kinds.discard(GIT_BRANCH)
    notes = list(plan.notes)
    branch = plan.branch
    from hotfix_lint.progress import HistoryProgress

    progress = HistoryProgress.on(sys.stderr)
    try:
        facts = gather(
            root,
            policy,
            frozenset(kinds),
            branch=branch,
            since=args.since,
            now=now,
            branch_at=plan.branch_at,
            push=plan.push,
            github=github,
            branch_line=plan.line,
            branch_line_at=plan.line_at,
            progress=progress,
        )
    finally:
        progress.close()
    if branch is not None and GIT_BRANCH not in kinds:
        branch = None
    violations = evaluate(facts, policy, selected, utc_day(now))
    if whole.eras and GIT_HISTORY in kinds and plan.push is None:
        from hotfix_lint.era_runs import era_note, judge_past_eras, unique

        past = judge_past_eras(
            whole, now, args.rule, lambda era, kinds: gather(root, era, kinds, branch=None, since=args.since, now=now)
        )
        violations = unique([*violations, *past])
        notes.append(era_note(whole, now) or "")
    notes.extend(facts.notes)
    if branch:
        against = f" against {facts.branch.line}" if facts.branch is not None and plan.line else ""
        at = f" at {plan.branch_at[:10]}" if plan.branch_at else ""
        notes.insert(len(plan.notes), f"checked hotfix branch {branch}{at}{against}")
    if not plan.history and not args.no_history:
        notes.append("production history not judged, only the change under review (a push to production judges it)")
    skipped, rules_run = skip_notes(facts, selected)
    for note in skipped:
        notes.append(note)
        print(f"{TOOL_NAME}: {note}", file=sys.stderr)
    judged = facts.branch.tip if facts.branch is not None else facts.head_commit
    repo = open_repository(root)
    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=facts.repository,
        policy=whole.source,
        violations=tuple(violations),
        rules_run=rules_run,
        notes=tuple(notes),
        rules=tuple(rule_info(s.rule) for s in selected),
        anchor=existing_anchor(repo, judged, [policy_path, workflow_file(os.environ)]),
    )
    return report, judged


def _write_reports(report: Report, targets: Sequence[tuple[str, str | None]], *, verbose: bool = False) -> None:
    """Each format to its file or to standard output (colour only there, on a terminal)."""
    for fmt, path in targets:
        _write_report(report, fmt, path, verbose=verbose)


def use_color(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """Colour on a terminal only, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return stream.isatty() and not environ.get("NO_COLOR")


def _write_report(report: Report, fmt: str, output: str | None, *, verbose: bool = False) -> None:
    from hotfix_lint.report import get_reporter

    reporter = get_reporter(fmt)
    if fmt == "text" and verbose:
        from hotfix_lint.report.text import TextReporter

        reporter = TextReporter(verbose=True)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as stream:
                reporter.write(report, stream)
        except OSError as exc:
            raise UserError(f"--format {fmt}: cannot write {output}: {exc.strerror}") from exc
        return
    reporter.write(report, sys.stdout, color=use_color(sys.stdout, os.environ))
