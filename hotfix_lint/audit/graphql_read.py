"""Read the organisation's GitHub settings through GraphQL before the repositories are
audited, many repositories a query (``--github-api graphql``, ``collect.github.graphql``).

Which branches and bases to ask for comes from the organisation's policy alone (its literal
branch names: ``main``, ``develop``), before any repository is cloned; a repository whose check
reads something else (its own policy, a branch pattern, another environment, bypass actors) is
read through REST as before; the policy's deployment environment and its latest deployments are
read with the rest (the environment's settings then through REST alone). The answers are handed
to each repository's check in the settings (forked workers inherit them), so a warm audit asks
GitHub nothing per repository (but an existing environment's settings).

A repository named on the command line or in ``--repos FILE`` (no listing describes it) is read
the same way: the answer says what the listing would have (:func:`named_info`: its name,
archived state, ``pushedAt``, default branch, clone URL), so the audit asks REST nothing of it
either; an archived one is read too (its answer says it is archived: it is then skipped as REST
would skip it), one GraphQL does not find is left to REST, which reports it as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotfix_lint.audit.selection import Target
    from hotfix_lint.audit.settings import AuditSettings
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.graphql import RepoAnswer, RepoWant
    from hotfix_lint.collect.github.graphql_facts import DeploymentRead
    from hotfix_lint.collect.github.org import RepositoryInfo


def wanted_reads(targets: Sequence[Target], settings: AuditSettings) -> list[RepoWant]:
    """What to ask GraphQL of each repository, listed or named (none when the rules need more
    than it holds); a listed archived one is not asked for unless ``--include-archived``."""
    from hotfix_lint.collect.github.graphql import RepoWant
    from hotfix_lint.collect.github_plan import GRAPHQL_KINDS, MAX_DEPLOYMENTS, plan_branches, wanted_kinds
    from hotfix_lint.engine import required_kinds, select_rules
    from hotfix_lint.facts.kinds import GITHUB_DEPLOYMENTS
    from hotfix_lint.policy.cache import POLICY_FILE_NAMES

    policy = settings.org_policy.policy.era_now(settings.now)
    kinds = wanted_kinds(policy, required_kinds(select_rules(policy, settings.rules)))
    if not kinds or not kinds <= GRAPHQL_KINDS:
        return []
    plan = plan_branches(policy, {}, kinds)  # the literal names: patterns need the clone
    # the environment and as many deployments as a check reads at most (``plan.read_github``)
    environment = (policy.deployed_environment or None) if GITHUB_DEPLOYMENTS in kinds else None
    wants: list[RepoWant] = []
    for target in targets:
        info = target.info
        if info is not None and info.archived and not settings.include_archived:
            continue
        files = POLICY_FILE_NAMES if settings.use_repo_policy else ()
        wants.append(
            RepoWant(
                info.full_name if info is not None else target.full_name,
                plan.branches,
                plan.pull_bases,
                files,
                environment=environment,
                deployments=MAX_DEPLOYMENTS if environment else 0,
            )
        )
    return wants


def read_ahead(targets: Sequence[Target], settings: AuditSettings, meter: ApiMeter | None) -> Mapping[str, RepoAnswer]:
    """GraphQL's answers for the targets (by lower-case full name); empty when none applies."""
    from hotfix_lint.collect.github.graphql import read_repositories
    from hotfix_lint.collect.github.graphql_facts import facts_of

    wants = wanted_reads(targets, settings)
    if not wants or not settings.token:
        return {}
    answers = read_repositories(settings.api_url, settings.token, wants, budget=settings.budget, meter=meter)
    # one GraphQL cannot answer like REST (no admin rights, a missing branch...) is left out: the
    # REST path reads it, and keeps its facts while its answers hold
    # (deployments: the longest walk a check makes, which may still stop short of a check's `since`)
    return {
        name: a
        for name, a in answers.items()
        if facts_of(a, a.want.branches, a.want.bases, None, _deployment_read(a.want)) is not None
    }


def _deployment_read(want: RepoWant) -> DeploymentRead | None:
    from hotfix_lint.collect.github.graphql_facts import DeploymentRead

    return DeploymentRead(want.environment, want.deployments) if want.environment else None


def policy_file(answers: Mapping[str, RepoAnswer] | None, full_name: str) -> tuple[bool, tuple[str, str] | None]:
    """(True, the repository's policy file or None) when GraphQL's answer read it; (False, None):
    read it through REST."""
    answer = (answers or {}).get(full_name.lower())
    if answer is None or not answer.want.files:
        return False, None
    try:
        return True, answer.root_file()
    except ValueError:
        return False, None


def named_info(answers: Mapping[str, RepoAnswer] | None, full_name: str) -> RepositoryInfo | None:
    """The repository as a listing would describe it, made of GraphQL's answer (REST's
    ``GET /repos/{owner}/{name}`` then need not be asked); None when there is no answer or it
    cannot say it as REST does (renamed, empty, no URL): REST reads it."""
    from hotfix_lint.collect.github.org import RepositoryInfo

    answer = (answers or {}).get(full_name.lower())
    if answer is None:
        return None
    data = answer.data
    name, url, default = data.get("nameWithOwner"), data.get("url"), data.get("defaultBranchRef")
    if not isinstance(name, str) or name.lower() != full_name.lower() or not isinstance(url, str) or not url:
        return None
    if not isinstance(default, Mapping) or not isinstance(default.get("name"), str):
        return None  # empty: REST says which default branch it has
    pushed = data.get("pushedAt")
    return RepositoryInfo(
        full_name=name,
        clone_url=url.rstrip("/") + ".git",  # GitHub's clone_url is its web address and .git
        default_branch=str(default["name"]),
        archived=data.get("isArchived") is True,
        pushed_at=str(pushed) if pushed else None,
        private=data.get("isPrivate") is True,
    )
