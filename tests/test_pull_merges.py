"""Pull merges: a line's own history continues through what the server had (collect.git.line_chain).

A clone whose branch fell behind runs ``git pull``: the merge's first parent is the clone's
branch, its second what the server had. Pushed, the clone's commits sit on the line's
first-parent chain and the line's real history beside it. Acted out with real clones and
``git pull`` (Cortex-Analyzers: a local develop standing on master's hotfix merge pulled
origin/develop; a local master holding a direct push pulled the master that had a hotfix).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pygit2
import yaml
from scenario import Scenario, describe, land_hotfix, make_policy, run_check, violations

from hotfix_lint.cli import main
from hotfix_lint.collect.git.commit_graph import CommitGraph
from hotfix_lint.collect.git.line_chain import LineChains, repository_of
from hotfix_lint.policy.loader import load_policy

POLICY = make_policy(
    rules={
        rule: "off"
        for rule in ("changelog-entry", "release-tag", "version-bump", "ticket-reference", "stale-branch")
    }
)


def pull(clone: Scenario, branch: str) -> str:
    """``git pull --no-rebase origin BRANCH`` on the clone's current branch: git's own message."""
    clone.clock.advance(minutes=5)
    clone.git("pull", "-q", "--no-rebase", "--no-edit", "origin", branch, when=clone.clock.tick())
    return clone.rev("HEAD")


def rows(s: Scenario, *args: str) -> list[dict[str, Any]]:
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(POLICY))
    out = s.path.parent / f"pull-{s.path.name}.json"
    assert main(["hotfixes", "--repo", str(s.path), "--now", "2025-03-01", "--format", "json",
                 "--output", str(out), *args]) == 0  # fmt: skip
    return list(json.loads(out.read_text())["hotfixes"])


def findings(s: Scenario, rule: str) -> list[dict[str, Any]]:
    _, report = run_check(s, "--now", "2025-03-01", policy=POLICY)
    return violations(report, rule)


# -- develop: a local develop standing on main's hotfix merge pulls origin/develop -------------


def _develop_pulled_onto_main(s: Scenario, back_merge: str | None) -> tuple[Scenario, str]:
    """The server (``s``) lands a hotfix on main; 20 days later a clone resets its develop to
    main, pulls origin/develop and pushes: develop's first-parent chain now runs through main's."""
    made = land_hotfix(s, back_merge=back_merge)
    assert made.merge is not None
    s.clock.advance(days=20)
    clone = s.clone()
    clone.git("checkout", "-q", "-B", "develop", "main")
    merge = pull(clone, "develop")
    assert clone.subject(merge).startswith("Merge branch 'develop' of ") and clone.subject(merge).endswith(
        " into develop"
    )
    assert made.merge in clone.first_parents("develop")  # what misled the plain first-parent walk
    clone.push("origin", "develop")
    return clone, made.merge


def test_hotfix_that_reached_develop_only_through_a_pull_merge_is_late(gitflow_repo: Scenario) -> None:
    clone, merge = _develop_pulled_onto_main(gitflow_repo, back_merge=None)
    found = [v for v in findings(clone, "back-merge") if v["commit"] == merge]
    assert found and "20 day(s) after" in found[0]["message"], found


def test_hotfix_back_merged_on_time_stays_silent_after_the_pull_merge(gitflow_repo: Scenario) -> None:
    clone, _ = _develop_pulled_onto_main(gitflow_repo, back_merge="branch")
    _, report = run_check(clone, "--now", "2025-03-01", policy=POLICY)
    assert violations(report, "back-merge") == [], describe(report)
    assert violations(report, "merge-commit") == [], describe(report)  # no "main was fast-forwarded to develop"


# -- main: a local main with a direct push pulls the main that got a hotfix ----------------------


def test_pull_merge_on_main_keeps_the_servers_chain(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    clone = s.clone()
    local = clone.commit("Tweak the README on main", {"README.md": "# Example service, tweaked\n"})
    first = land_hotfix(s, "hotfix/first-fix", version="1.0.2")  # the server's main moves meanwhile
    assert first.merge is not None
    pulled = pull(clone, "main")
    assert clone.subject(pulled).startswith("Merge branch 'main' of ")
    assert clone.parents(pulled) == [local, first.merge]
    clone.fetch()
    second = land_hotfix(clone, "hotfix/second-fix", version="1.0.3", start=first.merge,
                         integration=None)  # fmt: skip  (cut from the server's tip before the pull)
    table = {r["branch"]: r for r in rows(clone)}
    assert table["hotfix/first-fix"]["reached_via"] == "merge commit", table
    assert "hotfix/second-fix" in table
    everything = {r["commit"]: r for r in rows(clone, "--all")}
    assert everything[pulled]["class"] == "sync" and "pull merge" in everything[pulled]["evidence"]
    assert everything[local]["class"] == "direct push" or everything[local]["class"] == "direct-push"
    _, report = run_check(clone, "--now", "2025-03-01", policy=POLICY)
    pushes = violations(report, "merge-commit")
    assert [v["commit"] for v in pushes] == [local], describe(report)  # the clone's push, not the pull
    bases = [v for v in violations(report, "hotfix-base") if v["commit"] == second.merge]
    assert bases == [], describe(report)  # its base, the server's main, is on main's history


def test_hotfix_merged_on_the_clone_then_pulled_is_a_landing(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    clone = s.clone()
    local = land_hotfix(clone, "hotfix/local-fix", version="1.0.2", back_merge=None)
    assert local.merge is not None
    s.commit("Server-side change on main", {"NOTES.md": "notes\n"})  # pushed straight to the server's main
    pull(clone, "main")
    (row,) = [r for r in rows(clone) if r["branch"] == "hotfix/local-fix"]
    assert row["commit"] == local.merge and "pull merge" in row["evidence"], row
    flagged = [v["commit"] for v in findings(clone, "merge-commit")]
    assert flagged == [s.rev("main")], flagged  # the server's direct push, on main's own chain


# -- which merges are pull merges ---------------------------------------------------------------


def _chains(s: Scenario, remote: str | None) -> tuple[LineChains, pygit2.Repository]:
    if remote is not None:
        s.git("remote", "add", "origin", remote)
    path = s.path.parent / "policy.yaml"
    path.write_text(yaml.safe_dump(make_policy()))
    repo = pygit2.Repository(str(s.path))
    return LineChains(repo, load_policy(Path(path))), repo


def _merged(s: Scenario, into: str, message: str) -> str:
    s.checkout(into)
    s.branch("side", checkout=True) if not s.exists("side") else s.checkout("side")
    s.commit(f"side work for {message[:20]}")
    s.checkout(into)
    return s.merge("side", message=message)


def test_which_messages_are_pull_merges(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    cases = {
        ("develop", "Merge branch 'develop' of github.com:acme/app into develop"): True,
        ("develop", "Merge remote-tracking branch 'origin/develop' into develop"): True,
        ("main", "Merge branch 'main' of https://github.com/acme/app"): True,
        ("main", "Merge branch 'origin/main'"): True,
        ("develop", "Merge branch 'feature/search' into develop"): False,  # an ordinary merge
        ("develop", "Merge branch 'develop' of https://github.com/someone/app into develop"): False,  # a fork
        ("develop", "Merge remote-tracking branch 'someone/develop' into develop"): False,  # another remote
        ("develop", "Merge branch 'develop' of github.com:acme/app"): False,  # git names develop as target
        ("main", "Merge branch 'main' of github.com:acme/app into develop"): False,  # into another branch
        ("main", "Merge pull request #7 from someone/main"): False,  # a fork's pull request
    }
    made = {key: _merged(s, key[0], key[1]) for key in cases}
    chains, repo = _chains(s, "git@github.com:acme/app.git")
    got = {key: chains.is_pull(repo[made[key]], key[0]) for key in cases}
    assert got == cases


def test_a_subtree_merge_of_another_project_is_no_pull(gitflow_repo: Scenario) -> None:
    """git/git's ``Merge branch 'master' of https://github.com/j6t/gitk`` (twice and more): the
    message has a pull merge's shape, but what it brought is another project (no top-level entry
    in common), so the line's chain stays on its first parent."""
    s = gitflow_repo
    s.git("checkout", "-q", "--orphan", "gitk")
    s.git("rm", "-q", "-rf", ".")
    s.commit("gitk: the viewer", {"gitk": "#!/bin/sh\n", "po/de.po": "msgid ''\n"})
    s.checkout("main")
    s.git("merge", "-q", "--no-ff", "--allow-unrelated-histories", "-s", "ours", "--no-commit", "gitk")
    s.git("read-tree", "--prefix=gitk-git/", "-u", "gitk")
    s.git("commit", "-q", "-m", "Merge branch 'main' of https://github.com/acme/app", when=s.clock.tick())
    subtree = s.rev("HEAD")
    pulled = _merged(s, "main", "Merge branch 'main' of https://github.com/acme/app")
    chains, repo = _chains(s, "https://github.com/acme/app")
    assert not chains.is_pull(repo[subtree], "main")
    assert chains.is_pull(repo[pulled], "main")


