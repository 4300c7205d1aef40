"""Command line: ``hotfix-lint check | rules | explain | schema``.

Each subcommand imports what it needs inside its own function so that a quick command (or a
pre-commit hook) never pays for what it does not use. One handler maps user errors to exit
status 2; a user mistake never ends in a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hotfix_lint import __version__
from hotfix_lint.errors import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    PolicyError,
    UnknownRuleError,
    UserError,
    unreadable_repository,
)

if TYPE_CHECKING:
    import argparse

    from hotfix_lint.ci_plan import CheckPlan
    from hotfix_lint.collect.ci_context import CIContext
    from hotfix_lint.collect.deadline import GitHubBudget
    from hotfix_lint.collect.github import GitHubRequest
    from hotfix_lint.policy.model import Policy
    from hotfix_lint.report.model import Report

TOOL_NAME = "hotfix-lint"
#: where SARIF pins findings without a file of their own when the policy is not a file in the repository
DEFAULT_POLICY_ANCHOR = ".hotfix-lint.yaml"

_DESCRIPTION = """\
Check git repositories against a written hotfix process.

A policy (YAML) says which branch is production, which is integration, how hotfix
branches are named and which rules apply. `check` reads the repository's history with
pygit2 and reports every place where practice departed from the policy.
"""

_EXIT_STATUS = """\
exit status: 0 no errors (warnings allowed), 1 errors found,
             2 usage error, broken policy, a repository that cannot be read (such as
               a shallow clone without the history needed, or a corrupt one whose read
               makes no progress for HOTFIX_LINT_STALL_TIMEOUT seconds, default 60),
               a production branch that does not exist, or a status not posted
             141 standard output was closed early (such as by `| head`)
"""


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse  # not at the top: a git hook never builds this parser

    from hotfix_lint.ci_plan import POLICY_FROM

    p = sub.add_parser(
        "check",
        help="lint a repository's hotfix history (and its hotfix branch) against the policy",
        description="Check the history of the production branch since `since`, and a hotfix branch: "
        "the one named by --branch, else the current branch when it looks like a hotfix branch.",
        epilog=_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--repo", default=".", metavar="DIR", help="repository to check (default: current directory)"
    )
    p.add_argument(
        "--policy",
        metavar="FILE",
        help="policy file (default: .hotfix-lint.yaml or .hotfix-lint.yml at the repository root, "
        "else the built-in 'default' pack)",
    )
    p.add_argument("--branch", metavar="NAME", help="hotfix branch to check as if it were merged now")
    p.add_argument(
        "--since",
        metavar="REV|DATE",
        help="judge history after this revision or YYYY-MM-DD date (overrides the policy's `since`)",
    )
    p.add_argument(
        "--format",
        action="append",
        metavar="FORMAT[=FILE]",
        help="report format: text (default), json, sarif, junit, github, markdown; repeatable: "
        "FORMAT=FILE writes that format to FILE, a bare FORMAT to standard output (at most one)",
    )
    p.add_argument(
        "--output", metavar="FILE", help="the file of the last --format given without one (default: standard output)"
    )
    p.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings not recorded in FILE (a JSON report; `hotfix-lint baseline` writes one)",
    )
    p.add_argument(
        "--verbose", action="store_true", help="text format: every finding by rule, each with its hint (no summary)"
    )
    p.add_argument("--now", metavar="YYYY-MM-DD", help="judge as of this date (grace periods, waiver expiry)")
    p.add_argument(
        "--no-history", action="store_true", help="check only the hotfix branch, not production history"
    )
    ci = p.add_argument_group(
        "CI",
        "In GitHub Actions the pull request (or push, or merge group) is read from the event; a pull "
        "request's head branch is judged against its base, by the base's policy. Elsewhere: --branch and --base.",
    )
    ci.add_argument(
        "--base",
        metavar="NAME",
        help="judge the branch as a pull request into NAME (a production or promotion branch); "
        "production history is then not judged",
    )
    ci.add_argument(
        "--policy-from",
        choices=POLICY_FROM,
        default="auto",
        help="read the policy from the base branch's commit or from the checkout (default auto: "
        "the base's in CI when a base is known, so that a pull request cannot loosen it)",
    )
    ci.add_argument("--no-ci", action="store_true", help="ignore the CI environment: judge as a local run")
    ci.add_argument(
        "--post-status",
        action="store_true",
        help="post a commit status with the summary on the commit judged, for CI systems other than "
        "GitHub Actions (token and repository as for the GitHub rules): context hotfix-lint for a pull "
        "request (--base) judged by the base's policy, hotfix-lint/push for any other run",
    )
    ci.add_argument("--status-url", metavar="URL", help="the link of the posted status (such as the CI job's page)")
    gh = p.add_argument_group(
        "GitHub",
        "The GitHub rules read the repository's settings when a token is in the environment "
        "(GITHUB_TOKEN or GH_TOKEN; for GitHub Enterprise GH_ENTERPRISE_TOKEN first) and the repository "
        "is known; otherwise they are skipped, and a note names them.",
    )
    gh.add_argument(
        "--github", metavar="OWNER/NAME", help="the GitHub repository (default: from the origin remote's URL)"
    )
    gh.add_argument(
        "--github-url",
        metavar="URL",
        help="the REST API of GitHub Enterprise Server, such as https://ghe.example.com/api/v3 "
        "(default: api.github.com, or derived from the origin remote's host)",
    )
    gh.add_argument(
        "--token-env",
        metavar="NAME",
        help="read the token from the environment variable NAME instead (never pass a token as an argument)",
    )
    from hotfix_lint.collect.deadline import CHECK_BUDGET_SECONDS

    add_github_timeout(gh, CHECK_BUDGET_SECONDS)


def add_github_timeout(group: argparse._ArgumentGroup, default: float) -> None:
    """``--github-timeout`` (check and audit): the run's total time for GitHub."""
    from hotfix_lint.collect.deadline import REQUEST_SECONDS

    group.add_argument(
        "--github-timeout",
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"the most time all GitHub requests of the run may take together (default {default:g}); each request "
        f"also ends after {REQUEST_SECONDS:g} s; a rate-limit answer is not waited out: what is not read by then is "
        "'could not check', with the time the limit resets",
    )


