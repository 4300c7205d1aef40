"""The command line's parsers, built in one place: each subcommand's options and help.
argparse is imported only when a parser is built: a git hook never builds one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME, __version__
from hotfix_lint.cli.options import AUDIT_FORMATS, add_github_timeout

if TYPE_CHECKING:
    import argparse

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

#: the audit's repositories in parallel
DEFAULT_JOBS = 4

AUDIT_EXIT_STATUS = """\
exit status: 0 no errors (warnings allowed), 1 errors found in some repository,
             2 usage error or broken --policy, 3 some repository could not be audited
             (cloned, read or queried) or the organisation could not be listed
"""


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse  # not at the top: a git hook never builds this parser

    from hotfix_lint.ci.plan import POLICY_FROM

    p = sub.add_parser(
        "check",
        help="lint a repository's hotfix history (and its hotfix branch) against the policy",
        description="Check the history of the production branch since `since`, and a hotfix branch: "
        "the one named by --branch, else the current branch when it looks like a hotfix branch.",
        epilog=_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--repo", default=".", metavar="DIR", help="repository to check (default: current directory)")
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
    p.add_argument("--no-history", action="store_true", help="check only the hotfix branch, not production history")
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
    from hotfix_lint.collect.github.deadline import CHECK_BUDGET_SECONDS

    add_github_timeout(gh, CHECK_BUDGET_SECONDS)


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
        "--format", choices=["text", "markdown"], default="text", help="markdown prints the rule table of docs/rules.md"
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
    _add_audit_parsers(sub)
    return parser


def _add_audit_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``audit`` and ``merge-reports`` subcommands (run by :mod:`hotfix_lint.cli.audit`)."""
    import argparse

    from hotfix_lint.audit.locks import DEFAULT_LOCK_TIMEOUT
    from hotfix_lint.collect.github.deadline import AUDIT_BUDGET_SECONDS
    from hotfix_lint.watchdog import DEFAULT_CLONE_TIMEOUT

    audit = sub.add_parser(
        "audit",
        help="audit many repositories (an organisation, a list) from a cache of mirrors",
        description="Run the check on every repository of an organisation, a file or the command line: each "
        "kept as a bare mirror in --cache and fetched only when GitHub says it was pushed to; GitHub read "
        "with conditional requests. A repository that fails is reported, and the others go on.",
        epilog=AUDIT_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("repositories", nargs="*", metavar="OWNER/NAME", help="repositories to audit")
    which = audit.add_argument_group("which repositories")
    which.add_argument("--org", action="append", default=[], metavar="ORG", help="every repository of ORG")
    which.add_argument("--repos", metavar="FILE", help="a file of OWNER/NAME, one a line (# comments)")
    which.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only names matching GLOB (repeatable)"
    )
    which.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out names matching GLOB")
    which.add_argument("--include-archived", action="store_true", help="audit archived repositories too")
    which.add_argument("--shard", metavar="K/N", help="audit only shard K of N (a stable 1/N of the repositories)")
    policy = audit.add_argument_group("which policy")
    policy.add_argument(
        "--policy", metavar="FILE", help="the policy for repositories without their own (default: the 'default' pack)"
    )
    policy.add_argument("--no-repo-policy", action="store_true", help="ignore the repositories' own .hotfix-lint.yaml")
    policy.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    policy.add_argument("--now", metavar="YYYY-MM-DD", help="judge as of this date (grace periods, waiver expiry)")
    run = audit.add_argument_group("how")
    run.add_argument(
        "--cache", metavar="DIR", help="mirrors, state, GitHub's answers (default: audit/ in the user cache directory)"
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"repositories in parallel (default {DEFAULT_JOBS}); GitHub's rate limits are kept whatever N is",
    )
    run.add_argument(
        "--api-limits",
        metavar="NAME=VALUE,...",
        help="GitHub's secondary rate limits to pace under, when not github.com's (GitHub Enterprise Server): "
        "concurrency=100,rest-points=900,graphql-points=2000,server-seconds=90,graphql-server-seconds=60,window=60",
    )
    run.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for another audit on the same --cache to finish with a repository "
        f"(default {DEFAULT_LOCK_TIMEOUT:g})",
    )
    run.add_argument(
        "--clone-timeout",
        type=float,
        default=DEFAULT_CLONE_TIMEOUT,
        metavar="SECONDS",
        help="how long one clone or fetch of a repository may take in all; past it that repository "
        f"fails (default {DEFAULT_CLONE_TIMEOUT:g})",
    )
    run.add_argument("--github-url", metavar="URL", help="GitHub Enterprise Server's API, https://HOST/api/v3")
    run.add_argument(
        "--github-api",
        choices=("graphql", "rest"),
        default="graphql",
        help="graphql (default): read the repositories' settings, branch protection, rules, pull requests and "
        "deployments "
        "through GraphQL, many repositories a query, and the rest through REST; rest: everything through REST",
    )
    run.add_argument("--token-env", metavar="NAME", help="read the token from this variable (default GITHUB_TOKEN)")
    add_github_timeout(run, AUDIT_BUDGET_SECONDS)
    out = audit.add_argument_group("report")
    _add_output(out)
    out.add_argument("--baseline", metavar="FILE", help="an earlier audit JSON report: mark findings new/resolved")

    merge = sub.add_parser(
        "merge-reports",
        help="join the JSON reports of audit shards into one report",
        description="Join `audit --shard K/N --format json` reports into the report of the whole audit.",
        epilog=AUDIT_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument("reports", nargs="+", metavar="FILE", help="audit JSON reports")
    _add_output(merge)


def _add_output(group: argparse._ArgumentGroup | argparse.ArgumentParser) -> None:
    group.add_argument(
        "--format",
        action="append",
        metavar="FORMAT[=FILE]",
        help=f"{AUDIT_FORMATS[0]} (default), {', '.join(AUDIT_FORMATS[1:-1])} or {AUDIT_FORMATS[-1]}; repeatable as "
        "for check: FORMAT=FILE writes that format "
        "to FILE, a bare FORMAT to standard output (at most one)",
    )
    group.add_argument("--output", metavar="FILE", help="the file of the last --format given without one")
