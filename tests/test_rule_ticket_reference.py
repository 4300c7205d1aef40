"""``ticket-reference``: every commit of a hotfix names its ticket (and matches the subject pattern)."""

from __future__ import annotations

from typing import Any

import pytest
from scenario import (
    BASE_POLICY,
    RULE_IDS,
    Scenario,
    assert_clean,
    assert_only,
    describe,
    land_hotfix,
    run_check,
    same_commit,
    violations,
)

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.commit_message import PendingMessageFact, strip_comments, view_message
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import FindingKind
from hotfix_lint.rules.base import RuleContext
from hotfix_lint.rules.ticket_reference import TicketReference

RULE = "ticket-reference"
TICKET = r"ABC-\d+"


def policy(options: dict[str, Any] | None = None, *, others: str = "off", **keys: Any) -> dict[str, Any]:
    """Only ticket-reference on (the five core rules ``others``), with ``options``."""
    data = {**BASE_POLICY, "ticket_pattern": TICKET, **keys}
    data["rules"] = {rid: others for rid in RULE_IDS}
    data["rules"][RULE] = {"severity": "error", **(options or {})}
    return data


def pending(text: str, branch: str | None = "hotfix/x", **options: Any) -> list[str]:
    """Messages of the findings on a pending commit message."""
    rule = TicketReference()
    opts = {**rule.option_defaults(), **options}
    ctx = RuleContext(Policy(source="t", ticket_pattern=TICKET), opts, now=0)
    facts = RepositoryFacts(repository="r", now=0, message=PendingMessageFact(text, branch))
    return [f.message for f in rule.check(facts, ctx)]


# -- message reading --------------------------------------------------------------------------


def test_view_message_kinds() -> None:
    assert view_message("Fix: a (ABC-1)").kind == "plain"
    assert view_message("Merge branch 'hotfix/x'").kind == "merge"
    assert view_message("Merge pull request #4 from acme/hotfix/x\n\nFix a").kind == "merge"
    assert view_message("anything", is_merge=True).kind == "merge"
    assert view_message("Merge branch 'x'", is_merge=False).kind == "plain"
    fix = view_message("fixup! fixup! Fix: a (ABC-1)\n\nmore")
    assert (fix.kind, fix.subject, fix.text) == ("fixup", "Fix: a (ABC-1)", "Fix: a (ABC-1)")
    squash = view_message("squash! Fix: a\n\nABC-9 details")
    assert squash.kind == "squash" and "ABC-9" in squash.text
    amend = view_message("amend! Fix: a\n\nFix: better words (ABC-2)\n\nbody")
    assert (amend.kind, amend.subject) == ("amend", "Fix: better words (ABC-2)")
    revert = view_message('Revert "Revert "Fix: a (ABC-1)""\n\nThis reverts commit 0123.')
    assert (revert.kind, revert.subject) == ("revert", "Fix: a (ABC-1)")
    assert view_message('Reapply "Fix: a"').subject == "Fix: a"
    assert view_message("  \n").kind == "empty"


def test_strip_comments_drops_comment_lines_and_the_verbose_diff() -> None:
    text = "Fix: a (ABC-1)\n# Please enter the commit message\n\nbody\n"
    text += "# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n+ABC-2\n"
    assert strip_comments(text) == "Fix: a (ABC-1)\n\nbody"


# -- a pending message (the commit-msg hook) ---------------------------------------------------


def test_pending_message_with_ticket_passes() -> None:
    assert pending("Fix: login (ABC-12)") == []


def test_pending_message_without_ticket_fires() -> None:
    (message,) = pending("Fix: login")
    assert "names no ticket" in message and "hotfix/x" in message


def test_pending_ticket_only_in_a_comment_does_not_count() -> None:
    assert pending("Fix: login\n# ABC-12 is in a comment\n")


def test_pending_ticket_in_body_counts_unless_ticket_in_subject() -> None:
    assert pending("Fix: login\n\nRefs ABC-12") == []
    (message,) = pending("Fix: login\n\nRefs ABC-12", ticket_in="subject")
    assert "in its subject" in message


def test_pending_subject_pattern() -> None:
    assert pending("Fix: login (ABC-1)", subject_pattern="^Fix: ") == []
    (message,) = pending("fixed login (ABC-1)", subject_pattern="^Fix: ")
    assert "does not match ^Fix: " in message
    assert pending("Fix: login (ABC-1)", subject_pattern=r"^Fix: .+ \({ticket}\)$") == []
    assert pending("Fix: login ABC-1", subject_pattern=r"^Fix: .+ \({ticket}\)$")


