"""Rule ``deployment-source``: every deployment to the production environment came from a ref
the policy deploys from."""

from __future__ import annotations

from typing import Any

from github_check import PROMOTION, REPO, T0, GitHub, Run, compliant, policy

RULE = "deployment-source"
DAY = 86400


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    keys.setdefault("promotion_branch", "prod/hotfix/{date}_{slug}")
    return gh.check(policy=policy({RULE: setting}, **keys))


def deploy(gh: GitHub, ref: str, *, at: int, state: str = "success", environment: str = "production") -> int:
    return gh.state.add_deployment(REPO, environment=environment, ref=ref, created_at=at, statuses=[state])


def test_deployments_from_main_and_promotion_branches_pass(gh: GitHub) -> None:
    compliant(gh.state)
    deploy(gh, PROMOTION, at=T0 + DAY)
    deploy(gh, "main", at=T0 + 2 * DAY)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything


def test_a_deployment_from_a_feature_branch_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    number = deploy(gh, "feature/shiny", at=T0 + DAY, state="failure")
    deploy(gh, "main", at=T0 + 2 * DAY)
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation" and found["ref"] == "feature/shiny"
    assert found["message"] == (
        f"deployment {number} to 'production' on 2025-03-02 (failure) came from 'feature/shiny', not from "
        "'main' or 'prod/hotfix/{date}_{slug}'"
    )
    assert run.status == 1


def test_a_bare_commit_is_not_an_allowed_ref(gh: GitHub) -> None:
    compliant(gh.state)
    deploy(gh, "ab" * 20, at=T0 + DAY)
    (found,) = check(gh).violations(RULE)
    assert "came from the bare commit abababab" in found["message"]
    assert found["commit"] is not None


def test_other_environments_are_not_judged(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.add_environment(REPO, "staging")
    deploy(gh, "feature/shiny", at=T0 + DAY, environment="staging")
    assert check(gh).findings(RULE) == []


def test_the_environment_named_by_the_policy(gh: GitHub) -> None:
    compliant(gh.state, environment="prod")
    deploy(gh, "hotfix/not-yet-reviewed", at=T0 + DAY, environment="prod")
    run = check(gh, deployed_ref={"strategy": "branch", "environment": "prod"})
    (found,) = run.violations(RULE)
    assert "to 'prod'" in found["message"] and "'hotfix/not-yet-reviewed'" in found["message"]


def test_deployments_before_since_are_not_judged(gh: GitHub) -> None:
    compliant(gh.state)
    deploy(gh, "feature/old", at=T0 - 60 * DAY)
    assert check(gh, since="2025-02-01").findings(RULE) == []


def test_reads_on_past_the_last_success(gh: GitHub) -> None:
    """An old deployment from a feature branch, behind a newer successful one, is still found."""
    compliant(gh.state)
    deploy(gh, "feature/old", at=T0 - 2 * DAY)
    deploy(gh, "main", at=T0 + DAY)
    deploy(gh, "main", at=T0 + 2 * DAY)
    (found,) = check(gh).violations(RULE)
    assert "'feature/old'" in found["message"]


def test_the_refs_option(gh: GitHub) -> None:
    compliant(gh.state)
    deploy(gh, "v1.2.1", at=T0 + DAY)
    assert len(check(gh).violations(RULE)) == 1
    assert check(gh, {"severity": "error", "refs": ["main", "v{version}"]}).findings(RULE) == []


def test_deployments_unreadable_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/deployments")
    (found,) = check(gh).findings(RULE)
    assert found["kind"] == "could-not-check" and "deployments: read" in found["message"]