def github_budget(args: argparse.Namespace) -> GitHubBudget:
    """The run's :class:`GitHubBudget` from ``--github-timeout``, checked."""
    from hotfix_lint.collect.deadline import GitHubBudget

    seconds = args.github_timeout
    if not 0 < seconds < float("inf"):
        raise UserError(f"--github-timeout: expected a number of seconds above 0, got {seconds:g}")
    return GitHubBudget(seconds)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog=TOOL_NAME,
        description=_DESCRIPTION,
        epilog=_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{TOOL_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(sub)
    rules = sub.add_parser("rules", help="list every rule with its default severity and summary")
    rules.add_argument(
        "--format", choices=["text", "markdown"], default="text", help="markdown prints the README's rule table"
    )
    explain = sub.add_parser("explain", help="explain one rule: what it checks, why, and its options")
    explain.add_argument("rule", metavar="RULE")
    sub.add_parser("schema", help="print the policy JSON Schema (for editors)")
    init = sub.add_parser(
        "init",
        help="write a .hotfix-lint.yaml inferred from the history (or, with --preset, a commented built-in pack)",
        description="Read the repository's history and write the policy that fits it: production and integration "
        "branches, hotfix and release branch patterns, tag pattern, changelog, version files and era, each key under a "
        "comment giving its evidence, extending the closest built-in pack. With --preset, a commented copy of a pack.",
    )
    init.add_argument(
        "--preset",
        metavar="PACK",
        help="built-in pack instead of inferring: gitflow, github-flow-hotfix, default, compactconnect, ibm-jazz, "
        "gaia-gateway",
    )
    init.add_argument("--repo", default=".", metavar="DIR", help="repository to read and write it to (default: here)")
    init.add_argument("--force", action="store_true", help="replace an existing policy file")
    init.add_argument("--stdout", action="store_true", help="print the policy instead of writing it")
    init.add_argument(
        "--format", choices=["yaml", "json"], default="yaml", help="json: print the inferred values with their evidence"
    )
    init.add_argument(
        "--since-today",
        action="store_true",
        help="judge only what lands from today on (since: today), leaving the older history as it was",
    )
    baseline = sub.add_parser(
        "baseline",
        help="record today's findings, so that `check --baseline FILE` reports only new ones",
        description="Run `check` and write its findings as a JSON report: adopting the tool on an old repository, "
        "a team judges itself from today (commit the file; `check --baseline FILE` hides what it holds).",
    )
    baseline.add_argument("--repo", default=".", metavar="DIR", help="repository (default: current directory)")
    baseline.add_argument("--policy", metavar="FILE", help="policy file (default: as for check)")
    baseline.add_argument("--now", metavar="YYYY-MM-DD", help="judge as of this date")
    baseline.add_argument(
        "--output", metavar="FILE", help="where to write it (default: .hotfix-lint-baseline.json in the repository)"
    )
    hotfixes = sub.add_parser("hotfixes", help="list every hotfix in the history with its lifecycle, newest first")
    hotfixes.add_argument("--repo", default=".", metavar="DIR", help="repository (default: current directory)")
    hotfixes.add_argument("--policy", metavar="FILE", help="policy file (default: as for check)")
    hotfixes.add_argument("--since", metavar="REV|DATE", help="only history after this revision or date")
    hotfixes.add_argument("--now", metavar="YYYY-MM-DD", help="ages (pending back-merges) as of this date")
    hotfixes.add_argument("--format", choices=["text", "json"], default="text", help="table format")
    hotfixes.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    hotfixes.add_argument(
        "--all",
        action="store_true",
        dest="all_classes",
        help="list every change that reached production (release, sync, automation, fast-forward, ...) "
        "with its class, not only hotfixes",
    )
    hook = sub.add_parser(
        "hook", add_help=False, help="run a git hook stage: pre-commit, commit-msg FILE or pre-push (see hook --help)"
    )
    hook.add_argument("hook_args", nargs=argparse.REMAINDER)
    from hotfix_lint.audit.cli_audit import add_parsers as add_audit_parsers

    add_audit_parsers(sub)
    return parser


def parse_now(text: str | None) -> int:
    if text is None:
        return int(time.time())
    import datetime as dt  # not at the top: a git hook never needs it

    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"--now: expected a date YYYY-MM-DD, got {text!r}") from exc
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc).timestamp())


