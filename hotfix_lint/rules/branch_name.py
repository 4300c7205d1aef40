"""Rule ``branch-name``: every hotfix branch is named by the policy's hotfix pattern."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.policy.patterns import compile_pattern, slugify
from hotfix_lint.results import Finding, Severity, shell_command
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, subjects, waiver_hint
from hotfix_lint.rules.landing_checks import branch_names


class BranchName(Rule):
    id = "branch-name"
    summary = "Every hotfix branch name matches the hotfix pattern."
    explanation = """\
A hotfix branch must be named by the policy's `hotfix_branch` pattern (for example
`hotfix/{slug}` or `hotfix-v{version}`), so that people, CI triggers and branch protection
recognise it. On a branch under check, its own name is judged. In history, every merge into
a production branch whose source is neither the integration branch nor an allowed release
branch is a hotfix, and its source name must match: a hotfix with a bad name is still a
hotfix. Merges that are off the production branch's first-parent chain (brought in by a
fast-forward) count only when their source matches the hotfix pattern, so a feature merged
into the integration branch and later released is not reported."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        ignore_sources={
            "type": "array",
            "items": {"type": "string", "format": "name-pattern"},
            "default": [],
            "description": "Merge sources never judged (e.g. bot branches), as patterns.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.policy
        ignored = [compile_pattern(p, policy.ticket_pattern) for p in ctx.options["ignore_sources"]]
        expected = " or ".join(p.describe() for p in policy.hotfix_patterns)
        yield from branch_names(self, facts, ctx, expected)
        for hotfix in all_hotfixes(facts):
            name = hotfix.source
            if name is not None and (policy.is_hotfix_name(name) or any(p.matches(name) for p in ignored)):
                continue
            if hotfix.merge is not None and not hotfix.on_first_parent:
                continue
            suggestion = policy.hotfix_patterns[0].example(slugify(name.rsplit("/", 1)[-1] if name else ""))
            if hotfix.merge is None and name is not None:
                yield self.finding(
                    f"branch '{name}' is checked as a hotfix branch but its name does not match {expected}",
                    ref=name,
                    commit=hotfix.tip,
                    hint=f"rename it: {shell_command(['git', 'branch', '-m'], name, suggestion)}"
                    if suggestion
                    else None,
                    subjects=subjects(hotfix),
                )
                continue
            merge = hotfix.merge
            if merge is None:
                continue
            if name is None:
                message = (
                    f"merge {merge.short} into {hotfix.line} ('{merge.summary}') names no source branch, so it "
                    f"is taken as a hotfix whose name cannot be checked against {expected}"
                )
            else:
                message = (
                    f"merge {merge.short} brought branch '{name}' into {hotfix.line}; it is neither the "
                    f"integration branch nor a release branch, so it is a hotfix, but its name does not "
                    f"match {expected}"
                )
            hint = f"name hotfix branches like '{suggestion}'; " if suggestion else ""
            yield self.finding(
                message,
                ref=hotfix.line,
                commit=merge.id,
                hint=hint + waiver_hint(self.id, hotfix),
                subjects=subjects(hotfix),
            )
