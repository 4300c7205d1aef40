"""Rule ``production-in-integration``: the integration branch receives every production change."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.coverage import ProductionChangeFact
from hotfix_lint.facts.history import IntegrationFact
from hotfix_lint.facts.kinds import INTEGRATION_COVERAGE
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, Severity, merge_into, shell_command
from hotfix_lint.rules.base import FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import DAY, day, short
from hotfix_lint.rules.hints import commit_waiver_hint, is_main_line, missing_integrations

_WHAT = {"merge": "merge", "direct": "commit", "automation": "automation commit"}


class ProductionInIntegration(Rule):
    id = "production-in-integration"
    summary = "The integration branch receives every change of production, not only hotfixes."
    explanation = """\
git-flow's other half: whatever reaches a production branch must also reach the integration
branch, or the next release from it undoes the change. `back-merge` judges hotfixes; this rule
judges every other change on the production branch's first-parent chain since `since`: a
release merge (its release branch must reach the integration branch too, as `git flow release
finish` does), a merge from another line, a commit pushed or squashed straight onto production.
A change counts when, within `grace_days` of reaching production, the integration branch
contained what it brought (by ancestry: a merge's other parents, or the commit itself) or a
copy of it (an integration-only commit with the same patch id, or git's "cherry picked from
commit" line). A change younger than `grace_days` and not there yet is a warning "pending"; one
that arrived later than `grace_days` is a warning "late" (it is there now, nothing to repair);
one that never arrived is the rule's severity. Only the first `production` entry (the line the
integration branch is released into) is judged unless `include_support_lines` is set; commits
by the policy's automation (`merge-commit`'s `allow_authors`/`allow_messages`, such as a
version bump) are not judged unless `include_automation` is set. It is a rule of its own, not a
`back-merge` option: it judges other changes (no hotfix branch, no hotfix waiver) and a team
may want one without the other. Off by default: name it under `rules:` to use it."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, INTEGRATION_COVERAGE})
    options_schema = options_object(
        grace_days={
            "type": "integer",
            "minimum": 0,
            "default": 7,
            "description": "Days after a change reached production within which integration must have it.",
        },
        include_support_lines={
            "type": "boolean",
            "default": False,
            "description": "Judge every production line, not only the first `production` entry.",
        },
        include_automation={
            "type": "boolean",
            "default": False,
            "description": "Judge commits by the policy's automation (merge-commit's allow_authors/allow_messages).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        history = facts.history
        if history is None:
            return
        yield from missing_integrations(self, history, "production changes")
        if history.production_changes is None:
            return
        grace = int(ctx.options["grace_days"]) * DAY
        for change in history.production_changes:
            if change.kind == "automation" and not ctx.options["include_automation"]:
                continue
            if not ctx.options["include_support_lines"] and not is_main_line(ctx.policy, change.line):
                continue
            integration = history.integration_of(change.line)
            if integration is None:
                continue
            retired = integration.retired_since
            if retired is not None and change.commit.commit_time >= retired:
                continue
            finding = self._judge(change, integration, facts.now, grace, ctx.policy)
            if finding is not None:
                yield finding

    def _judge(
        self, change: ProductionChangeFact, integration: IntegrationFact, now: int, grace: int, policy: Policy
    ) -> Finding | None:
        commit = change.commit
        due = commit.commit_time + grace
        times = [t for t in (change.arrived_at, change.copy_at) if t is not None]
        if times and min(times) <= due:
            return None
        what = f"{_WHAT[change.kind]} {commit.short} ('{commit.summary}') on {change.line}"
        waiver = commit_waiver_hint(self.id, commit.id)
        if times:
            arrived = min(times)
            return self.finding(
                f"late: {what} reached {integration.name} only on {day(arrived)}, "
                f"{(arrived - commit.commit_time) // DAY} days after it reached {change.line} (due by {day(due)})",
                severity=Severity.WARNING,
                ref=change.line,
                commit=commit.id,
                hint=f"it is in {integration.name} now: nothing to repair; bring the next one back sooner, or {waiver}",
                subjects=(commit.id,),
            )
        message = (
            f"{what} is not in {integration.name}: neither what it brought nor a copy (same patch id) reached "
            f"{integration.name}"
        )
        severity = None
        if now < due:
            severity = Severity.WARNING
            message = f"pending: {message} yet (due by {day(due)})"
        else:
            message += f" within {grace // DAY} days"
        return self.finding(
            message,
            severity=severity,
            ref=change.line,
            commit=commit.id,
            hint=_repair(change, integration.name, policy, waiver),
            subjects=(commit.id,),
        )


def _repair(change: ProductionChangeFact, integration: str, policy: Policy, waiver: str) -> str:
    """Merge the main line back (git-flow); a commit of another line is cherry-picked, never merged."""
    commit = change.commit
    pick = ["git", "cherry-pick", "-x"] + (["-m", "1"] if len(commit.parents) >= 2 else [])
    picked = f"{shell_command(['git', 'switch'], integration)} && {shell_command(pick, short(commit.id))}"
    if is_main_line(policy, change.line):
        return f"{merge_into(integration, change.line)}  (or only this change: {picked}); or {waiver}"
    return (
        f"do not merge {change.line} into {integration}; port the change if {integration} needs it: {picked}; "
        f"or {waiver}"
    )
