"""Rule ``merge-methods``: the merge methods GitHub allows (repository switches intersected with
every applicable ruleset) are exactly the policy's; linear history is a named conflict."""

from __future__ import annotations

from typing import Any

from github_check import PROMOTION, REPO, GitHub, Run, compliant, policy

RULE = "merge-methods"


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    keys.setdefault("promotion_branch", "prod/hotfix/{date}_{slug}")
    return gh.check(policy=policy({RULE: setting}, **keys))


def settings(gh: GitHub, **values: bool) -> None:
    gh.state.repo(REPO)["settings"].update(values)


def test_merge_commits_only_passes(gh: GitHub) -> None:
    compliant(gh.state)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything


def test_squash_enabled_in_the_repository_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    settings(gh, allow_squash_merge=True)
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation" and found["ref"] == "main"
    assert found["message"] == (
        "squash merges can be used for pull requests into main (the repository setting 'Allow squash merging' is "
        "on; no ruleset limits the merge methods): the policy allows only merge commits"
    )
    assert "Allow squash merging" in found["message"] and "Pull Requests" in found["hint"]


def test_a_ruleset_that_limits_the_methods_closes_the_gap(gh: GitHub) -> None:
    """The promotion branch's ruleset allows only merge commits, so squash stays out there."""
    compliant(gh.state)
    settings(gh, allow_squash_merge=True, allow_rebase_merge=True)
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["ref"] == "main", "prod/hotfix/* is covered by its ruleset"
    assert "squash merges and rebase merges can be used for pull requests into main" in found["message"]


def test_a_ruleset_that_forbids_merge_commits_makes_the_policy_impossible(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.add_ruleset(
        REPO,
        "squash only",
        include=["~DEFAULT_BRANCH"],
        rules=[{"type": "pull_request", "parameters": {"allowed_merge_methods": ["squash"]}}],
    )
    (found,) = check(gh).violations(RULE)
    assert found["message"] == (
        "merge commits cannot be used for pull requests into main (ruleset 'squash only' allows only squash "
        "merges): the policy allows only merge commits"
    )


def test_merge_commits_switched_off(gh: GitHub) -> None:
    compliant(gh.state)
    settings(gh, allow_merge_commit=False, allow_squash_merge=True)
    found = check(gh).violations(RULE)
    messages = " | ".join(f["message"] for f in found)
    assert "the repository setting 'Allow merge commits' is off" in messages
    assert {s for f in found for s in [f["ref"]]} >= {"main"}


def test_linear_history_in_classic_protection_is_a_named_conflict(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.protect_branch(REPO, "main", required_linear_history=True)
    (found,) = check(gh).violations(RULE)
    assert found["message"].startswith("conflict: the branch protection rule of main requires linear history on main")
    assert "Require linear history" in found["hint"]


def test_linear_history_in_a_ruleset_is_named_by_the_ruleset(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.add_ruleset(REPO, "tidy history", include=["refs/heads/prod/hotfix/**"], rules=["required_linear_history"])
    (found,) = check(gh).violations(RULE)
    assert found["message"].startswith(f"conflict: ruleset 'tidy history' requires linear history on {PROMOTION}")


def test_a_squash_policy_is_satisfied_by_a_squash_repository(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.repo(REPO)["rulesets"].clear()
    settings(gh, allow_merge_commit=False, allow_squash_merge=True)
    gh.state.protect_branch(REPO, "main", required_linear_history=True)
    run = check(gh, {"severity": "error", "allowed": ["squash"]})
    assert run.findings(RULE) == [], "no conflict: the policy does not want merge commits"


def test_merge_settings_hidden_from_the_token_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    for key in ("allow_merge_commit", "allow_squash_merge", "allow_rebase_merge"):
        gh.state.repo(REPO)["settings"].pop(key)
    (found,) = check(gh).findings(RULE)
    assert found["kind"] == "could-not-check"
    assert "push access" in found["message"]


def test_rulesets_unreadable_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.forbid("/repos/octo/app/rules/branches/*")
    found = check(gh).findings(RULE)
    assert [f["kind"] for f in found] == ["could-not-check"]
    assert "metadata: read" in found[0]["message"]
