"""Acceptance tests for ``back-merge``: the integration branch contains every hotfix.

The tool's "now" is the real clock: scenarios dated 2025 are long past any grace period,
and the "pending" case uses a clock set a few days before the real now. Whether develop is
retired is judged against the hotfixes that landed after it stopped moving, not against the
wall clock (every scenario here is old by the wall clock).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario import (
    Clock,
    Hotfix,
    Scenario,
    add_changelog_section,
    all_text,
    assert_clean,
    assert_only,
    build_gitflow,
    changelog_section,
    describe,
    land_hotfix,
    make_policy,
    rules_found,
    run_check,
    same_commit,
    violations,
)

from hotfix_lint.facts.history import HistoryFacts

ONLY = make_policy(only="back-merge")


def test_main_merged_into_develop_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge="main")
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)


def test_hotfix_branch_merged_into_develop_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge="branch")
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)


def test_back_merge_through_a_pull_request_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    s.checkout("develop")
    s.pr_merge(50, "acme", "hotfix/fix-crash")  # seed 2: a second PR of the same branch
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    assert_clean(status, report)


@pytest.mark.parametrize("back_merge", ["main", "cherry-pick", None])
def test_judged_the_same_since_a_revision(gitflow_repo: Scenario, back_merge: str | None) -> None:
    """``--since REV`` hides what that revision reaches: integration's history is then read by
    a walk of its own chain, not the commit-graph index, and judges alike."""
    s = gitflow_repo
    since = s.rev("main")
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=back_merge)
    status, report = run_check(s, "--since", since, policy=ONLY)
    if back_merge is None:
        assert_only(report, "back-merge", severity="error")
    else:
        assert_clean(status, report)


def test_not_merged_into_develop_is_an_error(gitflow_repo: Scenario) -> None:
    hotfix = land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    status, report = run_check(gitflow_repo, policy=make_policy())
    (v,) = assert_only(report, "back-merge", severity="error")
    assert same_commit(v["commit"], hotfix.merge or "", hotfix.tip), describe(report)
    assert status == 1


def test_not_merged_with_zero_grace_is_an_error(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    policy = make_policy(only="back-merge", rules={"back-merge": {"grace_days": 0}})
    status, report = run_check(gitflow_repo, policy=policy)
    (v,) = violations(report, "back-merge")
    assert v["severity"] == "error"
    assert status == 1


def test_recent_miss_is_pending(scenario: Callable[..., Scenario]) -> None:
    s = build_gitflow(scenario(clock=Clock.recent(days_ago=3)))
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "back-merge")
    assert v["severity"] == "warning", describe(report)
    assert "pending" in v["message"].lower(), describe(report)
    assert status == 0
    policy = make_policy(only="back-merge", rules={"back-merge": {"grace_days": 0}})
    status, report = run_check(s, policy=policy)
    (v,) = violations(report, "back-merge")
    assert v["severity"] == "error", describe(report)
    assert status == 1


def test_squash_into_develop_counts_with_form_any(gitflow_repo: Scenario) -> None:
    """Issue 13, item 5: a squash back-merge is a back-merge unless the process requires a merge."""
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge="squash", commits=2)
    status, report = run_check(gitflow_repo, policy=ONLY)
    assert_clean(status, report)


def _about(report: dict[str, object] | None, hotfix: Hotfix) -> list[dict[str, object]]:
    """The back-merge findings about ``hotfix`` (the git-flow history's own hotfix was back-merged
    by merging main, which ``form: merge`` reports too)."""
    return [v for v in violations(report, "back-merge") if same_commit(str(v["commit"]), hotfix.merge or "")]


def test_squash_into_develop_is_an_error_with_form_merge(gitflow_repo: Scenario) -> None:
    hotfix = land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge="squash", commits=2)
    status, report = run_check(gitflow_repo, policy=make_policy(rules={"back-merge": {"form": "merge"}}))
    (v,) = _about(report, hotfix)
    assert v["severity"] == "error", describe(report)
    assert "squash" in str(v["hint"]).lower(), describe(report)
    assert status == 1


@pytest.mark.parametrize(
    ("options", "counts"),
    [
        ({}, True),  # form: any
        ({"form": "merge"}, False),
        ({"form": "merge", "accept_cherry_picks": True}, True),
    ],
)
def test_cherry_picked_into_develop(gitflow_repo: Scenario, options: dict[str, object], counts: bool) -> None:
    hotfix = land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge="cherry-pick", commits=2)
    policy = make_policy(only="back-merge", rules={"back-merge": options})
    status, report = run_check(gitflow_repo, policy=policy)
    found = _about(report, hotfix)
    if counts:
        assert found == [], describe(report)
    else:
        (v,) = found
        assert v["severity"] == "error"
        assert "accept_cherry_picks" in str(v["hint"]), describe(report)
        assert status == 1


def test_partly_cherry_picked_is_not_enough(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None, commits=2)
    s.checkout("develop")
    s.cherry_pick(hotfix.commits[0], x=True)  # the second commit never reached develop
    s.checkout("main")
    policy = make_policy(only="back-merge", rules={"back-merge": {"accept_cherry_picks": True}})
    status, report = run_check(s, policy=policy)
    assert violations(report, "back-merge"), describe(report)
    assert status == 1


def _retire_develop(s: Scenario) -> list[str]:
    """develop stops moving; 200 days later three hotfixes land and none is back-merged."""
    s.clock.advance(days=200)
    merges = []
    for n, name in enumerate(("hotfix/fix-a", "hotfix/fix-b", "hotfix/fix-c")):
        merges.append(land_hotfix(s, name, version=f"1.0.{n + 2}", back_merge=None).merge or "")
        s.clock.advance(days=10)
    return merges


def test_retired_develop_is_one_finding(gitflow_repo: Scenario) -> None:
    _retire_develop(gitflow_repo)
    status, report = run_check(gitflow_repo, policy=ONLY)
    assert status == 1
    (v,) = violations(report, "back-merge")
    assert "has not moved since" in v["message"], describe(report)
    assert "develop" in v["message"], describe(report)


def test_retired_develop_declared_in_policy_is_silent(gitflow_repo: Scenario) -> None:
    _retire_develop(gitflow_repo)
    policy = make_policy(only="back-merge", integration={"branch": "develop", "retired_since": "2025-02-01"})
    status, report = run_check(gitflow_repo, policy=policy)
    assert violations(report, "back-merge", severity="error") == [], describe(report)
    assert status == 0


def test_integration_null_makes_the_rule_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    status, report = run_check(gitflow_repo, policy=make_policy(only="back-merge", integration=None))
    assert_clean(status, report)


def test_repository_without_develop_is_not_an_error(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit(
        "Initial commit",
        {"CHANGELOG.md": "# Changelog\n\n## [1.0.0] - 2025-01-01\n### Added\n- first\n"},
    )
    s.tag("v1.0.0")
    land_hotfix(s, "hotfix/fix-crash", version="1.0.1", integration=None)
    assert not s.exists("refs/heads/develop")
    status, report = run_check(s, policy=make_policy())
    assert rules_found(report, severity="error") == set(), describe(report)
    assert "develop" in all_text(report), "the report should say develop could not be found"
    assert status == 0


def test_back_merge_into_integration_with_another_name(scenario: Callable[..., Scenario]) -> None:
    """CompactConnect calls its integration branch 'development'."""
    s = scenario()
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n\n## [1.0.0] - 2025-01-01\n- first\n"})
    s.branch("development")
    done = land_hotfix(s, "hotfix/fix-authentication-timeout", version="1.0.1", integration="development")
    missed = land_hotfix(s, "hotfix/fix-session", version="1.0.2", integration="development", back_merge=None)
    policy = make_policy(only="back-merge", integration="development")
    status, report = run_check(s, policy=policy)
    (v,) = violations(report, "back-merge")
    assert same_commit(v["commit"], missed.merge or "", missed.tip), describe(report)
    assert not same_commit(v["commit"], done.merge or "", done.tip)
    assert status == 1


def test_back_merged_later_is_silent(gitflow_repo: Scenario) -> None:
    """A hotfix merged into develop only after other work landed there still counts."""
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    s.checkout("develop")
    s.branch("feature/later", checkout=True)
    s.commit("More work")
    s.checkout("develop")
    s.merge("feature/later")
    text = add_changelog_section(s.read("CHANGELOG.md"), changelog_section("1.1.0", "2025-02-01", ["x"]))
    s.commit("Start 1.1.0 notes", {"CHANGELOG.md": text})
    s.merge("main")
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


# -- judged at the time it was due (issue 13, item 5) ---------------------------------------------


def _history(s: Scenario, policy: dict[str, object]) -> HistoryFacts:
    """The history facts the collector builds for ``policy`` (to see how a back-merge was found)."""
    import pygit2
    import yaml

    from hotfix_lint.collect.git.history import HistoryCollector
    from hotfix_lint.collect.git.reader import GitReader
    from hotfix_lint.policy.loader import load_policy

    path = s.path.parent / "policy-under-test.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    return HistoryCollector(GitReader(pygit2.Repository(str(s.path)), load_policy(path))).history()


def _unrelated_work_then_merge_main(s: Scenario, days: int) -> str:
    """``days`` later, develop gets a feature and then, for its own reasons, main merged in."""
    s.clock.advance(days=days)
    s.checkout("develop")
    s.branch("feature/later", checkout=True)
    s.commit("More work")
    s.checkout("develop")
    s.merge("feature/later")
    merge = s.merge("main", message="Merge branch 'main' into develop (sync before the 1.1 release)")
    s.checkout("main")
    return merge


def test_back_merged_months_late_by_an_unrelated_merge_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    late = _unrelated_work_then_merge_main(s, days=60)
    assert s.is_ancestor(hotfix.tip, "develop")  # develop has it today, by ancestry
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "back-merge")
    assert v["severity"] == "error", describe(report)
    assert same_commit(v["commit"], hotfix.merge or ""), describe(report)
    assert "reached develop only on" in v["message"] and late[:10] in v["message"], describe(report)
    assert "nothing to repair now" in v["hint"], describe(report)
    assert status == 1


def test_back_merged_late_within_grace_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    _unrelated_work_then_merge_main(s, days=5)
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_squash_within_grace_then_covered_by_a_merge_of_main_is_a_squash_back_merge(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge="squash", commits=2)
    _unrelated_work_then_merge_main(s, days=60)
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)
    (found,) = [h for h in _history(s, ONLY).production[0].hotfixes if h.source == "hotfix/fix-crash"]
    assert [b.form for b in found.back_merges] == ["squash", "production"]
    assert found.back_merges[0].commit == hotfix.back_merge
    # the process that wants a merge of the branch: the squash came first, the merge of main is late
    status, report = run_check(s, policy=make_policy(rules={"back-merge": {"form": "merge"}}))
    (v,) = _about(report, hotfix)
    assert "squash" in v["message"], describe(report)


@pytest.mark.parametrize(("form", "fires"), [("any", False), ("merge", True)])
def test_merge_tag_into_develop(scenario: Callable[..., Scenario], form: str, fires: bool) -> None:
    """git-flow AVH finishes a hotfix with ``Merge tag '1.0.1' into develop``."""
    s = scenario()
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n\n## [1.0.0] - 2025-01-01\n- first\n"})
    s.tag("v1.0.0")
    s.branch("develop")
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.1", back_merge=None)
    s.checkout("develop")
    s.merge("v1.0.1")
    assert s.subject("develop") == "Merge tag 'v1.0.1' into develop"
    s.checkout("main")
    status, report = run_check(s, policy=make_policy(only="back-merge", rules={"back-merge": {"form": form}}))
    if not fires:
        assert_clean(status, report)
        return
    (v,) = violations(report, "back-merge")
    assert same_commit(v["commit"], hotfix.merge or ""), describe(report)
    assert "a merge of production (or its tag)" in v["message"], describe(report)
    assert "git merge --no-ff hotfix/fix-crash" in v["hint"], describe(report)
    assert status == 1


def test_hotfix_branch_merged_into_integration_counts_with_form_merge(scenario: Callable[..., Scenario]) -> None:
    """The main/development process: the same hotfix branch merged with a merge commit, before or after."""
    s = scenario()
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n\n## [1.0.0] - 2025-01-01\n- first\n"})
    s.branch("development")
    land_hotfix(s, "hotfix/fix-a", version="1.0.1", integration="development", back_merge="branch")
    early = land_hotfix(s, "hotfix/fix-b", version="1.0.2", integration="development", how="none", back_merge="branch")
    s.checkout("main")
    s.merge(early.branch)  # merged into development first, then into main
    policy = make_policy(only="back-merge", integration="development", rules={"back-merge": {"form": "merge"}})
    status, report = run_check(s, policy=policy)
    assert_clean(status, report)


def test_cherry_picked_without_x_counts(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None, commits=2)
    s.checkout("develop")
    for sha in hotfix.commits:
        s.cherry_pick(sha)
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_the_hotfixes_table_says_late_as_the_rule_does(gitflow_repo: Scenario, tmp_path: Path) -> None:
    """The table's back-merge column reads the back-merge as of when it was due, as the rule
    does: develop has the hotfix today, 60 days late, so the column says late, not yes."""
    import json

    from hotfix_lint.cli import main

    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    _unrelated_work_then_merge_main(s, days=60)
    land_hotfix(s, "hotfix/fix-two", version="1.0.3")  # back-merged at once
    out = tmp_path / "table.json"
    assert main(["hotfixes", "--repo", str(s.path), "--format", "json", "--output", str(out)]) == 0
    rows = {r["branch"]: r for r in json.loads(out.read_text())["hotfixes"]}
    assert rows["hotfix/fix-crash"]["back_merge"].startswith("late (develop"), rows["hotfix/fix-crash"]
    assert rows["hotfix/fix-two"]["back_merge"] == "yes (develop)", rows["hotfix/fix-two"]


@pytest.mark.parametrize(("days", "fires"), [(60, True), (3, False)])
def test_fast_forward_landing_is_judged_when_its_back_merge_was_due(
    gitflow_repo: Scenario, days: int, fires: bool
) -> None:
    """TheHive 4.1.23: main fast-forwarded to the hotfix branch; develop got it only with the
    next hotfix's back-merge, 53 days later. By ancestry develop has it today: it was late."""
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/ff-fix", version="1.0.2", how="ff", back_merge=None)
    late = _unrelated_work_then_merge_main(s, days=days)
    assert hotfix.merge == hotfix.tip and s.is_ancestor(hotfix.tip, "develop")
    status, report = run_check(s, policy=ONLY)
    if not fires:
        assert_clean(status, report)
        (row,) = [r for r in _table(s) if r["branch"] == "hotfix/ff-fix"]
        assert row["back_merge"] == "yes (develop)", row
        return
    (v,) = violations(report, "back-merge")
    assert v["severity"] == "error" and same_commit(v["commit"], hotfix.tip), describe(report)
    assert "fast-forward" in v["message"] and "reached develop only on" in v["message"], describe(report)
    assert f"{days} day(s) after it landed" in v["message"] and late[:10] in v["message"], describe(report)
    assert "nothing to repair now" in v["hint"], describe(report)
    assert status == 1
    (row,) = [r for r in _table(s) if r["branch"] == "hotfix/ff-fix"]
    assert row["back_merge"] == f"late (develop, {days}d after)", row