def test_without_a_remote_the_url_the_lines_pull_from_twice_is_this_repository(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    once = _merged(s, "develop", "Merge branch 'develop' of github.com:someone/app into develop")
    first = _merged(s, "develop", "Merge branch 'develop' of github.com:acme/app into develop")
    second = _merged(s, "main", "Merge branch 'main' of https://github.com/Acme/app.git")
    chains, repo = _chains(s, None)
    assert chains.is_pull(repo[first], "develop") and chains.is_pull(repo[second], "main")
    assert not chains.is_pull(repo[once], "develop")


def test_the_urls_pulled_from_are_counted_on_the_index_as_by_a_walk(gitflow_repo: Scenario) -> None:
    """With a commit-graph index the lines' merges are read from it (no walk of their chains):
    the same URL is taken for this repository, the fork pulled once still is not."""
    s = gitflow_repo
    once = _merged(s, "develop", "Merge branch 'develop' of github.com:someone/app into develop")
    first = _merged(s, "develop", "Merge branch 'develop' of github.com:acme/app into develop")
    second = _merged(s, "main", "Merge branch 'main' of https://github.com/Acme/app.git")
    walked, repo = _chains(s, None)
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=s.rev("develop"))])
    asked: list[str] = []

    def merges(tip: str) -> list[str] | None:
        asked.append(tip)
        return [graph.ids[n] for n in graph.first_parent_chain(tip) if graph.arity[n] > 1]

    indexed = LineChains(repo, walked.policy, first_parents=merges)
    for chains in (walked, indexed):
        assert chains.is_pull(repo[first], "develop") and chains.is_pull(repo[second], "main")
        assert not chains.is_pull(repo[once], "develop")
    assert sorted(asked) == sorted([s.rev("main"), s.rev("develop")])


