"""Rule ``stale-branch``: a hotfix branch is deleted once it has been merged."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.branches import HotfixBranchFact
from hotfix_lint.facts.kinds import BRANCH_STATE
from hotfix_lint.results import Finding, Severity, shell_command
from hotfix_lint.rules.base import FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import DAY, day


class StaleBranch(Rule):
    id = "stale-branch"
    summary = "A hotfix branch already merged into production is deleted within N days."
    explanation = """\
A merged hotfix branch left behind invites a second, stale merge, and hides which hotfixes
are still open. A branch named like a hotfix branch (local, or remote-tracking such as
`origin/hotfix/x`) whose tip a production branch already contains must not exist longer than
`max_age_days` after its merge (when the merge is not known, after its tip's commit). While
the policy has an integration branch that does not contain the hotfix yet, the branch is
still needed for the back-merge and is not stale (`back-merge` reports the missing
back-merge); set `after_back_merge: false` to judge it anyway. Options `include_local` and
`include_remote` choose which branches count (a CI clone has only remote-tracking ones)."""
    default_severity = Severity.WARNING
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, BRANCH_STATE})
    options_schema = options_object(
        max_age_days={
            "type": "integer",
            "minimum": 0,
            "default": 7,
            "description": "Days after the merge into production a hotfix branch may still exist.",
        },
        after_back_merge={
            "type": "boolean",
            "default": True,
            "description": "A branch the integration branch does not contain yet is still needed: not stale.",
        },
        include_local={"type": "boolean", "default": True, "description": "Judge local branches."},
        include_remote={"type": "boolean", "default": True, "description": "Judge remote-tracking branches."},
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        history = facts.history
        if history is None or history.hotfix_branches is None:
            return
        limit = int(ctx.options["max_age_days"]) * DAY
        by_name: dict[str, list[HotfixBranchFact]] = {}
        for branch in history.hotfix_branches:
            if branch.remote is None and not ctx.options["include_local"]:
                continue
            if branch.remote is not None and not ctx.options["include_remote"]:
                continue
            if branch.merged_into is None:
                continue
            if ctx.options["after_back_merge"] and branch.in_integration is False:
                continue
            since = branch.merged_at if branch.merged_at is not None else branch.tip_time
            if facts.now - since <= limit:
                continue
            by_name.setdefault(branch.name, []).append(branch)
        for name, copies in sorted(by_name.items()):
            first = copies[0]
            since = first.merged_at if first.merged_at is not None else first.tip_time
            merged = f"merged into {first.merged_into}" + (
                f" on {day(first.merged_at)}" if first.merged_at is not None else ""
            )
            places = ", ".join(c.display for c in copies)
            commands = []
            for remote in sorted({c.remote for c in copies if c.remote}):
                commands.append(shell_command(["git", "push", "--delete"], remote, name))
            if any(c.remote is None for c in copies):
                commands.append(shell_command(["git", "branch", "-d"], name))
            yield self.finding(
                f"hotfix branch {name} was {merged} ({(facts.now - since) // DAY} days ago) and still exists: {places}",
                ref=name,
                commit=first.tip,
                hint=" && ".join(commands),
                subjects=(name, first.tip),
            )
