"""Command line: ``hotfix-lint check | rules | explain | schema``.

Each subcommand imports what it needs inside its own function so that a quick command (or a
pre-commit hook) never pays for what it does not use. One handler maps user errors to exit
status 2; a user mistake never ends in a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hotfix_lint import __version__
from hotfix_lint.errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, PolicyError, UnknownRuleError, UserError

if TYPE_CHECKING:
    import argparse

    from hotfix_lint.collect.github import GitHubRequest
    from hotfix_lint.results import Report

TOOL_NAME = "hotfix-lint"

_DESCRIPTION = """\
Check git repositories against a written hotfix process.

A policy (YAML) says which branch is production, which is integration, how hotfix
branches are named and which rules apply. `check` reads the repository's history with
pygit2 and reports every place where practice departed from the policy.
"""

_EXIT_STATUS = """\
exit status: 0 no errors (warnings allowed), 1 errors found,
             2 usage error, broken policy, or a repository that cannot be read
"""


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse  # not at the top: a git hook never builds this parser

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
    p.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: text)")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--rule", action="append", metavar="ID", help="run only this rule (repeatable)")
    p.add_argument("--now", metavar="YYYY-MM-DD", help="judge as of this date (grace periods, waiver expiry)")
    p.add_argument(
        "--no-history", action="store_true", help="check only the hotfix branch, not production history"
    )
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
    init = sub.add_parser("init", help="write a commented .hotfix-lint.yaml that extends a built-in pack")
    init.add_argument("--preset", required=True, metavar="PACK", help="built-in pack: gitflow, main-development, ...")
    init.add_argument("--repo", default=".", metavar="DIR", help="repository to write it to (default: here)")
    init.add_argument("--force", action="store_true", help="replace an existing policy file")
    init.add_argument("--stdout", action="store_true", help="print the policy instead of writing it")
    hotfixes = sub.add_parser("hotfixes", help="list every hotfix in the history with its lifecycle, newest first")
    hotfixes.add_argument("--repo", default=".", metavar="DIR", help="repository (default: current directory)")
    hotfixes.add_argument("--policy", metavar="FILE", help="policy file (default: as for check)")
    hotfixes.add_argument("--since", metavar="REV|DATE", help="only history after this revision or date")
    hotfixes.add_argument("--now", metavar="YYYY-MM-DD", help="ages (pending back-merges) as of this date")
    hotfixes.add_argument("--format", choices=["text", "json"], default="text", help="table format")
    hotfixes.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    hook = sub.add_parser(
        "hook", add_help=False, help="run a git hook stage: pre-commit, commit-msg FILE or pre-push (see hook --help)"
    )
    hook.add_argument("hook_args", nargs=argparse.REMAINDER)
    return parser


def _parse_now(text: str | None) -> int:
    if text is None:
        return int(time.time())
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"--now: expected a date YYYY-MM-DD, got {text!r}") from exc
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc).timestamp())


def looks_like_hotfix_branch(name: str, is_hotfix_name: bool) -> bool:
    """Check the current branch implicitly when it is, or tries to be, a hotfix branch."""
    return is_hotfix_name or "hotfix" in name.lower()


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


def cmd_check(args: argparse.Namespace) -> int:
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.repository import open_repository
    from hotfix_lint.engine import evaluate, required_kinds, select_rules, skipped_rules
    from hotfix_lint.facts.kinds import GIT_BRANCH, GIT_HISTORY
    from hotfix_lint.policy.loader import discover_policy
    from hotfix_lint.results import Report

    repo_dir = Path(args.repo)
    repo = open_repository(repo_dir)
    root = Path(repo.workdir or repo.path)
    policy, described = discover_policy(root, Path(args.policy) if args.policy else None)
    print(f"{TOOL_NAME}: {described}", file=sys.stderr)
    if args.rule:
        from hotfix_lint.rules.registry import RULES_BY_ID

        for rule_id in args.rule:
            if rule_id not in RULES_BY_ID:
                raise UnknownRuleError(f"unknown rule {rule_id!r}; `hotfix-lint rules` lists them")
    selected = select_rules(policy, args.rule)
    kinds = set(required_kinds(selected))
    if args.no_history:
        kinds.discard(GIT_HISTORY)
    now = _parse_now(args.now)
    branch = args.branch
    if branch is None and not repo.head_is_detached and not repo.head_is_unborn:
        current = repo.head.shorthand
        if (
            not policy.is_production_name(current)
            and current != policy.integration
            and looks_like_hotfix_branch(current, policy.is_hotfix_name(current))
        ):
            branch = current
    facts = gather(
        root, policy, frozenset(kinds), branch=branch, since=args.since, now=now, github=github_request(args)
    )
    if branch is not None and GIT_BRANCH not in kinds:
        branch = None
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    violations = evaluate(facts, policy, selected, today)
    notes = list(facts.notes)
    if branch:
        notes.insert(0, f"checked hotfix branch {branch}")
    skipped = skipped_rules(facts, selected)
    for reason, rule_ids in skipped.items():
        note = f"skipped {', '.join(rule_ids)}: {reason}"
        notes.append(note)
        print(f"{TOOL_NAME}: {note}", file=sys.stderr)
    not_run = {rule_id for rule_ids in skipped.values() for rule_id in rule_ids}
    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=facts.repository,
        policy=policy.source,
        violations=tuple(violations),
        rules_run=tuple(s.rule.id for s in selected if s.rule.id not in not_run),
        notes=tuple(notes),
    )
    _write_report(report, args.format, args.output)
    return EXIT_VIOLATIONS if report.errors else EXIT_OK


def _write_report(report: Report, fmt: str, output: str | None) -> None:
    from hotfix_lint.report import get_reporter

    reporter = get_reporter(fmt)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as stream:
                reporter.write(report, stream)
        except OSError as exc:
            raise UserError(f"--output {output}: {exc.strerror}") from exc
        return
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    reporter.write(report, sys.stdout, color=color)


def rules_markdown() -> str:
    """The README's rule table, generated from the registry and the packs (a test keeps them equal)."""
    from hotfix_lint.catalog import rules_markdown as markdown

    return markdown()