def test_a_pull_merge_walk_follows_the_servers_side(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("develop")
    server = s.commit("Server-side work on develop")
    s.branch("local", s.rev("develop~1"), checkout=True)
    local = s.commit("Clone-side work")
    merge = s.merge("develop", message="Merge branch 'develop' of github.com:acme/app into develop")
    s.checkout("develop")
    s.merge_ff("local")
    chains, repo = _chains(s, "https://github.com/acme/app")
    walked = [str(c.id) for c in chains.walk(repo[merge].id, "develop")]
    assert walked[:2] == [merge, server] and local not in walked
    assert [str(c.id) for c in chains.pushed_by(repo[merge], "develop")] == [local]
    assert chains.fact(repo[merge], "develop").parents == (server, local)
    # along the commit-graph index (nothing hidden): the same chain, a walker only where hidden
    graph = CommitGraph(repo, [repo[merge].id, pygit2.Oid(hex=s.rev("main"))])
    indexed = LineChains(repo, chains.policy, graph=lambda: graph)
    assert [str(c.id) for c in indexed.walk(repo[merge].id, "develop")] == walked
    assert [str(c.id) for c in indexed.pushed_by(repo[merge], "develop")] == [local]


def test_repository_of_clone_urls() -> None:
    assert repository_of("git@github.com:Acme/App.git") == "acme/app"
    assert repository_of("https://github.com/acme/app") == "acme/app"
    assert repository_of("ssh://git@github.com/acme/app.git/") == "acme/app"
    assert repository_of("github.com:acme/app") == "acme/app"
