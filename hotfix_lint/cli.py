"""Command line: ``hotfix-lint check | rules | explain | schema``.

Each subcommand imports what it needs inside its own function so that a quick command (or a
pre-commit hook) never pays for what it does not use. One handler maps user errors to exit
status 2; a user mistake never ends in a traceback.
"""

from __future__ import annotations

import argparse
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


def build_parser() -> argparse.ArgumentParser:
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


def cmd_check(args: argparse.Namespace) -> int:
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.repository import open_repository
    from hotfix_lint.engine import evaluate, required_kinds, select_rules
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
    facts = gather(root, policy, frozenset(kinds), branch=branch, since=args.since, now=now)
    if branch is not None and GIT_BRANCH not in kinds:
        branch = None
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    violations = evaluate(facts, policy, selected, today)
    notes = list(facts.notes)
    if branch:
        notes.insert(0, f"checked hotfix branch {branch}")
    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=facts.repository,
        policy=policy.source,
        violations=tuple(violations),
        rules_run=tuple(s.rule.id for s in selected),
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
    """The README's rule table, generated from the registry (a test keeps them equal)."""
    from hotfix_lint.rules.registry import ALL_RULES

    rows = ["| rule | default | what it checks |", "| --- | --- | --- |"]
    rows += [f"| `{r.id}` | {r.default_severity.value} | {r.summary} |" for r in ALL_RULES]
    return "\n".join(rows) + "\n"


def cmd_rules(stream: IO[str], fmt: str = "text") -> int:
    from hotfix_lint.rules.registry import ALL_RULES

    if fmt == "markdown":
        stream.write(rules_markdown())
        return EXIT_OK
    width = max(len(r.id) for r in ALL_RULES)
    for rule in ALL_RULES:
        stream.write(f"{rule.id:<{width}}  {rule.default_severity.value:<7}  {rule.summary}\n")
    stream.write("\n`hotfix-lint explain RULE` tells what a rule checks and which options it takes.\n")
    return EXIT_OK


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
        f"default severity: {rule.default_severity.value}",
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


def cmd_schema(stream: IO[str]) -> int:
    import json

    from hotfix_lint.policy.schema import policy_schema

    json.dump(policy_schema(), stream, indent=2)
    stream.write("\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