def _table(s: Scenario) -> list[dict[str, object]]:
    """The rows of ``hotfixes --format json``."""
    import json

    from hotfix_lint.cli import main

    out = s.path.parent / "table.json"
    assert main(["hotfixes", "--repo", str(s.path), "--format", "json", "--output", str(out)]) == 0
    rows: list[dict[str, object]] = json.loads(out.read_text())["hotfixes"]
    return rows


def _assert_copy_counts(s: Scenario, counts: bool) -> None:
    """From main: the copies on develop count as its back-merge, or back-merge reports it."""
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    if counts:
        assert_clean(status, report)
    else:
        assert violations(report, "back-merge"), describe(report)


@pytest.mark.parametrize(
    ("copies", "counts"),
    [
        (("first", "second"), True),  # each commit re-made by hand: its patch id matches
        (("both",), True),  # one commit with the hotfix's whole change: a squash by patch id
        (("first",), False),  # the second change never reached develop
    ],
)
def test_copied_by_patch_id_alone(gitflow_repo: Scenario, copies: tuple[str, ...], counts: bool) -> None:
    """A copy another author re-made (no ``-x``, another author and date): found by patch id
    among develop's commits that change the hotfix's paths, past one that changes some of them."""
    s = gitflow_repo
    hotfix = land_hotfix(s, version="1.0.2", back_merge=None, commits=2, changelog=False)
    first, second = (s.git("show", "--name-only", "--format=", sha).split() for sha in hotfix.commits)
    content = {
        path: s.read(path, rev)
        for paths, rev in ((first, hotfix.commits[0]), (second, hotfix.commits[1]))
        for path in paths
    }
    s.checkout("develop")
    other = "Someone Else <else@example.com>"
    s.clock.advance(hours=2)
    s.commit("Unrelated: touches one of the paths", {first[0]: "NOT THE FIX\n", "app/other.py": "x\n"}, author=other)
    s.commit("Unrelated: back as it was", {first[0]: None, "app/other.py": None}, author=other)
    for copy in copies:
        paths = {"first": first, "second": second, "both": first + second}[copy]
        s.commit(f"Re-made by hand: {copy}", {p: content[p] for p in paths}, author=other)
    _assert_copy_counts(s, counts)


