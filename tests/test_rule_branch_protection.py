"""Rule ``branch-protection`` against the loopback GitHub: fires, stays silent, and answers
"could not check" (never a pass, never a violation) when the token cannot read protection."""

from __future__ import annotations

from typing import Any

import pytest
from github_check import REPO, TOKEN, GitHub, Run, compliant, policy
from github_server.state import MUST_HAVE_ADMIN, NOT_ACCESSIBLE_BY_INTEGRATION

RULE = "branch-protection"


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    return gh.check(policy=policy({RULE: setting}, **keys))


def pull_request(approvals: int) -> dict[str, Any]:
    return {"type": "pull_request", "parameters": {"required_approving_review_count": approvals}}


def test_protected_production_and_integration_pass(gh: GitHub) -> None:
    compliant(gh.state)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything
    assert run.status == 0
    assert run.report is not None and RULE in run.report["summary"]["rules_run"]
    paths = {r.path for r in gh.server.requests}
    assert {"/repos/octo/app/branches/main/protection", "/repos/octo/app/branches/develop/protection"} <= paths


def test_unprotected_integration_branch_is_a_violation(gh: GitHub) -> None:
    """GitHub's own 404 "Branch not protected", read with admin rights, means: not protected."""
    compliant(gh.state)
    gh.unprotect("develop")
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation" and found["severity"] == "error"
    assert found["ref"] == "develop"
    assert "develop (integration branch) is not protected on GitHub" in found["message"]
    assert "branch protection rule" in found["hint"]
    assert run.status == 1


def test_weak_protection_names_each_shortfall(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.protect_branch(
        REPO, "main", required_approving_review_count=0, allow_force_pushes=True, allow_deletions=True
    )
    run = check(gh)
    (found,) = run.violations(RULE)
    assert found["ref"] == "main"
    message = found["message"]
    assert message.startswith("main (production branch) ")
    assert "requires 0 approving review(s), the policy 1" in message
    assert "allows force pushes" in message and "allows deleting the branch" in message


def test_no_pull_request_required(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.protect_branch(REPO, "main", required_approving_review_count=None)
    run = check(gh)
    (found,) = run.violations(RULE)
    assert "does not require a pull request before merging" in found["message"]
    assert "approving review" not in found["message"], "no pull request: the approvals are not repeated"


def test_a_ruleset_protects_as_well_as_classic_protection(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("main")
    gh.unprotect("develop")
    gh.state.add_ruleset(
        REPO,
        "long-lived branches",
        include=["~DEFAULT_BRANCH", "refs/heads/develop"],
        rules=["deletion", "non_fast_forward", pull_request(2)],
    )
    run = check(gh)
    assert run.findings(RULE) == [], run.everything


def test_options_per_branch(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("develop")
    branches = {"develop": {"check": False}, "main": {"min_approvals": 2}}
    run = check(gh, {"severity": "error", "min_approvals": 1, "branches": branches})
    (found,) = run.violations(RULE)
    assert found["ref"] == "main"
    assert "requires 1 approving review(s), the policy 2" in found["message"]


def test_integration_can_be_left_out(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("develop")
    run = check(gh, {"severity": "error", "integration": False})
    assert run.findings(RULE) == []


def test_extra_branch_patterns(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.add_branch(REPO, "support/1.x")
    gh.repo.branch("support/1.x")
    run = check(gh, {"severity": "error", "branches": {"support/*": {}}})
    (found,) = run.violations(RULE)
    assert found["ref"] == "support/1.x"
    assert "support/1.x (branch matching 'support/*') is not protected" in found["message"]


def test_a_waiver_by_branch(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("develop")
    waiver = {"rule": RULE, "branch": "develop", "reason": "develop is rebuilt from main every sprint"}
    run = gh.check(policy=policy({RULE: "error"}, exceptions=[waiver]))
    (found,) = run.findings(RULE)
    assert found["waived"] is True and run.status == 0


@pytest.mark.parametrize("message", [NOT_ACCESSIBLE_BY_INTEGRATION, MUST_HAVE_ADMIN])
def test_403_is_could_not_check_naming_the_permission(gh: GitHub, message: str) -> None:
    compliant(gh.state)
    gh.unprotect("develop")  # would be a violation, but the token cannot see it
    gh.state.forbid("/repos/octo/app/branches/*/protection", message)
    run = check(gh)
    found = run.findings(RULE)
    assert {f["kind"] for f in found} == {"could-not-check"}, "never a pass, never a violation"
    assert {f["ref"] for f in found} == {"main", "develop"}
    for f in found:
        assert f["severity"] == "warning"
        assert "administration: read" in f["message"] and message in f["message"]
        assert "admin rights" in f["hint"]
    assert run.status == 0, "could-not-check is a warning by default"


def test_404_for_a_token_without_admin_rights_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.repo(REPO)["permissions"]["admin"] = False
    run = check(gh)
    found = run.findings(RULE)
    assert found and all(f["kind"] == "could-not-check" for f in found)
    assert "404 Not Found" in found[0]["message"] and "administration: read" in found[0]["message"]


def test_a_ruleset_answers_even_when_classic_protection_is_hidden(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.add_ruleset(REPO, "everything", include=["~ALL"], rules=["deletion", "non_fast_forward", pull_request(1)])
    gh.state.forbid("/repos/octo/app/branches/*/protection")
    run = check(gh)
    assert run.findings(RULE) == [], "the ruleset alone satisfies every requirement"


def test_a_shortfall_hidden_protection_might_cover_is_not_a_violation(gh: GitHub) -> None:
    """No ruleset blocks force pushes on main, and classic protection is hidden: it might, so
    the answer is could-not-check, not a violation."""
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/branches/*/protection")
    run = check(gh, {"severity": "error", "require_pull_request": False, "min_approvals": 0, "forbid_deletion": False})
    found = run.findings(RULE)
    assert {f["kind"] for f in found} == {"could-not-check"}


@pytest.mark.parametrize(("setting", "severity", "status"), [("error", "error", 1), ("off", None, 0)])
def test_could_not_check_has_its_own_severity(gh: GitHub, setting: str, severity: str | None, status: int) -> None:
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/branches/*/protection")
    run = check(gh, could_not_check=setting)
    found = run.findings(RULE)
    assert [f["severity"] for f in found] == ([severity] * 2 if severity else [])
    assert run.status == status
    assert TOKEN not in run.everything


def test_could_not_check_never_exceeds_the_rule_severity(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/branches/*/protection")
    run = check(gh, "warning", could_not_check="error")
    assert {f["severity"] for f in run.findings(RULE)} == {"warning"}
    assert run.status == 0
