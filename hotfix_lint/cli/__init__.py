"""Command line: ``hotfix-lint COMMAND``, one module per command (``check``, ``init``,
``baseline``, ``rules``/``explain``/``schema``, ``audit``/``merge-reports``; ``hooks`` and
``lifecycle`` outside), their parsers built in :mod:`.parser`.

Each command is imported only when it runs, and imports what it needs inside its own
function, so that a quick command (or a pre-commit hook) never pays for what it does not use.
:func:`main` is the one handler that maps user errors to exit status 2; a user mistake never
ends in a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME
from hotfix_lint.cli.options import parse_now
from hotfix_lint.errors import EXIT_OK, EXIT_USAGE, PolicyError, UserError, unreadable_repository

if TYPE_CHECKING:
    import argparse


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["hook"]:  # the hooks parse their own arguments, before anything else is built
        from hotfix_lint.hooks import main as hook_main

        return hook_main(arguments[1:])
    from hotfix_lint.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        return _dispatch(parser, args)
    finally:
        _report_plugin_problems()


def _report_plugin_problems() -> None:
    """Plugins left out, on standard error, when this run read them (never a traceback; the
    exit status is that of the work done with the other rules)."""
    from hotfix_lint.rules.plugins import plugin_rules

    if plugin_rules.cache_info().currsize:
        from hotfix_lint.rules.registry import plugin_problems

        for problem in plugin_problems():
            print(f"{TOOL_NAME}: warning: {problem}", file=sys.stderr)


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        if args.command == "check":
            from hotfix_lint.cli.check import cmd_check

            return cmd_check(args)
        if args.command in ("rules", "explain", "schema"):
            from hotfix_lint.cli.describe import cmd_rules, cmd_schema, explain_text

            if args.command == "rules":
                return cmd_rules(sys.stdout, args.format)
            if args.command == "schema":
                return cmd_schema(sys.stdout)
            sys.stdout.write(explain_text(args.rule))
            return EXIT_OK
        if args.command == "init":
            from hotfix_lint.cli.init_policy import cmd_init

            return cmd_init(args)
        if args.command == "baseline":
            from hotfix_lint.cli.record_baseline import cmd_baseline

            return cmd_baseline(args)
        if args.command == "hotfixes":
            from hotfix_lint.lifecycle import cmd_hotfixes

            return cmd_hotfixes(
                args.repo, args.policy, args.since, parse_now(args.now), args.format, args.output, args.all_classes
            )
        if args.command in ("audit", "merge-reports"):
            from hotfix_lint.cli.audit import cmd_audit, cmd_merge_reports

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