def cmd_rules(stream: IO[str], fmt: str = "text") -> int:
    from hotfix_lint.catalog import rules_text

    stream.write(rules_markdown() if fmt == "markdown" else rules_text())
    return EXIT_OK


def _packs_of(rule_id: str) -> tuple[str, ...]:
    from hotfix_lint.catalog import rules_by_pack

    return rules_by_pack().get(rule_id, ())


def explain_text(rule_id: str) -> str:
    """The full explanation of one rule, as ``explain`` prints it."""
    import json

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
        f"built-in packs that enable it: {', '.join(_packs_of(rule.id)) or 'none'}",
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
    from hotfix_lint.scaffold import policy_text, write_policy

    if args.stdout:
        sys.stdout.write(policy_text(args.preset))
        return EXIT_OK
    repo = open_repository(Path(args.repo))
    target = write_policy(Path(repo.workdir or repo.path), args.preset, force=args.force)
    print(f"{TOOL_NAME}: wrote {target} (extends the pack {args.preset}); run `hotfix-lint check` next")
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
        if args.command == "hotfixes":
            from hotfix_lint.lifecycle import cmd_hotfixes

            return cmd_hotfixes(args.repo, args.policy, args.since, _parse_now(args.now), args.format, args.output)
        parser.print_help()
        return EXIT_USAGE
    except PolicyError as exc:
        if len(exc.problems) == 1:
            print(f"{TOOL_NAME}: error: {exc.problems[0]}", file=sys.stderr)
        else:
            print(f"{TOOL_NAME}: error: the policy has {len(exc.problems)} problems:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        return exc.exit_status
    except UserError as exc:
        print(f"{TOOL_NAME}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