def test_pending_merge_message_skipped_by_default_checked_on_request() -> None:
    assert pending("Merge branch 'main' into hotfix/x") == []
    (message,) = pending("Merge branch 'main' into hotfix/x", merges="check")
    assert "is a merge" in message
    assert pending("Merge branch 'hotfix/abc-12' into main", merges="check", subject_pattern="^Fix") == [
        "the commit message for branch hotfix/x ('Merge branch 'hotfix/abc-12' into main') is a merge that "
        "names no ticket matching ABC-\\d+"
    ]
    assert pending("Merge pull request #3 from acme/hotfix/x\n\nFix (ABC-3)", merges="check") == []


def test_pending_fixup_is_judged_by_the_subject_it_folds_into() -> None:
    assert pending("fixup! Fix: login (ABC-12)", subject_pattern="^Fix: ") == []
    (message,) = pending("fixup! Fix: login", subject_pattern="^Fix: ")
    assert "fixup!" in message and "names no ticket" in message


def test_pending_amend_is_judged_by_its_new_message() -> None:
    assert pending("amend! Fix: login\n\nFix: login timeout (ABC-12)") == []
    assert pending("amend! Fix: login (ABC-12)\n\nFix: login timeout")


def test_pending_revert_is_judged_by_the_reverted_subject() -> None:
    text = 'Revert "Fix: login (ABC-12)"\n\nThis reverts commit 0123456789abcdef.'
    assert pending(text, subject_pattern="^Fix: ") == []
    assert pending('Revert "Fix: login"\n\nThis reverts commit 0123456789abcdef.')


def test_pending_empty_message_is_left_to_git() -> None:
    assert pending("# only comments\n") == []


def test_pending_message_on_a_branch_that_is_not_a_hotfix_branch_is_not_judged() -> None:
    assert pending("wip", branch="feature/search") == []
    assert pending("wip", branch=None)  # detached HEAD: judged


def test_without_ticket_pattern_or_subject_pattern_it_cannot_check() -> None:
    rule = TicketReference()
    ctx = RuleContext(Policy(source="t"), rule.option_defaults(), now=0)
    (finding,) = rule.check(RepositoryFacts(repository="r", now=0), ctx)
    assert finding.kind is FindingKind.COULD_NOT_CHECK


# -- history ----------------------------------------------------------------------------------


def test_compliant_hotfix_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, ticket="ABC-124")
    assert_clean(*run_check(gitflow_repo, policy=policy({"subject_pattern": "^Fix: "})))


def test_commit_without_ticket_fires_on_that_commit(gitflow_repo: Scenario) -> None:
    made = land_hotfix(gitflow_repo, ticket=None)
    status, report = run_check(gitflow_repo, policy=policy())
    (v,) = assert_only(report, RULE, severity="error")
    assert same_commit(v["commit"], made.tip), describe(report)
    assert "hotfix/fix-crash" in v["message"] and "exceptions" in v["hint"]
    assert status == 1


def test_only_commits_without_ticket_fire(gitflow_repo: Scenario) -> None:
    # the second commit's subject ("Fix: crash, part 2") names no ticket
    made = land_hotfix(gitflow_repo, ticket="ABC-124", commits=2)
    _, report = run_check(gitflow_repo, policy=policy())
    (v,) = violations(report, RULE)
    assert same_commit(v["commit"], made.commits[1]), describe(report)


def test_subject_pattern_in_history(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, ticket="ABC-124")
    gitflow_repo.checkout("main")
    gitflow_repo.branch("hotfix/second", checkout=True)
    bad = gitflow_repo.commit("repair the crash (ABC-125)")
    gitflow_repo.checkout("main")
    gitflow_repo.merge("hotfix/second")
    _, report = run_check(gitflow_repo, policy=policy({"subject_pattern": "^Fix: "}))
    (v,) = assert_only(report, RULE)
    assert same_commit(v["commit"], bad) and "does not match ^Fix: " in v["message"]