def github_request(args: argparse.Namespace) -> GitHubRequest:
    """What ``--github``, ``--github-url`` and ``--token-env`` ask for, checked."""
    import re
    from urllib.parse import urlsplit

    from hotfix_lint.collect.github import GitHubRequest

    repository = getattr(args, "github", None)
    url = getattr(args, "github_url", None)
    variable = getattr(args, "token_env", None)
    if repository is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise UserError(f"--github: expected OWNER/NAME, such as octo/app, got {repository!r}")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UserError(
                "--github-url: expected the API's URL, such as https://ghe.example.com/api/v3 "
                f"(https:// or http://), got {parts.scheme or 'no scheme'}://{parts.hostname or ''}"
            )
    if variable is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        raise UserError(
            f"--token-env: expected the name of an environment variable, such as CI_GITHUB_TOKEN, got {variable!r}"
        )
    return GitHubRequest(repository=repository, api_url=url.rstrip("/") if url else None, token_env=variable)


def parse_formats(values: Sequence[str] | None, output: str | None) -> list[tuple[str, str | None]]:
    """The report formats of ``check`` and where each goes (see :mod:`hotfix_lint.output_targets`)."""
    from hotfix_lint.output_targets import parse_formats as parse_targets
    from hotfix_lint.report import FORMATS

    return parse_targets(values, output, list(FORMATS))


