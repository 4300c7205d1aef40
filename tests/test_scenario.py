"""The scenario builder itself: deterministic, and each verb does what git would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from scenario import (
    EPOCH,
    GITHUB_IDENTITY,
    Clock,
    GitError,
    Scenario,
    build_gitflow,
    land_hotfix,
    make_policy,
    parse_identity,
)

Factory = Callable[..., Scenario]


def _script(s: Scenario) -> None:
    build_gitflow(s)
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    s.branch("topic", checkout=True)
    s.commit("one")
    s.commit("two")
    s.checkout("main")
    s.rebase_merge("topic")
    land_hotfix(s, "hotfix/squashed", version="1.0.3", how="squash", back_merge="squash")
    land_hotfix(s, "hotfix/picked", version="1.0.4", how="pr", back_merge="cherry-pick")
    s.branch("feature/late", "develop", checkout=True)
    late = s.commit("late feature")
    s.checkout("main")
    s.cherry_pick(late, x=True)
    s.revert("HEAD")
    s.tag("v9.9.9", message="Release 9.9.9")


def test_same_script_gives_same_ids(scenario: Factory) -> None:
    first, second = scenario("a"), scenario("b")
    _script(first)
    _script(second)
    assert first.refs() == second.refs()
    assert first.rev("main") == second.rev("main")


def test_ids_do_not_depend_on_the_environment(scenario: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    first = scenario("a")
    first.commit("hello", {"a.txt": "a\n"})
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Somebody Else")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2001-01-01T00:00:00")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    second = scenario("b")
    second.commit("hello", {"a.txt": "a\n"})
    assert first.rev("HEAD") == second.rev("HEAD")


def test_default_branch_identity_and_time(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.commit("second", author="Alice <alice@example.com>")
    assert s.current_branch() == "main"
    fmt = "%an <%ae>|%cn <%ce>|%at|%ct"
    root = s.git("log", "-1", f"--format={fmt}", "HEAD~1").split("|")
    second = s.git("log", "-1", f"--format={fmt}", "HEAD").split("|")
    epoch = int(EPOCH.timestamp())
    assert root == ["Dev <dev@example.com>", "Dev <dev@example.com>", str(epoch), str(epoch)]
    assert second == ["Alice <alice@example.com>", "Alice <alice@example.com>", str(epoch + 3600)] * 1 + [
        str(epoch + 3600)
    ]


def test_explicit_time_and_clock(scenario: Factory) -> None:
    s = scenario()
    at = dt.datetime(2025, 3, 1, 12, tzinfo=dt.timezone.utc)
    s.commit("at", at=at)
    s.commit("after")
    s.clock.advance(days=10)
    s.commit("later")
    times = [int(t) for t in s.git("log", "--format=%ct").split()]
    later, after, first = times
    assert first == int(at.timestamp())
    assert after == first + 3600
    assert later == after + 3600 + 10 * 86400


def test_global_config_is_isolated(scenario: Factory) -> None:
    s = scenario()
    env = s.env()
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"
    assert env["GIT_CONFIG_GLOBAL"] in ("/dev/null", "nul")
    assert s.git("config", "--global", "--list", check=False) == ""


def test_merge_has_two_parents_and_gits_message(scenario: Factory) -> None:
    s = scenario()
    root = s.commit("root")
    s.branch("hotfix/x", checkout=True)
    tip = s.commit("fix")
    s.checkout("main")
    merge = s.merge("hotfix/x")
    assert s.parents(merge) == [root, tip]
    # merge.suppressDest keeps its default: no " into main"
    assert s.subject(merge) == "Merge branch 'hotfix/x'"
    s.branch("develop", root, checkout=True)
    back = s.merge("main")
    assert s.subject(back) == "Merge branch 'main' into develop"


def test_merge_without_no_ff_may_fast_forward(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("topic", checkout=True)
    tip = s.commit("work")
    s.checkout("main")
    assert s.merge("topic", no_ff=False) == tip
    assert len(s.parents(tip)) == 1


def test_merge_ff(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("topic", checkout=True)
    tip = s.commit("work")
    s.checkout("main")
    assert s.merge_ff("topic") == tip
    assert s.rev("main") == tip


def test_squash_has_one_parent(scenario: Factory) -> None:
    s = scenario()
    root = s.commit("root")
    s.branch("topic", checkout=True)
    s.commit("a", {"a.txt": "a\n"})
    s.commit("b", {"b.txt": "b\n"})
    s.checkout("main")
    sq = s.squash("topic", "Fix thing (#42)")
    assert s.parents(sq) == [root]
    assert s.subject(sq) == "Fix thing (#42)"
    assert s.git("show", "--name-only", "--format=", sq).split() == ["a.txt", "b.txt"]


def test_squash_keeps_gits_message_by_default(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("topic", checkout=True)
    s.commit("a")
    s.checkout("main")
    sq = s.squash("topic")
    assert s.subject(sq) == "Squashed commit of the following:"


def test_rebase_merge_recommits_at_one_instant(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("topic", checkout=True)
    a = s.commit("a")
    b = s.commit("b")
    s.checkout("main")
    s.commit("meanwhile")
    tip = s.rebase_merge("topic")
    chain = s.first_parents("main")
    assert chain[0] == tip
    assert len(chain) == 4
    assert [len(s.parents(c)) for c in chain] == [1, 1, 1, 0]
    assert tip not in (a, b)
    assert s.rev("topic") == b  # the branch stays where it was
    assert s.current_branch() == "main"
    committed = s.git("log", "-2", "--format=%ct", "main").split()
    authored = s.git("log", "-2", "--format=%at", "main").split()
    assert committed[0] == committed[1]
    assert authored[0] != authored[1]


def test_rebase_merge_recommits_even_when_it_could_fast_forward(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("topic", checkout=True)
    a = s.commit("a")
    s.checkout("main")
    assert s.rebase_merge("topic") != a


def test_octopus(scenario: Factory) -> None:
    s = scenario()
    root = s.commit("root")
    tips = []
    for name in ("a", "b", "c"):
        s.branch(name, root, checkout=True)
        tips.append(s.commit(name))
    s.checkout("main")
    m = s.octopus("a", "b", "c")
    assert s.parents(m) == [root, *tips]
    assert s.subject(m) == "Merge branches 'a', 'b' and 'c'"


def test_cherry_pick_and_revert(scenario: Factory) -> None:
    s = scenario()
    root = s.commit("root")
    s.branch("develop")
    s.branch("hotfix/x", checkout=True)
    fix = s.commit("fix", {"app.py": "FIXED = True\n"})
    s.checkout("develop")
    picked = s.cherry_pick(fix, x=True)
    assert s.parents(picked) == [root]
    assert f"(cherry picked from commit {fix})" in s.message(picked)
    assert (
        s.git("patch-id", "--stable", input=s.git("show", fix)).split()[0]
        == s.git("patch-id", "--stable", input=s.git("show", picked)).split()[0]
    )
    s.checkout("main")
    merge = s.merge("hotfix/x")
    reverted = s.revert(merge)
    assert s.subject(reverted) == "Revert \"Merge branch 'hotfix/x'\""
    assert not (s.path / "app.py").exists()


def test_tags(scenario: Factory) -> None:
    s = scenario()
    c = s.commit("root")
    assert s.tag("v1.0.0") == c
    assert s.git("cat-file", "-t", "v1.0.0") == "tag"
    assert s.tag("light", annotated=False) == c
    assert s.git("cat-file", "-t", "light") == "commit"
    when = dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc)
    s.tag("v1.0.1", message="Hotfix 1.0.1", at=when)
    assert s.git("for-each-ref", "--format=%(taggerdate:raw)", "refs/tags/v1.0.1") == (f"{int(when.timestamp())} +0000")
    assert s.git("for-each-ref", "--format=%(contents:subject)", "refs/tags/v1.0.1") == "Hotfix 1.0.1"


def test_delete_and_rename_branch(scenario: Factory) -> None:
    s = scenario()
    c = s.commit("root")
    s.branch("quickfix")
    s.rename_branch("quickfix", "hotfix/quick")
    assert not s.exists("refs/heads/quickfix")
    assert s.rev("hotfix/quick") == c
    s.delete_branch("hotfix/quick")
    assert not s.exists("refs/heads/hotfix/quick")


def test_pr_merge_message(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    s.branch("quickfix", checkout=True)
    s.commit("Fix the thing")
    s.checkout("main")
    m = s.pr_merge(12, "acme", "quickfix")
    assert s.message(m) == "Merge pull request #12 from acme/quickfix\n\nFix the thing"
    assert len(s.parents(m)) == 2
    assert s.git("log", "-1", "--format=%cn <%ce>", m) == GITHUB_IDENTITY


def test_detach(scenario: Factory) -> None:
    s = scenario()
    first = s.commit("one")
    s.commit("two")
    s.detach(first)
    assert s.current_branch() is None
    assert s.rev("HEAD") == first


def test_shallow_clone_is_shallow(gitflow_repo: Scenario) -> None:
    shallow = gitflow_repo.shallow_clone(1)
    assert shallow.is_shallow()
    assert not gitflow_repo.is_shallow()
    assert shallow.rev("HEAD") == gitflow_repo.rev("main")
    assert shallow.git("rev-list", "--count", "HEAD") == "1"
    assert shallow.path != gitflow_repo.path


def test_clone_is_full_and_shares_the_clock(gitflow_repo: Scenario) -> None:
    other = gitflow_repo.clone()
    assert not other.is_shallow()
    assert other.rev("origin/develop") == gitflow_repo.rev("develop")
    before = gitflow_repo.clock.now
    other.commit("in the clone")
    assert gitflow_repo.clock.now > before


def test_remote_tracking_merge_message(scenario: Factory) -> None:
    origin = scenario("origin")
    origin.commit("root")
    work = origin.clone()
    origin.branch("hotfix/x", checkout=True)
    origin.commit("fix")
    work.fetch()
    merge = work.merge("origin/hotfix/x")
    assert work.subject(merge) == "Merge remote-tracking branch 'origin/hotfix/x'"


def test_files_write_and_delete(scenario: Factory) -> None:
    s = scenario()
    s.commit("add", {"dir/a.txt": "a\n", "b.txt": "b\n"})
    s.commit("remove", {"dir/a.txt": None})
    assert s.git("ls-tree", "-r", "--name-only", "HEAD").split() == ["b.txt"]
    assert s.read("b.txt", rev="HEAD") == "b\n"


def test_every_generated_commit_has_a_diff(scenario: Factory) -> None:
    s = scenario()
    s.commit("one")
    c = s.commit("two")
    assert s.git("show", "--name-only", "--format=", c) != ""
    empty = s.commit("empty", allow_empty=True)
    assert s.git("show", "--name-only", "--format=", empty) == ""


def test_git_errors_carry_stderr(scenario: Factory) -> None:
    s = scenario()
    s.commit("root")
    with pytest.raises(GitError, match="no-such-branch"):
        s.checkout("no-such-branch")


def test_gitflow_repo_shape(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    assert s.current_branch() == "main"
    assert s.rev("v1.0.0") == s.marks["root"]
    assert s.rev("v1.0.1") == s.marks["hotfix_merge"] == s.rev("main")
    main_chain = s.first_parents("main")
    assert main_chain == [s.marks["hotfix_merge"], s.marks["root"]]
    assert s.parents(s.marks["hotfix_merge"]) == [s.marks["root"], s.marks["hotfix_fix"]]
    assert s.subject(s.marks["hotfix_merge"]) == "Merge branch 'hotfix/fix-login-timeout'"
    assert s.subject(s.marks["hotfix_fix"]) == "Fix: login timeout (ABC-123)"
    assert s.rev("hotfix/fix-login-timeout") == s.marks["hotfix_fix"]
    # the hotfix was cut from main's tip at the time
    assert s.parents(s.marks["hotfix_fix"]) == [s.marks["root"]]
    # develop: two feature merges, then main merged in
    assert s.subject("develop") == "Merge branch 'main' into develop"
    assert s.is_ancestor(s.marks["hotfix_fix"], "develop")
    assert s.subject(s.marks["merge_search"]) == "Merge branch 'feature/search' into develop"
    assert not s.is_ancestor(s.marks["merge_export"], "main")
    changelog = s.read("CHANGELOG.md", rev="v1.0.1")
    assert "## [1.0.1] - 2025-01-05\n### Fixed\n- login timeout (ABC-123)\n" in changelog
    assert changelog.index("## [1.0.1]") < changelog.index("## [1.0.0] - 2025-01-01")
    assert "## [1.0.1]" not in s.read("CHANGELOG.md", rev="v1.0.0")


def test_land_hotfix_variants(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    h = land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    assert s.parents(h.merge) == [s.marks["hotfix_merge"], h.tip]
    assert s.rev("v1.0.2") == h.merge
    assert s.is_ancestor(h.tip, "develop")
    assert "## [1.0.2]" in s.read("CHANGELOG.md", rev="v1.0.2")
    assert "(ABC-124)" in s.read("CHANGELOG.md", rev="v1.0.2")
    sq = land_hotfix(s, "hotfix/fix-more", version="1.0.3", how="squash", back_merge=None)
    assert len(s.parents(sq.merge)) == 1
    assert not s.is_ancestor(sq.tip, "develop")
    # parallel hotfixes both add a changelog section: the union merge keeps both
    a = land_hotfix(s, "hotfix/a", version="1.0.4", how="none", back_merge=None, start="main")
    b = land_hotfix(s, "hotfix/b", version="1.0.5", how="merge", back_merge=None, start=a.base)
    s.merge("hotfix/a")
    text = s.read("CHANGELOG.md")
    assert "## [1.0.4]" in text and "## [1.0.5]" in text
    assert b.merge is not None


def test_clock_helpers() -> None:
    clock = Clock()
    assert clock.tick() == EPOCH
    assert clock.now == EPOCH + dt.timedelta(hours=1)
    clock.advance(days=2)
    assert clock.now == EPOCH + dt.timedelta(days=2, hours=1)
    recent = Clock.recent(days_ago=3)
    age = dt.datetime.now(dt.timezone.utc) - recent.now
    assert dt.timedelta(days=3) <= age < dt.timedelta(days=3, hours=1)


def test_parse_identity() -> None:
    assert parse_identity("Dev <dev@example.com>") == ("Dev", "dev@example.com")
    with pytest.raises(ValueError, match="Name <email>"):
        parse_identity("nobody")


def test_make_policy() -> None:
    data = make_policy(only="back-merge", rules={"back-merge": {"grace_days": 0}}, integration=None)
    assert data["integration"] is None
    assert data["rules"]["back-merge"] == {"severity": "error", "grace_days": 0}
    assert data["rules"]["merge-commit"] == "off"
    assert make_policy()["rules"]["changelog-entry"] == "error"
