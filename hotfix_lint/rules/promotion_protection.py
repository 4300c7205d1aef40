"""Rule ``promotion-protection``: promotion branches (``prod/hotfix/*``) require pull requests."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.kinds import GITHUB
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.github_common import could_not, not_collected, promotion_patterns


class PromotionProtection(Rule):
    id = "promotion-protection"
    summary = "Promotion branches (such as prod/hotfix/*) are protected by a rule that requires pull requests."
    explanation = """\
In a promotion process a hotfix reaches production through a promotion branch (the policy's
`promotion_branch`, such as `prod/hotfix/*`) that the deployment environment accepts. If such
a branch takes direct pushes, anyone can deploy an unreviewed change, so every branch matching
the pattern must be protected by a rule that requires a pull request: a classic branch
protection rule for the pattern, or a ruleset that includes it. Option `min_approvals`
(default 0) also asks for that many approving reviews.

Existing promotion branches (local or remote-tracking, the most recently moved first) are
checked one by one. When none exists yet, a sample name matching the pattern is checked:
GitHub says which rulesets would apply to it; a classic rule for the pattern can only be read
through an existing branch, so without a ruleset the answer is "could not check", not a pass.
Reading classic protection needs admin rights (`Administration: read`); a refusal is "could
not check" with that permission, never a pass or a violation. The rule does nothing when the
policy has no `promotion_branch`."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB})
    opt_in = True
    options_schema = options_object(
        min_approvals={
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Approving reviews a pull request into a promotion branch needs.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.policy.promotion_branch
        if not source:
            return
        github = facts.github
        if github is None:
            yield not_collected(self)
            return
        compiled = promotion_patterns(ctx.policy)
        if not compiled:
            return
        pattern = compiled[0]
        minimum = int(ctx.options["min_approvals"])
        hint = (
            f"on GitHub, Settings > Branches > add a branch protection rule for the pattern '{source}' with "
            "'Require a pull request before merging' (or a ruleset including it with that rule)"
        )
        checked = [b for b in github.branches if pattern.matches(b.name)]
        if not checked:
            yield self.finding(
                f"could not check the protection of promotion branches '{source}': no branch matches it and no "
                "sample name could be made from the pattern",
                kind=FindingKind.COULD_NOT_CHECK,
            )
            return
        for branch in checked:
            required = branch.requires_pull_request
            approvals = branch.required_approvals
            unknown = [v for v in (branch.protection, branch.rules) if isinstance(v, CouldNotCheck)]
            if branch.probe:
                if required:
                    if approvals is not None and approvals < minimum:
                        yield self._too_few(source, branch.name, approvals, minimum, hint)
                    continue
                reason = "no ruleset would require a pull request for a branch named like it"
                if isinstance(branch.rules, CouldNotCheck):
                    reason = str(branch.rules)
                yield self.finding(
                    f"could not check the protection of promotion branches '{source}': no such branch exists on "
                    f"GitHub yet, so a classic protection rule for the pattern cannot be read, and {reason}",
                    kind=FindingKind.COULD_NOT_CHECK,
                    hint="create the first promotion branch, or protect the pattern with a ruleset",
                    subjects=(source,),
                )
                continue
            if required is False:
                yield self.finding(
                    f"promotion branch {branch.name} is not protected by a rule that requires pull requests: "
                    "anyone who can push can deploy an unreviewed change",
                    ref=branch.name,
                    hint=hint,
                    subjects=(branch.name, source),
                )
            elif required is None or (minimum and approvals is None):
                yield could_not(self, unknown, subject=branch.name)
            elif approvals is not None and approvals < minimum:
                yield self._too_few(source, branch.name, approvals, minimum, hint)

    def _too_few(self, source: str, name: str, approvals: int, minimum: int, hint: str) -> Finding:
        return self.finding(
            f"promotion branch {name} requires {approvals} approving review(s), the policy {minimum}",
            ref=name,
            hint=hint,
            subjects=(name, source),
        )
