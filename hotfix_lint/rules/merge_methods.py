"""Rule ``merge-methods``: GitHub allows exactly the merge methods the policy allows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.github import BranchGitHubFact, RepoSettings
from hotfix_lint.facts.kinds import GITHUB
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.github_common import could_not, matches_any, not_collected, promotion_patterns, words

METHODS = ("merge", "squash", "rebase")
_LABELS = {"merge": "merge commits", "squash": "squash merges", "rebase": "rebase merges"}
_SWITCHES = {"merge": "Allow merge commits", "squash": "Allow squash merging", "rebase": "Allow rebase merging"}


@dataclass
class _Verdict:
    """What one branch allows, and why."""

    allowed: frozenset[str]
    limits: list[str] = field(default_factory=list)  # rulesets that limit the methods
    linear: list[str] = field(default_factory=list)  # what requires linear history
    unknown: list[CouldNotCheck] = field(default_factory=list)


class MergeMethods(Rule):
    id = "merge-methods"
    summary = "GitHub allows exactly the merge methods the policy allows (merge commits only, by default)."
    explanation = """\
The `merge-commit` rule finds squash and rebase merges after the fact; this rule checks that
GitHub cannot make them. The merge methods a pull request into a branch can use are the
intersection of the repository's switches (Settings > General > Pull Requests: Allow merge
commits, Allow squash merging, Allow rebase merging) and the `allowed_merge_methods` of every
ruleset whose pull-request rule applies to the branch. For each production branch and
promotion branch (and the integration branch with `integration: true`) that set must be
exactly the option `allowed` (default `[merge]`): an extra method is a way around the policy,
a missing one makes the policy impossible to follow.

A ruleset's merge queue (`merge_queue` rule) decides how queued pull requests land: its
`merge_method` (MERGE, SQUASH or REBASE) is then the only method of that branch, whatever the
repository's switches allow.

