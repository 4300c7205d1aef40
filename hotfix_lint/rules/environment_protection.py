"""Rule ``environment-protection``: the production environment is guarded on GitHub."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.github import Environment, github_fnmatch
from hotfix_lint.facts.kinds import GITHUB_DEPLOYMENTS
from hotfix_lint.policy.patterns import PatternError, compile_pattern
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.github_common import (
    compile_all,
    could_not,
    deploy_refs_option,
    deploy_source_kind,
    deploy_sources,
    github_globs,
    matches_any,
    not_collected,
    quoted,
    words,
)


class EnvironmentProtection(Rule):
    id = "environment-protection"
    summary = "The production environment exists, deploys only from the policy's branches, and needs reviewers."
    explanation = """\
A hotfix process that deploys through a GitHub environment (the policy's
`deployed_ref: {environment: NAME}`, default `production`) relies on three of its settings:
the environment exists; its deployment branches are limited ("Selected branches and tags") to
the refs the policy deploys from (option `refs`; by default the production branches, the
promotion branches and, with `deployed_ref: tag`, the release tags); and deployments wait for
required reviewers: at least `min_reviewers` (users or teams), including every login in
`reviewers` when that option is given, and with `prevent_self_review` when asked. On GitHub
one approval by any one of the required reviewers lets a deployment go on, so `min_reviewers`
counts the reviewers listed (who can approve), not approvals a deployment needs.

