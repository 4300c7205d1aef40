"""Rule ``protection-bypass``: who can get around the branch and environment protection."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.github import BranchProtection, Environment, GitHubFacts
from hotfix_lint.facts.kinds import GITHUB, GITHUB_BYPASS
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.github_common import could_not, matches_any, not_collected, promotion_patterns, quoted, words

#: how the ``allow`` option names administrators (classic ``enforce_admins`` off, the
#: environment's ``can_admins_bypass``)
ADMINS = "admins"


class ProtectionBypass(Rule):
    id = "protection-bypass"
    summary = "Only actors the policy allows can bypass branch protection, rulesets or environment reviewers."
    explanation = """\
Protection that someone can skip is a door left ajar: in a hurry, a hotfix goes through it.
For each production branch, promotion branch and (with `integration: true`) the integration
branch, this rule reports who GitHub lets bypass what protects it, as OpenSSF Scorecard and
Legitify do:

- classic branch protection without "Do not allow bypassing the above settings"
  (`enforce_admins` off): administrators (named `admins` in `allow`);
- "Allow specified actors to bypass required pull requests"
  (`bypass_pull_request_allowances`): the users, teams and apps listed;
- every ruleset applying to the branch: its `bypass_actors` (`GET rulesets/{id}`), named as
  GitHub names them: `OrganizationAdmin`, `RepositoryRole #5`, `Team #234`, `Integration #1`,
  `DeployKey`, `User #7`; with `bypass_mode: pull_request` only on pull requests;
- the deployment environment's "Allow administrators to bypass configured protection rules"
  (`can_admins_bypass`, on unless turned off): administrators may deploy without the required
  reviewers (read when the policy names an environment).

Each is a finding (a warning by default; give the rule `error` in the policy to fail the
check) unless every actor is in the option `allow` (logins, team slugs, `admins`, or GitHub's
actor labels such as `Team #234` and `OrganizationAdmin`). GitHub shows a ruleset's bypass list
only to a token with write access to the ruleset; what cannot be read is "could not check"."""
    default_severity = Severity.WARNING
    requires = frozenset({GITHUB, GITHUB_BYPASS})
    opt_in = True
    options_schema = options_object(
        allow={
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": (
                "Actors allowed to bypass: logins, team or app slugs, 'admins', or ruleset actor labels such as "
                "'Team #234', 'RepositoryRole #5', 'OrganizationAdmin'."
            ),
        },
        integration={
            "type": "boolean",
            "default": False,
            "description": "Also check the integration branch.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None:
            yield not_collected(self)
            return
        allowed = {str(a) for a in ctx.options["allow"]}
        policy = ctx.policy
        promotion = promotion_patterns(policy)
        unknown: list[CouldNotCheck] = []
        by_ruleset = {b.ruleset_id: b for b in github.ruleset_bypass}
        for branch in github.branches:
            name = branch.name
            if not (
                policy.is_production_name(name)
                or matches_any(promotion, name)
                or (ctx.options["integration"] and name == policy.integration)
            ):
                continue
            protection = branch.protection
            if isinstance(protection, BranchProtection):
                yield from self._classic(name, protection, allowed)
            elif not branch.probe:
                unknown.append(protection)
            if isinstance(branch.rules, CouldNotCheck):
                unknown.append(branch.rules)
                continue
            for ruleset_id in dict.fromkeys(r.ruleset_id for r in branch.rules if r.ruleset_id is not None):
                bypass = by_ruleset.get(ruleset_id)
                if bypass is None:
                    continue
                if isinstance(bypass.actors, CouldNotCheck):
                    unknown.append(bypass.actors)
                    continue
                others = [a for a in bypass.actors if a.label not in allowed]
                if others:
                    label = f"ruleset '{bypass.name}'" if bypass.name else f"ruleset #{ruleset_id}"
                    who = words([a.label + _mode(a.bypass_mode) for a in others])
                    yield self.finding(
                        f"{label} on {name} can be bypassed by {who}",
                        ref=name,
                        hint=f"on GitHub, Settings > Rules > Rulesets > {label}: remove them from the bypass list, or "
                        f"allow them in the policy (protection-bypass: allow: [...])",
                        subjects=(name, str(ruleset_id)),
                    )
        yield from self._environment(github, allowed, unknown)
        if unknown:
            yield could_not(self, unknown)

    def _classic(self, name: str, protection: BranchProtection, allowed: set[str]) -> Iterator[Finding]:
        if not protection.protected:
            return
        hint = f"on GitHub, Settings > Branches > the rule for '{name}'"
        if not protection.enforce_admins and ADMINS not in allowed:
            yield self.finding(
                f"administrators can bypass the branch protection of {name} ('Do not allow bypassing the above "
                "settings' is off)",
                ref=name,
                hint=f"{hint}: turn on 'Do not allow bypassing the above settings'",
                subjects=(name,),
            )
        others = [a for a in protection.pull_request_bypassers if a not in allowed]
        if protection.require_pull_request and others:
            yield self.finding(
                f"{words(quoted(others))} can merge into {name} without the required pull request reviews "
                "('Allow specified actors to bypass required pull requests')",
                ref=name,
                hint=f"{hint}: remove them from 'Allow specified actors to bypass required pull requests'",
                subjects=(name,),
            )

    def _environment(self, github: GitHubFacts, allowed: set[str], unknown: list[CouldNotCheck]) -> Iterator[Finding]:
        env = github.environment
        if isinstance(env, CouldNotCheck):
            unknown.append(env)
            return
        if not isinstance(env, Environment) or ADMINS in allowed:
            return
        if env.can_admins_bypass is not False and env.requires_review:
            said = "" if env.can_admins_bypass else " (GitHub's default; the answer did not say otherwise)"
            yield self.finding(
                f"administrators can deploy to {env.name!r} without its required reviewers ('Allow administrators "
                f"to bypass configured protection rules' is on{said})",
                hint=f"on GitHub, Settings > Environments > {env.name}: turn off 'Allow administrators to bypass "
                "configured protection rules'",
                subjects=(env.name,),
            )


def _mode(bypass_mode: str) -> str:
    if bypass_mode == "always":
        return ""
    return " (pull requests only)" if bypass_mode == "pull_request" else f" ({bypass_mode})"