def _github_request_in_ci(args: argparse.Namespace, ci: CIContext | None) -> GitHubRequest:
    """``--github`` and friends; in Actions on GitHub Enterprise Server, the API the runner names."""
    from dataclasses import replace

    from hotfix_lint.collect.ci_context import GITHUB_ACTIONS
    from hotfix_lint.collect.github import DEFAULT_API_URL

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
    from dataclasses import replace

    from hotfix_lint.ci_plan import choose_policy, load_check_policy, plan_check
    from hotfix_lint.collect.ci_context import OTHER_CI, is_ci, read_ci_context
    from hotfix_lint.collect.gather import current_branch
    from hotfix_lint.collect.repository import (
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
        from hotfix_lint.rules.registry import RULES_BY_ID

        for rule_id in args.rule:
            if rule_id not in RULES_BY_ID:
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
        from hotfix_lint.collect.github import resolve_target
        from hotfix_lint.collect.github_plan import origin_url
        from hotfix_lint.publish import PublishError

        resolved = resolve_target(github, origin_url(repo), environ)
        if isinstance(resolved, str):
            raise PublishError(f"--post-status: {resolved}")
        status_target = resolved
    status_url = args.status_url or (ci.run_url if ci is not None else None)
    context = ""
    if status_target is not None:
        from hotfix_lint.publish import status_context

        context = status_context(reviews=plan.reviews, policy_out_of_reach=choice.change_cannot_edit)
    try:
        report, status_sha = _run_check(args, root, policy, plan, github, loaded.relative_path)
    except UserError as exc:
        if status_target is not None:
            from hotfix_lint.publish import error_status, post_status

            sha = plan.status_sha or plan.branch_at or head_commit
            if sha:
                first = str(exc).split("\n", 1)[0]
                try:
                    post_status(status_target, error_status(first, sha, status_url, context))
                except UserError as failed:
                    print(f"{TOOL_NAME}: error: {failed}", file=sys.stderr)
        raise
    if args.baseline:
        from hotfix_lint.check_baseline import apply_baseline, read_baseline

        report = apply_baseline(report, read_baseline(Path(args.baseline)), args.baseline)
    _write_reports(report, targets, verbose=args.verbose)
    if status_target is not None:
        from hotfix_lint.publish import post_status, status_for

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
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.engine import evaluate, required_kinds, select_rules, skip_notes, utc_day
    from hotfix_lint.facts.kinds import GIT_BRANCH, GIT_HISTORY
    from hotfix_lint.report.model import Report, RuleInfo

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
    )
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
    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=facts.repository,
        policy=whole.source,
        violations=tuple(violations),
        rules_run=rules_run,
        notes=tuple(notes),
        rules=tuple(
            RuleInfo(s.rule.id, s.rule.summary, s.rule.explanation, s.rule.default_severity) for s in selected
        ),
        anchor=policy_path or DEFAULT_POLICY_ANCHOR,
    )
    judged = facts.branch.tip if facts.branch is not None else facts.head_commit
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


def rules_markdown() -> str:
    """The README's rule table, generated from the registry and the packs (a test keeps them equal)."""
    from hotfix_lint.catalog import rules_markdown as markdown

    return markdown()


def cmd_rules(stream: IO[str], fmt: str = "text") -> int:
    from hotfix_lint.catalog import rules_text

    stream.write(rules_markdown() if fmt == "markdown" else rules_text())
    return EXIT_OK


def explain_text(rule_id: str) -> str:
    """The full explanation of one rule, as ``explain`` prints it."""
    import json

    from hotfix_lint.catalog import rules_by_pack
    from hotfix_lint.rules.registry import RULES_BY_ID

    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(RULES_BY_ID), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UnknownRuleError(f"unknown rule {rule_id!r}{hint}; `hotfix-lint rules` lists them")
    lines = [
        f"{rule.id}: {rule.summary}",
        f"default severity: {rule.default_severity.value}"
        + (" (opt-in: runs only when the policy names it under `rules:`)" if rule.opt_in else ""),
        f"built-in packs that enable it: {', '.join(rules_by_pack().get(rule.id, ())) or 'none'}",
        "",
        rule.explanation,
        "",
    ]
    props = rule.options_schema.get("properties", {})
    if props:
        lines.append("options:")
        for name, spec in props.items():
            default = json.dumps(spec.get("default")) if "default" in spec else "none"
            lines.append(f"  {name} (default {default}): {spec.get('description', '')}")
    else:
        lines.append("options: none")
    lines.append("")
    lines.append(
        f"set it in the policy: rules: {{{rule.id}: {{severity: error|warning|off, OPTION: VALUE}}}}"
    )
    return "\n".join(lines) + "\n"


