"""``hotfix-lint init``: write the policy inferred from the history, or a commented pack."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME
from hotfix_lint.errors import EXIT_OK

if TYPE_CHECKING:
    import argparse


def cmd_init(args: argparse.Namespace) -> int:
    from hotfix_lint.collect.git.repository import open_repository
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