def test_merges_of_main_into_the_hotfix_branch_follow_the_merges_option(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/long-one", checkout=True)
    s.commit("Fix: first part (ABC-130)")
    s.checkout("main")
    s.branch("hotfix/other", checkout=True)
    s.commit("Fix: other (ABC-131)")
    s.checkout("main")
    s.merge("hotfix/other")
    s.checkout("hotfix/long-one")
    catch_up = s.merge("main")  # "Merge branch 'main' into hotfix/long-one": no ticket
    s.checkout("main")
    landing = s.merge("hotfix/long-one")  # "Merge branch 'hotfix/long-one'": no ticket
    assert_clean(*run_check(s, policy=policy()))
    _, report = run_check(s, policy=policy({"merges": "check"}))
    found = violations(report, RULE)
    assert {v["commit"][:12] for v in found} >= {catch_up[:12], landing[:12]}, describe(report)
    assert all("is a merge" in v["message"] for v in found), describe(report)


def test_merge_check_accepts_a_pull_request_title_with_the_ticket(gitflow_repo: Scenario) -> None:
    # the first hotfix's "Merge branch 'hotfix/fix-login-timeout'" and this PR (title "Fix: fix crash")
    land_hotfix(gitflow_repo, ticket="ABC-124", how="pr")
    _, report = run_check(gitflow_repo, policy=policy({"merges": "check"}))
    assert len(violations(report, RULE)) == 2, describe(report)
    s = gitflow_repo
    s.branch("hotfix/titled", checkout=True)
    s.commit("Fix: titled (ABC-140)")
    s.checkout("main")
    s.pr_merge(43, "acme", "hotfix/titled", title="Fix: titled (ABC-140)")
    _, report = run_check(s, policy=policy({"merges": "check"}))
    assert len(violations(report, RULE)) == 2, describe(report)  # the titled PR passes


def test_fixup_left_in_history_is_judged_by_its_target(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/with-fixup", checkout=True)
    s.commit("Fix: crash (ABC-150)")
    s.commit("fixup! Fix: crash (ABC-150)")
    s.checkout("main")
    s.merge("hotfix/with-fixup")
    assert_clean(*run_check(s, policy=policy({"subject_pattern": "^Fix: "})))


def test_revert_in_a_hotfix_is_judged_by_the_reverted_subject(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/revert-it", checkout=True)
    s.revert(s.marks["hotfix_fix"])  # Revert "Fix: login timeout (ABC-123)"
    s.checkout("main")
    s.merge("hotfix/revert-it")
    assert_clean(*run_check(s, policy=policy({"subject_pattern": "^Fix: "})))


def test_commits_carried_from_the_integration_branch_are_left_to_hotfix_base(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/from-develop", "develop", checkout=True)
    s.commit("Fix: crash (ABC-160)")
    s.checkout("main")
    s.merge("hotfix/from-develop")
    _, report = run_check(s, policy=policy())
    assert violations(report, RULE) == [], describe(report)
    _, report = run_check(s, policy=policy(others="error"))
    assert "hotfix-base" in {v["rule"] for v in violations(report)}


def test_branch_under_check(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/pending", checkout=True)
    s.commit("Fix: pending (ABC-170)")
    bad = s.commit("more work")
    s.checkout("main")
    _, report = run_check(s, "--branch", "hotfix/pending", policy=policy())
    (v,) = assert_only(report, RULE)
    assert same_commit(v["commit"], bad) and "git commit --amend" in v["hint"]


def test_waiver_by_commit(gitflow_repo: Scenario) -> None:
    made = land_hotfix(gitflow_repo, ticket=None)
    data = policy()
    data["exceptions"] = [{"rule": RULE, "commit": made.tip[:10], "reason": "ticket lost in migration"}]
    status, report = run_check(gitflow_repo, policy=data)
    assert violations(report) == [] and len(violations(report, waived=True)) == 1, describe(report)
    assert status == 0


def test_not_run_unless_the_policy_names_it(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, ticket=None)
    data = policy()
    del data["rules"][RULE]
    _, report = run_check(gitflow_repo, policy=data)
    assert report is not None and RULE not in report["summary"]["rules_run"]
    _, report = run_check(gitflow_repo, "--rule", RULE, policy=data)
    assert len(violations(report, RULE)) == 1, describe(report)


@pytest.mark.parametrize("value", ["(unclosed", ""])
def test_bad_subject_pattern_is_a_policy_error(
    gitflow_repo: Scenario, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_check(gitflow_repo, policy=policy({"subject_pattern": value}))
    assert status == 2 and report is None
    assert "rules.ticket-reference.subject_pattern" in capsys.readouterr().err
