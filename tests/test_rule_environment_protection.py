"""Rule ``environment-protection``: the production environment exists, deploys only from the
policy's branches, and has required reviewers."""

from __future__ import annotations

from typing import Any

import pytest
from github_check import REPO, GitHub, Run, compliant, policy

RULE = "environment-protection"
PROMOTION_PATTERN = "prod/hotfix/{date}_{slug}"


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    keys.setdefault("promotion_branch", PROMOTION_PATTERN)
    return gh.check(policy=policy({RULE: setting}, **keys))


def environment(gh: GitHub, name: str = "production", **kwargs: Any) -> None:
    kwargs.setdefault("reviewers", ["dawid-ciarach-ext"])
    kwargs.setdefault("branch_patterns", ["main", "prod/hotfix/*"])
    gh.state.add_environment(REPO, name, **kwargs)


def test_a_guarded_environment_passes(gh: GitHub) -> None:
    """`prod/hotfix/*` in GitHub stands for the policy's `prod/hotfix/{date}_{slug}`."""
    compliant(gh.state)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything


def test_the_seed_process_with_environment_prod(gh: GitHub) -> None:
    compliant(gh.state, environment="prod")
    setting = {"severity": "error", "reviewers": ["dawid-ciarach-ext", "maximilian-kimmel-ext"]}
    run = check(gh, setting, deployed_ref={"strategy": "branch", "environment": "prod"})
    assert run.findings(RULE) == [], run.everything


def test_promotion_branches_as_production_lines(gh: GitHub) -> None:
    """The prod-hotfix pack's shape: production [main, prod/hotfix/**]; GitHub says prod/hotfix/*."""
    compliant(gh.state, environment="prod")
    keys: dict[str, Any] = {"production": ["main", "prod/hotfix/**"]}
    run = check(gh, deployed_ref={"strategy": "promotion-branch", "environment": "prod"}, **keys)
    assert run.findings(RULE) == [], run.everything


def test_missing_environment_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    run = check(gh, deployed_ref={"strategy": "branch", "environment": "prod"})
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation"
    assert "the deployment environment 'prod' does not exist on GitHub" in found["message"]
    assert run.status == 1


def test_any_branch_may_deploy(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, branch_patterns=None)
    (found,) = check(gh).violations(RULE)
    assert found["message"] == "any branch can deploy to 'production', not only 'main' or 'prod/hotfix/{date}_{slug}'"


def test_protected_branches_only_is_not_the_policy(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, branch_patterns=None, protected_branches=True)
    (found,) = check(gh).violations(RULE)
    assert "accepts deployments from every protected branch" in found["message"]


def test_an_extra_deployment_branch_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, branch_patterns=["main", "prod/hotfix/*", "release/*"])
    (found,) = check(gh).violations(RULE)
    assert "'production' accepts deployments from 'release/*', which the policy does not deploy from" in found[
        "message"
    ]


def test_a_missing_deployment_branch_is_a_warning(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, branch_patterns=["main"])
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["severity"] == "warning"
    assert "does not accept deployments from 'prod/hotfix/{date}_{slug}'" in found["message"]
    assert run.status == 0


def test_the_refs_option(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, branch_patterns=["main", "prod/hotfix/*", "release/*"])
    run = check(gh, {"severity": "error", "refs": ["main", "prod/hotfix/*", "release/*"]})
    assert run.findings(RULE) == []


def test_no_required_reviewer(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, reviewers=[])
    (found,) = check(gh).violations(RULE)
    assert found["message"] == (
        "'production' has no required reviewer, the policy asks for 1: a deployment needs nobody's approval"
    )


def test_too_few_and_the_wrong_reviewers(gh: GitHub) -> None:
    compliant(gh.state)
    setting = {"severity": "error", "min_reviewers": 3, "reviewers": ["maximilian-kimmel-ext", "release-managers"]}
    environment(gh, reviewers=["dawid-ciarach-ext"], reviewer_teams=["release-managers"])
    messages = sorted(f["message"] for f in check(gh, setting).violations(RULE))
    assert messages == [
        "'maximilian-kimmel-ext' is not among the required reviewers of 'production' "
        "('dawid-ciarach-ext' and 'release-managers')",
        "'production' has only 2 required reviewer(s), the policy asks for 3",
    ]


def test_prevent_self_review(gh: GitHub) -> None:
    compliant(gh.state)
    environment(gh, prevent_self_review=False)
    assert check(gh).findings(RULE) == [], "not asked for by default"
    (found,) = check(gh, {"severity": "error", "prevent_self_review": True}).violations(RULE)
    assert "'Prevent self-review' is off" in found["message"]


@pytest.mark.parametrize(
    "path",
    ["/repos/octo/app/environments/production", "/repos/octo/app/environments/production/deployment-branch-policies"],
)
def test_403_is_could_not_check(gh: GitHub, path: str) -> None:
    compliant(gh.state)
    gh.state.forbid(path)
    found = check(gh).findings(RULE)
    assert [f["kind"] for f in found] == ["could-not-check"]
    assert "actions: read" in found[0]["message"]