def cmd_init(args: argparse.Namespace) -> int:
    from hotfix_lint.collect.repository import open_repository
    from hotfix_lint.scaffold import policy_text, write_policy, write_text

    if args.preset is not None:
        if args.stdout:
            sys.stdout.write(policy_text(args.preset))
            return EXIT_OK
        repo = open_repository(Path(args.repo))
        target = write_policy(Path(repo.workdir or repo.path), args.preset, force=args.force)
        print(f"{TOOL_NAME}: wrote {target} (extends the pack {args.preset}); run `hotfix-lint check` next")
        return EXIT_OK
    import datetime as dt

    from hotfix_lint.infer.policy_file import inferred_proposal, inferred_text, load_text

    repo = open_repository(Path(args.repo))
    proposal = inferred_proposal(repo)
    if args.format == "json":
        import json

        from hotfix_lint.infer.render import inference_json

        json.dump(inference_json(proposal), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return EXIT_OK
    today = dt.date.today()
    text = inferred_text(repo, proposal, today)
    if args.since_today:
        text = _since_today(text, today)
    load_text(text, "inferred")  # never write a policy `check` would refuse
    if args.stdout:
        sys.stdout.write(text)
        return EXIT_OK
    target = write_text(Path(repo.workdir or repo.path), text, force=args.force)
    thin = " (thin evidence: see the notes at its top)" if proposal.inference.thin else ""
    print(f"{TOOL_NAME}: wrote {target}, inferred from the history{thin}; review it, then run `hotfix-lint check`")
    return EXIT_OK


def _since_today(text: str, today: object) -> str:
    """The policy with ``since:`` set to today (replacing the inferred start of the era)."""
    import re

    line = f"since: '{today}'  # judged from the day the tool was adopted; the history before is left as it was"
    if re.search(r"^since: .*$", text, flags=re.M):
        return re.sub(r"^since: .*$", lambda _: line, text, count=1, flags=re.M)
    return re.sub(r"^# since: .*$", lambda _: line, text, count=1, flags=re.M)


def cmd_baseline(args: argparse.Namespace) -> int:
    """``check`` with its findings written as JSON to the baseline file; exit 0 once written."""
    from hotfix_lint.check_baseline import DEFAULT_BASELINE
    from hotfix_lint.collect.repository import open_repository

    repo = open_repository(Path(args.repo))
    output = args.output or str(Path(repo.workdir or repo.path) / DEFAULT_BASELINE)
    argv = ["check", "--repo", args.repo, "--no-ci", "--format", f"json={output}", "--format", "text=" + os.devnull]
    argv += ["--policy", args.policy] if args.policy else []
    argv += ["--now", args.now] if args.now else []
    status = cmd_check(build_parser().parse_args(argv))
    if status not in (EXIT_OK, EXIT_VIOLATIONS):
        return status
    import json

    count = len(json.loads(Path(output).read_text(encoding="utf-8"))["violations"])
    print(f"{TOOL_NAME}: wrote {output} ({count} finding(s)); `check --baseline FILE` reports only new ones")
    return EXIT_OK


def cmd_schema(stream: IO[str]) -> int:
    import json

    from hotfix_lint.policy.schema import policy_schema

    json.dump(policy_schema(), stream, indent=2)
    stream.write("\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["hook"]:  # the hooks parse their own arguments, before anything else is built
        from hotfix_lint.hooks import main as hook_main

        return hook_main(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rules":
            return cmd_rules(sys.stdout, args.format)
        if args.command == "explain":
            sys.stdout.write(explain_text(args.rule))
            return EXIT_OK
        if args.command == "schema":
            return cmd_schema(sys.stdout)
        if args.command == "init":
            return cmd_init(args)
        if args.command == "baseline":
            return cmd_baseline(args)
        if args.command == "hotfixes":
            from hotfix_lint.lifecycle import cmd_hotfixes

            return cmd_hotfixes(
                args.repo, args.policy, args.since, parse_now(args.now), args.format, args.output, args.all_classes
            )
        if args.command in ("audit", "merge-reports"):
            from hotfix_lint.audit.cli_audit import cmd_audit, cmd_merge_reports

            return cmd_audit(args) if args.command == "audit" else cmd_merge_reports(args)
        parser.print_help()
        return EXIT_USAGE
    except PolicyError as exc:
        if len(exc.problems) == 1:
            print(f"{TOOL_NAME}: error: {exc.problems[0]}", file=sys.stderr)
        else:
            count = f"more than {len(exc.problems) - 1}" if exc.cut else str(len(exc.problems))
            print(f"{TOOL_NAME}: error: the policy has {count} problems:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        return exc.exit_status
    except UserError as exc:
        print(f"{TOOL_NAME}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        unreadable = unreadable_repository(exc)
        if unreadable is None:
            raise
        print(f"{TOOL_NAME}: error: {unreadable}", file=sys.stderr)
        return unreadable.exit_status