A pattern the environment accepts that the policy does not name is a violation; a ref the
policy deploys from that the environment does not accept is a warning (the process cannot be
followed). GitHub's patterns cannot say `{date}` or `{slug}`: a path segment with a
placeholder stands for `*` there: `v{version}` is written `v*` (never `*`), and a segment of
placeholders and separators only may be written `*`, so `prod/hotfix/*` stands for
`prod/hotfix/{date}_{slug}`. Patterns match as GitHub matches them (`File.fnmatch` with
`FNM_PATHNAME`: `*` does not cross `/`). Each deployment policy has a type: branch sources are
compared with branch policies, the release tag pattern (`deployed_ref: tag`) with tag policies
(a policy without a type is a branch policy).
"Protected branches only" is reported too: it lets any protected branch deploy. Reading
environments needs `Actions: read` (fine-grained token); what cannot be read is "could not
check", never a pass."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB_DEPLOYMENTS})
    opt_in = True
    options_schema = options_object(
        refs=deploy_refs_option("the environment may deploy from"),
        min_reviewers={
            "type": "integer",
            "minimum": 0,
            "default": 1,
            "description": "Required reviewers (users or teams) the environment must have.",
        },
        reviewers={
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": "Logins (or team slugs) that must be among the required reviewers.",
        },
        prevent_self_review={
            "type": "boolean",
            "default": False,
            "description": "Require 'Prevent self-review': whoever triggers a deployment cannot approve it.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None or github.environment_name is None:
            yield not_collected(self)
            return
        name = github.environment_name
        env = github.environment
        if isinstance(env, CouldNotCheck):
            yield could_not(self, [env], subject=name)
            return
        settings = f"on GitHub, Settings > Environments > {name}"
        if env is None:
            yield self.finding(
                f"the deployment environment {name!r} does not exist on GitHub: nothing limits which branch "
                "deploys to production, and no reviewer has to approve a deployment",
                hint=f"create the environment {name!r} (Settings > Environments), or name the right one in the "
                "policy: deployed_ref: {strategy: ..., environment: NAME}",
                subjects=(name,),
            )
            return
        yield from self._branches(env, ctx, settings)
        yield from self._reviewers(env, ctx, settings)

    def _branches(self, env: Environment, ctx: RuleContext, settings: str) -> Iterator[Finding]:
        sources = deploy_sources(ctx.policy, ctx.options["refs"])
        hint = f"{settings} > Deployment branches and tags: 'Selected branches and tags' with {words(quoted(sources))}"
        policy = env.branch_policy
        if policy is None:
            yield self.finding(
                f"any branch can deploy to {env.name!r}, not only {words(quoted(sources), 'or')}",
                hint=hint,
                subjects=(env.name,),
            )
            return
        if policy.protected_branches:
            yield self.finding(
                f"{env.name!r} accepts deployments from every protected branch, not only from "
                f"{words(quoted(sources), 'or')}",
                hint=hint,
                subjects=(env.name,),
            )
            return
        patterns = policy.patterns
        if isinstance(patterns, CouldNotCheck):
            yield could_not(self, [patterns], subject=env.name)
            return
        extra: list[str] = []
        missing: list[str] = []
        for kind in ("branch", "tag"):
            # branch sources are compared with branch policies, tag sources with tag policies
            own = [s for s in sources if deploy_source_kind(ctx.policy, s) == kind]
            names = [p.name for p in patterns if (p.type or "branch") == kind]
            own_allowed = compile_all(own, ctx.policy)
            globs = {g for s in own for g in github_globs(s)}
            extra += [
                _label(n, kind)
                for n in names
                if n not in own and n not in globs and (_is_glob(n) or not matches_any(own_allowed, n))
            ]
            missing += [
                s
                for s in own
                if s not in names
                and not any(g in names for g in github_globs(s))
                and not _accepted(_sample(s, ctx), names)
            ]
        if extra:
            yield self.finding(
                f"{env.name!r} accepts deployments from {words(quoted(extra))}, which the policy does not deploy "
                f"from (it deploys from {words(quoted(sources), 'or')})",
                hint=hint,
                subjects=(env.name,),
            )
        if missing:
            yield self.finding(
                f"{env.name!r} does not accept deployments from {words(quoted(missing))}, which the policy deploys "
                "from: the process cannot be followed",
                severity=Severity.WARNING,
                hint=hint,
                subjects=(env.name,),
            )

    def _reviewers(self, env: Environment, ctx: RuleContext, settings: str) -> Iterator[Finding]:
        minimum = int(ctx.options["min_reviewers"])
        count = len(env.reviewers) + len(env.reviewer_teams)
        hint = f"{settings} > Required reviewers"
        if count < minimum:
            have = "no required reviewer" if count == 0 else f"only {count} required reviewer(s)"
            effect = ": a deployment needs nobody's approval" if count == 0 else ""
            yield self.finding(
                f"{env.name!r} has {have}, the policy asks for {minimum}{effect}",
                hint=hint,
                subjects=(env.name,),
            )
        wanted = [str(r) for r in ctx.options["reviewers"]]
        absent = [r for r in wanted if r not in env.reviewers and r not in env.reviewer_teams]
        if absent:
            yield self.finding(
                f"{words(quoted(absent))} {'is' if len(absent) == 1 else 'are'} not among the required reviewers "
                f"of {env.name!r} ({words(quoted([*env.reviewers, *env.reviewer_teams])) or 'none'})",
                hint=hint,
                subjects=(env.name,),
            )
        if ctx.options["prevent_self_review"] and count and not env.prevent_self_review:
            yield self.finding(
                f"{env.name!r} lets whoever triggers a deployment approve it ('Prevent self-review' is off)",
                hint=f"{hint}: turn on 'Prevent self-review'",
                subjects=(env.name,),
            )


def _sample(source: str, ctx: RuleContext) -> str:
    """A branch named by ``source``: itself, or the pattern filled with sample values."""
    try:
        return compile_pattern(source, ctx.policy.ticket_pattern).example() or source
    except PatternError:
        return source


def _accepted(sample: str, env_patterns: list[str]) -> bool:
    """Does one of the environment's patterns accept a ref named like ``sample`` (a literal
    policy ref, or a pattern filled with sample values), as GitHub matches (``*`` stays within
    a path segment)?"""
    return any(github_fnmatch(p, sample) for p in env_patterns)


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")


def _label(name: str, kind: str) -> str:
    return name if kind == "branch" else f"tag {name}"
