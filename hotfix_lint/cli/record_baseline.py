"""``hotfix-lint baseline``: record today's findings (``check``'s JSON report), so that
``check --baseline FILE`` (:mod:`.check_baseline`) reports only new ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME
from hotfix_lint.errors import EXIT_OK, EXIT_VIOLATIONS

if TYPE_CHECKING:
    import argparse


def cmd_baseline(args: argparse.Namespace) -> int:
    """``check`` with its findings written as JSON to the baseline file; exit 0 once written."""
    from hotfix_lint.cli.check import cmd_check
    from hotfix_lint.cli.check_baseline import DEFAULT_BASELINE
    from hotfix_lint.cli.parser import build_parser
    from hotfix_lint.collect.git.repository import open_repository

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