@pytest.mark.parametrize(
    ("undone", "counts"),
    [
        (False, True),  # the topic's merge brought the copy: found among what it brought
        (True, False),  # the topic re-made the fix and undid it: develop never had the change
    ],
)
def test_copy_by_patch_id_inside_a_merged_topic(gitflow_repo: Scenario, undone: bool, counts: bool) -> None:
    """A copy by patch id that reaches develop inside a topic's merge, after a topic that
    changes none of the hotfix's paths: judged by what the merge changed on develop."""
    s = gitflow_repo
    hotfix = land_hotfix(s, version="1.0.2", back_merge=None, commits=1, changelog=False)
    paths = s.git("show", "--name-only", "--format=", hotfix.commits[0]).split()
    content = {path: s.read(path, hotfix.commits[0]) for path in paths}
    other = "Someone Else <else@example.com>"
    s.clock.advance(hours=2)
    for topic, files in (("feature/unrelated", {"app/other.py": "x\n"}), ("feature/copy", content)):
        s.checkout("develop")
        s.branch(topic, checkout=True)
        s.commit(f"Work on {topic}", files, author=other)
        if undone and topic == "feature/copy":
            before = s.git("ls-tree", "--name-only", "develop", "--", *paths).split()
            s.commit("Not yet", {p: s.read(p, "develop") if p in before else None for p in paths}, author=other)
        s.checkout("develop")
        s.merge(topic)
    _assert_copy_counts(s, counts)


def test_copies_of_hotfixes_with_overlapping_windows_are_each_found(gitflow_repo: Scenario) -> None:
    """Two hotfixes a day apart (their copy-search windows overlap and share the finder's
    memos), one cherry-picked and one squashed into develop: each is found by its own copy."""
    s = gitflow_repo
    picked = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge="cherry-pick", commits=2)
    s.clock.advance(days=1)
    squashed = land_hotfix(s, "hotfix/fix-leak", version="1.0.3", back_merge="squash", commits=2)
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)
    found = {h.source: h for h in _history(s, ONLY).production[0].hotfixes}
    assert [b.form for b in found["hotfix/fix-crash"].back_merges] == ["cherry-pick"]
    assert found["hotfix/fix-crash"].back_merges[0].commit == picked.back_merge
    assert found["hotfix/fix-crash"].cherry_picked_to_integration
    assert [b.form for b in found["hotfix/fix-leak"].back_merges] == ["squash"]
    assert found["hotfix/fix-leak"].squashed_into_integration == squashed.back_merge
