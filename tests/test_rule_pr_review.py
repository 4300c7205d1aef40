"""Rule ``pr-review``: every hotfix pull request merged into production or a promotion branch
was approved by someone other than its author before it was merged."""

from __future__ import annotations

from typing import Any

from github_check import PROMOTION, REPO, T0, GitHub, Run, compliant, policy

RULE = "pr-review"


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    keys.setdefault("promotion_branch", "prod/hotfix/{date}_{slug}")
    return gh.check(policy=policy({RULE: setting}, **keys))


def pull(gh: GitHub, head: str, reviews: list[Any], *, base: str = "main", merged: int = T0 + 9000) -> int:
    return gh.state.add_pull(
        REPO, head=head, base=base, user="dev", created_at=merged - 5000, merged_at=merged, reviews=reviews
    )


def test_reviewed_hotfix_pull_requests_pass(gh: GitHub) -> None:
    compliant(gh.state)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything
    assert any(r.path == "/repos/octo/app/pulls/1/reviews" for r in gh.server.requests)


def test_self_approval_does_not_count(gh: GitHub) -> None:
    compliant(gh.state)
    number = pull(gh, "hotfix/urgent", [("dev", "APPROVED", T0 + 8000)])
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation" and found["ref"] == "hotfix/urgent"
    assert found["message"].startswith(
        f"pull request #{number} (hotfix/urgent into main, by dev, merged 2025-03-01) had no approving review "
        "from anyone but its author before it was merged"
    )
    assert run.status == 1


def test_an_approval_after_the_merge_does_not_count(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/late", [("reviewer", "APPROVED", T0 + 9500)])
    (found,) = check(gh).violations(RULE)
    assert "approved only after the merge by 'reviewer'" in found["message"]


def test_changes_requested_after_an_approval(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/reconsidered", [("reviewer", "APPROVED", T0 + 6000), ("reviewer", "CHANGES_REQUESTED", T0 + 7000)])
    (found,) = check(gh).violations(RULE)
    assert "hotfix/reconsidered" in found["message"]


def test_pull_requests_into_a_promotion_branch_are_hotfixes(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/work", [], base=PROMOTION)
    (found,) = check(gh).violations(RULE)
    assert f"hotfix/work into {PROMOTION}" in found["message"]


def test_release_and_integration_merges_are_not_hotfixes(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "develop", [])
    pull(gh, "release/1.4.0", [])
    run = check(gh)
    assert run.findings(RULE) == []
    reviewed = {r.path for r in gh.server.requests if r.path.endswith("/reviews")}
    assert reviewed == {"/repos/octo/app/pulls/1/reviews"}, "their reviews are not even read"


def test_min_approvals(gh: GitHub) -> None:
    compliant(gh.state)
    (found,) = check(gh, {"severity": "error", "min_approvals": 2}).violations(RULE)
    assert "only 1 approval(s) ('reviewer') of the 2 required" in found["message"]


def test_pull_requests_before_since_are_not_judged(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/ancient", [], merged=T0 - 90 * 86400)
    assert check(gh, since="2025-01-01").findings(RULE) == []
    assert len(check(gh).violations(RULE)) == 1


def test_a_waiver_by_branch(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/outage", [])
    waiver = {"rule": RULE, "branch": "hotfix/outage", "reason": "outage at 3 am, reviewed afterwards"}
    run = check(gh, exceptions=[waiver])
    (found,) = run.findings(RULE)
    assert found["waived"] and run.status == 0


def test_reviews_unreadable_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    pull(gh, "hotfix/urgent", [])
    gh.state.forbid("/repos/octo/app/pulls/*/reviews")
    found = check(gh).findings(RULE)
    assert [f["kind"] for f in found] == ["could-not-check"], "never a violation when reviews are unknown"
    assert "pull_requests: read" in found[0]["message"]


def test_pull_requests_unreadable_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/pulls")
    (found,) = check(gh).findings(RULE)
    assert found["kind"] == "could-not-check" and "pull_requests: read" in found["message"]
