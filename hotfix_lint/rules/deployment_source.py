"""Rule ``deployment-source``: every production deployment came from a ref the policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.kinds import GITHUB_DEPLOYMENTS
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import day
from hotfix_lint.rules.github_common import (
    compile_all,
    could_not,
    deploy_refs_option,
    deploy_sources,
    is_sha,
    matches_any,
    not_collected,
    quoted,
    short_ref,
    since_time,
    words,
)


class DeploymentSource(Rule):
    id = "deployment-source"
    summary = "Every deployment to the production environment came from a ref the policy allows."
    explanation = """\
What runs in production must have come through the process: every deployment GitHub recorded
for the production environment (the policy's `deployed_ref: {environment: NAME}`, default
`production`) must name a ref the policy deploys from: option `refs`, by default the
production branches, the promotion branches and, with `deployed_ref: tag`, the release tags.
A deployment of a feature branch, of a hotfix branch before its review, or of a bare commit
sha is a violation, whatever its outcome (a failed attempt still shows the door was open).

Deployments are read newest first, back to the policy's `since` date when it is one, at most
a bounded number (the report says when the list was cut). Reading deployments needs
`Deployments: read`; what cannot be read is "could not check", never a pass."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB_DEPLOYMENTS})
    opt_in = True
    options_schema = options_object(
        refs=deploy_refs_option("deployments may come from"),
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None or github.environment_name is None:
            yield not_collected(self)
            return
        deployments = github.deployments
        if isinstance(deployments, CouldNotCheck):
            yield could_not(self, [deployments], subject=github.environment_name)
            return
        sources = deploy_sources(ctx.policy, ctx.options["refs"])
        allowed = compile_all(sources, ctx.policy)
        since = since_time(ctx.policy)
        for deployment in deployments:
            if since is not None and deployment.created_at < since:
                continue
            ref = short_ref(deployment.ref)
            if not is_sha(ref) and matches_any(allowed, ref):
                continue
            known = not isinstance(deployment.state, CouldNotCheck)
            state = (deployment.state or "no status") if known else "state unknown"
            what = f"the bare commit {ref[:10]}" if is_sha(ref) else repr(ref)
            yield self.finding(
                f"deployment {deployment.id} to {deployment.environment!r} on {day(deployment.created_at)} "
                f"({state}) came from {what}, not from {words(quoted(sources), 'or')}",
                ref=None if is_sha(ref) else ref,
                commit=deployment.sha,
                hint=(
                    f"deploy only from {words(quoted(sources), 'or')}; limit the environment's deployment branches "
                    "(Settings > Environments > Deployment branches and tags) so GitHub refuses the others"
                ),
                subjects=(str(deployment.id), deployment.sha, ref),
            )