A branch protection rule or ruleset that requires linear history refuses merge commits
outright, which contradicts a policy that requires them: that conflict is reported by the
name of the ruleset (or as the branch's classic protection). The repository switches are
only shown to tokens with push access; reading classic protection needs admin rights. What
cannot be read is "could not check", never a pass."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB})
    options_schema = options_object(
        allowed={
            "type": "array",
            "items": {"enum": list(METHODS)},
            "minItems": 1,
            "uniqueItems": True,
            "default": ["merge"],
            "description": "Merge methods the policy allows: merge, squash, rebase.",
        },
        integration={
            "type": "boolean",
            "default": False,
            "description": "Also check pull requests into the integration branch (the back-merge).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None:
            yield not_collected(self)
            return
        policy = ctx.policy
        wanted = frozenset(ctx.options["allowed"])
        settings = github.settings
        if isinstance(settings, CouldNotCheck):
            yield could_not(self, [settings])
            return
        if not settings.merge_settings_known:
            yield self.finding(
                f"could not check the merge methods of {github.repository}: GitHub did not include the "
                "repository's merge settings in its answer (the token needs push access to the repository)",
                kind=FindingKind.COULD_NOT_CHECK,
                hint="use a token with push access (fine-grained: 'Contents: write' or 'Administration: read')",
            )
            return
        promotion = promotion_patterns(policy)
        judged: list[tuple[str, _Verdict]] = []
        for branch in github.branches:
            name = branch.name
            if not (
                policy.is_production_name(name)
                or matches_any(promotion, name)
                or (ctx.options["integration"] and policy.is_integration_name(name))
            ):
                continue
            judged.append((name, self._verdict(settings, branch)))
        if not judged:
            return
        yield from self._methods(judged, settings, wanted)
        if "merge" in wanted:
            yield from self._linear(judged)
        unknown = [u for _, v in judged for u in v.unknown]
        if unknown:
            yield could_not(self, unknown)

    def _verdict(self, settings: RepoSettings, branch: BranchGitHubFact) -> _Verdict:
        verdict = _Verdict(frozenset(settings.merge_methods))
        if isinstance(branch.rules, CouldNotCheck):
            verdict.unknown.append(branch.rules)
        for rule in branch.rules_of_type("pull_request"):
            methods = rule.parameters.get("allowed_merge_methods")
            if isinstance(methods, list):
                limited = verdict.allowed & frozenset(str(m) for m in methods)
                if limited != verdict.allowed:
                    listed = words([_LABELS.get(str(m), str(m)) for m in methods]) or "nothing"
                    verdict.limits.append(f"{rule.ruleset_label} allows only {listed}")
                verdict.allowed = limited
        for rule in branch.rules_of_type("merge_queue"):
            method = str(rule.parameters.get("merge_method") or "MERGE").lower()  # GitHub's default: MERGE
            if method in METHODS:
                if verdict.allowed != frozenset({method}):
                    verdict.limits.append(
                        f"{rule.ruleset_label} requires a merge queue, which lands queued pull requests by "
                        f"{_LABELS[method]} only"
                    )
                verdict.allowed = frozenset({method})
        for rule in branch.rules_of_type("required_linear_history"):
            verdict.linear.append(rule.ruleset_label)
        protection = branch.protection
        if isinstance(protection, CouldNotCheck):
            if not branch.probe:
                verdict.unknown.append(protection)
        elif protection.protected and protection.required_linear_history:
            verdict.linear.append(f"the branch protection rule of {branch.name}")
        return verdict

    def _methods(
        self, judged: list[tuple[str, _Verdict]], settings: RepoSettings, wanted: frozenset[str]
    ) -> Iterator[Finding]:
        groups: dict[tuple[frozenset[str], frozenset[str], tuple[str, ...]], list[str]] = {}
        for name, verdict in judged:
            extra = verdict.allowed - wanted
            missing = wanted - verdict.allowed
            if extra or missing:
                groups.setdefault((extra, missing, tuple(verdict.limits)), []).append(name)
        wanted_text = words([_LABELS[m] for m in METHODS if m in wanted], "or")
        for (extra, missing, limits), names in groups.items():
            where = words(names)
            parts: list[str] = []
            if extra:
                switches = words([f"'{_SWITCHES[m]}'" for m in METHODS if m in extra])
                because = "; ".join(limits) if limits else "no ruleset limits the merge methods"
                parts.append(
                    f"{words([_LABELS[m] for m in METHODS if m in extra])} can be used for pull requests into "
                    f"{where} (the repository setting {switches} is on; {because})"
                )
            if missing:
                why = [
                    f"the repository setting '{_SWITCHES[m]}' is off"
                    for m in METHODS
                    if m in missing and m not in settings.merge_methods
                ]
                why += list(limits)
                parts.append(
                    f"{words([_LABELS[m] for m in METHODS if m in missing])} cannot be used for pull requests into "
                    f"{where} ({'; '.join(why)})"
                )
            yield self.finding(
                f"{'; '.join(parts)}: the policy allows only {wanted_text}",
                ref=names[0] if len(names) == 1 else None,
                hint=(
                    f"on GitHub, Settings > General > Pull Requests: allow only {wanted_text}; in rulesets, set "
                    "'Allowed merge methods' of 'Require a pull request before merging' to match"
                ),
                subjects=tuple(names),
            )

    def _linear(self, judged: list[tuple[str, _Verdict]]) -> Iterator[Finding]:
        by_source: dict[str, list[str]] = {}
        for name, verdict in judged:
            for source in verdict.linear:
                by_source.setdefault(source, []).append(name)
        for source, names in by_source.items():
            yield self.finding(
                f"conflict: {source} requires linear history on {words(names)}, which refuses merge commits, "
                "but the policy requires hotfixes to arrive by merge commit",
                ref=names[0] if len(names) == 1 else None,
                hint=f"turn off 'Require linear history' in {source}, or change the policy's merge method",
                subjects=tuple(names),
            )
