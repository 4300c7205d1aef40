"""Rule ``branch-protection``: production and integration branches are protected on GitHub."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.github import BranchGitHubFact, BranchProtection
from hotfix_lint.facts.kinds import GITHUB
from hotfix_lint.policy.patterns import PatternError, compile_pattern
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.github_common import could_not, not_collected, quoted, words

_SETTINGS: dict[str, Any] = {
    "require_pull_request": {
        "type": "boolean",
        "default": True,
        "description": "Changes reach the branch only through a pull request.",
    },
    "min_approvals": {
        "type": "integer",
        "minimum": 0,
        "default": 1,
        "description": "Approving reviews a pull request needs before it can be merged.",
    },
    "forbid_force_push": {"type": "boolean", "default": True, "description": "Force pushes are refused."},
    "forbid_deletion": {"type": "boolean", "default": True, "description": "Deleting the branch is refused."},
}
_KEYS = tuple(_SETTINGS)


class BranchProtectionRule(Rule):
    id = "branch-protection"
    summary = "Production and integration branches require reviewed pull requests and refuse force-push."
    explanation = """\
A hotfix process is only as good as what stops a shortcut: on GitHub, the production
branches and the integration branch must be protected so that a change arrives only through
a pull request with at least `min_approvals` approving reviews, and nobody can force-push
over history or delete the branch. Either mechanism counts: classic branch protection or a
ruleset (repository or organisation) that applies to the branch; the strictest of them is
what GitHub enforces.

Options apply to every checked branch; `branches` adds branch patterns (such as
`support/*`) and overrides the options per branch: `branches: {develop: {min_approvals: 0},
"support/*": {}}`; `{check: false}` leaves a branch out. `integration: false` leaves the
integration branch out. Patterns are judged through the branches that exist (local or
remote-tracking), the most recently moved first.

Reading classic branch protection needs admin rights (fine-grained token: `Administration:
read`). When GitHub refuses (403), or hides the setting behind a 404, the branch is reported
as "could not check", naming the permission needed, never as a pass or a violation; only
GitHub's own answer "Branch not protected" (with sufficient rights) is a violation."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB})
    options_schema = options_object(
        **_SETTINGS,
        integration={
            "type": "boolean",
            "default": True,
            "description": "Also check the integration branch (develop).",
        },
        branches={
            "type": "object",
            "default": {},
            "description": (
                "More branch patterns to check, each with its own settings (overriding the options above): "
                "{PATTERN: {require_pull_request, min_approvals, forbid_force_push, forbid_deletion, check}}."
            ),
            "additionalProperties": {
                "type": "object",
                "properties": {
                    **_SETTINGS,
                    "check": {"type": "boolean", "description": "false: do not check these branches."},
                },
                "additionalProperties": False,
            },
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None:
            yield not_collected(self)
            return
        policy = ctx.policy
        overrides: list[tuple[Any, Mapping[str, Any]]] = []
        for source, setting in (ctx.options.get("branches") or {}).items():
            try:
                overrides.append((compile_pattern(str(source), policy.ticket_pattern), setting or {}))
            except PatternError:
                continue
        for branch in github.branches:
            if branch.probe:
                continue
            name = branch.name
            role = None
            if policy.is_production_name(name):
                role = "production branch"
            elif policy.is_integration_name(name) and ctx.options["integration"]:
                role = "integration branch"
            settings = {key: ctx.options[key] for key in _KEYS}
            check = True
            for pattern, setting in overrides:
                if pattern.matches(name):
                    role = role or f"branch matching '{pattern.source}'"
                    settings.update({k: v for k, v in setting.items() if k in _KEYS})
                    check = bool(setting.get("check", check))
            if role is None or not check:
                continue
            yield from self._judge(branch, role, settings)

    def _judge(self, branch: BranchGitHubFact, role: str, settings: Mapping[str, Any]) -> Iterator[Finding]:
        name = branch.name
        unknown = [v for v in (branch.protection, branch.rules) if isinstance(v, CouldNotCheck)]
        protection = branch.protection
        if isinstance(protection, BranchProtection) and protection.plan_blocked and branch.rules == ():
            yield self.finding(
                f"{name} ({role}) cannot be protected on this plan: GitHub answers \"Upgrade to GitHub Pro or make "
                "this repository public to enable this feature\" (a private repository on GitHub Free has neither "
                "branch protection nor rulesets)",
                ref=name,
                hint="upgrade the owner's plan (GitHub Pro, Team or Enterprise), or make the repository public",
                subjects=(name,),
            )
            return
        if protection == BranchProtection.unprotected(name) and branch.rules == ():
            if branch.evaluate_rulesets:
                why = (
                    f"{words(quoted(branch.evaluate_rulesets))} "
                    f"target{'s' if len(branch.evaluate_rulesets) == 1 else ''} it in evaluate mode only, "
                    "which reports and never blocks"
                )
            else:
                why = "no ruleset applies to it"
            yield self.finding(
                f"{name} ({role}) is not protected on GitHub: no branch protection rule and {why}",
                ref=name,
                hint=_hint(name, settings),
                subjects=(name,),
            )
            return
        if isinstance(protection, BranchProtection) and protection.protected and protection.lock_branch:
            yield self.finding(
                f"{name} ({role}) is locked on GitHub ('Lock branch' is on): nothing can be merged into it, "
                "so a hotfix cannot land there",
                severity=Severity.WARNING,
                ref=name,
                hint=f"on GitHub, Settings > Branches > the rule for '{name}': turn off 'Lock branch' when the "
                "branch should take changes again",
                subjects=(name,),
            )
        problems: list[str] = []
        open_question = False
        minimum = int(settings["min_approvals"])
        pull_request = branch.requires_pull_request
        if settings["require_pull_request"] or minimum > 0:
            if pull_request is False:
                problems.append("does not require a pull request before merging")
            elif pull_request is None:
                open_question = True
        if minimum > 0 and pull_request is not False:
            approvals = branch.required_approvals
            if approvals is None:
                open_question = True
            elif approvals < minimum:
                problems.append(f"requires {approvals} approving review(s), the policy {minimum}")
        for key, value, problem in (
            ("forbid_force_push", branch.blocks_force_push, "allows force pushes"),
            ("forbid_deletion", branch.blocks_deletion, "allows deleting the branch"),
        ):
            if not settings[key]:
                continue
            if value is False:
                problems.append(problem)
            elif value is None:
                open_question = True
        if problems:
            yield self.finding(
                f"{name} ({role}) {'; '.join(problems)}",
                ref=name,
                hint=_hint(name, settings),
                subjects=(name,),
            )
        if open_question and unknown:
            yield could_not(self, unknown, subject=name)


def _hint(name: str, settings: Mapping[str, Any]) -> str:
    wanted = []
    if settings["require_pull_request"] or settings["min_approvals"]:
        wanted.append(f"Require a pull request before merging (Require approvals: {settings['min_approvals']})")
    if settings["forbid_force_push"]:
        wanted.append("leave 'Allow force pushes' off")
    if settings["forbid_deletion"]:
        wanted.append("leave 'Allow deletions' off")
    return (
        f"on GitHub, Settings > Branches > add a branch protection rule for '{name}': {', '.join(wanted)}; "
        "or a ruleset targeting it with 'Require a pull request before merging', 'Block force pushes' and "
        "'Restrict deletions'"
    )
