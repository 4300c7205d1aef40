"""A branch fast-forwarded onto another keeps its own first-parent chain (``collect.git.own_line``).

Two real patterns (issue 13): git-flow AVH's master fast-forwarded to develop years later,
which hid the direct pushes and tags of the old master line off master's first-parent chain;
and aergo's develop fast-forwarded to master, which made every hotfix merge on master look
like a step of develop, so late back-merges read as on time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pygit2
import pytest
from scenario import (
    Scenario,
    build_gitflow,
    describe,
    land_hotfix,
    make_policy,
    run_check,
    same_commit,
    violations,
)

from hotfix_lint.collect.git.own_line import OwnLine, own_chain


def _first_parents(repo: pygit2.Repository, start: pygit2.Oid) -> list[pygit2.Commit]:
    walker = repo.walk(start)
    walker.simplify_first_parent()
    return list(walker)


def _chain(s: Scenario, branch: str, line: OwnLine) -> list[str]:
    repo = pygit2.Repository(str(s.path))
    tip = repo.revparse_single(branch).id
    return [str(c.id) for c in own_chain(repo, tip, line, lambda start: _first_parents(repo, start))]


def _fast_forward_main_to_develop(s: Scenario) -> None:
    """Years later: main fast-forwarded to develop, and develop moves on."""
    s.checkout("develop")
    s.clock.advance(days=60)
    s.commit("Develop's own work", {"app/later.py": "LATER = 1\n"})
    s.checkout("main")
    s.merge_ff("develop")
    s.checkout("develop")
    s.commit("Keep working", {"app/more.py": "MORE = 1\n"})
    s.checkout("main")


@pytest.mark.parametrize("pushed", [True, False])
def test_direct_push_on_the_old_production_line_is_found(scenario: Callable[..., Scenario], pushed: bool) -> None:
    """main's old line comes back through ``Merge branch 'main' into develop``: a push there fires."""
    s = build_gitflow(scenario())
    push = s.commit("Fix typo in README", {"README.md": "# Example service!\n"}) if pushed else None
    s.checkout("develop")
    s.merge("main")  # Merge branch 'main' into develop: main's tip of that time
    s.checkout("main")
    _fast_forward_main_to_develop(s)
    status, report = run_check(s, policy=make_policy(only="merge-commit"))
    found = violations(report, "merge-commit")
    errors = [v for v in found if v["severity"] == "error"]
    if pushed:
        assert push is not None
        assert [same_commit(v["commit"], push) for v in errors] == [True], describe(report)
        assert "direct push" in errors[0]["message"], describe(report)
        assert status == 1
    else:
        assert errors == [], describe(report)
        assert status == 0, describe(report)
    assert any("fast-forwarded to develop" in v["message"] for v in found), describe(report)  # one event
    # develop's chain is develop's own: main's fast-forward to it changes nothing there
    develop = _chain(s, "develop", OwnLine(lambda name: name == "develop", foreign=set(_chain(s, "main", _main()))))
    repo = pygit2.Repository(str(s.path))
    assert develop == [str(c.id) for c in _first_parents(repo, repo.revparse_single("develop").id)]


def _main() -> OwnLine:
    return OwnLine(lambda name: name == "main")


@pytest.mark.parametrize("pushed", [True, False])
def test_old_line_through_a_tag_merged_into_develop(scenario: Callable[..., Scenario], pushed: bool) -> None:
    """git-flow AVH: ``Merge tag 'v1.0.2' into develop`` brings the hotfix merge made on main,
    and main's chain goes on there: the hotfix is judged on it and a push before it fires."""
    s = build_gitflow(scenario())
    push = s.commit("Tweak the README", {"README.md": "# Example service.\n"}) if pushed else None
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    s.checkout("develop")
    s.merge("v1.0.2")  # Merge tag 'v1.0.2' into develop
    s.checkout("main")
    _fast_forward_main_to_develop(s)
    assert hotfix.merge is not None
    assert hotfix.merge in _chain(s, "main", _main())
    status, report = run_check(s, policy=make_policy(only="merge-commit"))
    errors = violations(report, "merge-commit", severity="error")
    assert [same_commit(v["commit"], push) for v in errors] == ([True] if pushed else []), describe(report)
    assert status == (1 if pushed else 0), describe(report)
    _, report = run_check(s, policy=make_policy(rules={"merge-commit": "off"}))
    assert violations(report) == [], describe(report)  # the hotfix itself: tagged, back-merged, on the line


def _develop_fast_forwarded_to_main(s: Scenario, back_merge_days: float) -> None:
    """A hotfix back-merged ``back_merge_days`` after it landed; then a release through a
    release branch, and develop fast-forwarded to main (main's chain is now develop's)."""
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    s.clock.advance(days=back_merge_days)
    s.checkout("develop")
    s.merge("hotfix/fix-crash")  # Merge branch 'hotfix/fix-crash' into develop
    s.clock.advance(days=30)
    s.branch("release/1.1.0", checkout=True)
    s.commit("Prepare 1.1.0", {"app/version.py": "VERSION = '1.1.0'\n"})
    s.checkout("main")
    s.merge("release/1.1.0")  # Merge branch 'release/1.1.0': made on main
    s.tag("v1.1.0", message="Release 1.1.0")
    s.checkout("develop")
    s.merge_ff("main")
    s.checkout("main")
    assert s.rev("develop") == s.rev("main")


@pytest.mark.parametrize(("days", "fires"), [(40, True), (1, False)])
def test_late_back_merge_seen_after_develop_was_fast_forwarded(
    scenario: Callable[..., Scenario], days: float, fires: bool
) -> None:
    """develop's own line (its ``into develop`` merges) says when it got the hotfix, not master's
    merge of it that develop's chain passes through since the fast-forward."""
    s = build_gitflow(scenario())
    _develop_fast_forwarded_to_main(s, days)
    status, report = run_check(s, policy=make_policy(only="back-merge"))
    found = violations(report, "back-merge")
    if fires:
        (v,) = found
        assert "hotfix/fix-crash" in v["message"] and "40 day(s) after its merge" in v["message"], describe(report)
        assert status == 1
    else:
        assert found == [] and status == 0, describe(report)


def test_integration_chain_rejoins_its_own_line(scenario: Callable[..., Scenario]) -> None:
    """Where develop's chain steps onto main's and main's merges there were made on main, it goes
    on at the newest merge made on develop; a branch never fast-forwarded keeps its plain chain."""
    s = build_gitflow(scenario())
    repo = pygit2.Repository(str(s.path))
    main = set(_chain(s, "main", _main()))
    develop = OwnLine(lambda name: name == "develop", foreign=main)
    plain = [str(c.id) for c in _first_parents(repo, repo.revparse_single("develop").id)]
    assert _chain(s, "develop", develop) == plain
    _develop_fast_forwarded_to_main(s, 40)
    develop = OwnLine(lambda name: name == "develop", foreign=set(_chain(s, "main", _main())))
    back = next(c for c in _chain(s, "develop", develop) if s.subject(c).endswith("into develop"))
    assert s.subject(back) == "Merge branch 'hotfix/fix-crash' into develop"
    assert _chain(s, "develop", develop)[:2] == [s.rev("main"), back]


def test_a_generator_walk_is_followed_past_a_junction(scenario: Callable[..., Scenario]) -> None:
    """The walk may be a generator (``LineChains.walk``, through pull merges): stopping early at a
    junction must not close it, or the chain ends there (gitflow-avh: 46 of develop's 629 commits)."""
    s = build_gitflow(scenario())
    _fast_forward_main_to_develop(s)  # the shared stretch is develop's own: the walk goes on
    repo = pygit2.Repository(str(s.path))
    develop = OwnLine(lambda name: name == "develop", foreign=set(_chain(s, "main", _main())))
    tip = repo.revparse_single("develop").id

    def lazily(start: pygit2.Oid) -> Iterator[pygit2.Commit]:
        yield from _first_parents(repo, start)

    walked = [str(c.id) for c in own_chain(repo, tip, develop, lazily)]
    assert walked == _chain(s, "develop", develop) == [str(c.id) for c in _first_parents(repo, tip)]
