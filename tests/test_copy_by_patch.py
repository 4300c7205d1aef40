"""A copy of a hotfix on the integration branch that only its patch id can tell (another
author, another time, another message), and the line balance that spares the patch ids of
commits that cannot be copies (:mod:`hotfix_lint.collect.git.line_balance`)."""

from __future__ import annotations

import pygit2
from scenario import Scenario, describe, make_policy, run_check, same_commit, violations

from hotfix_lint.collect.git.line_balance import line_balance
from hotfix_lint.collect.git.repository import patch_id
from hotfix_lint.collect.git.tree_paths import changed_files

ONLY = make_policy(only="back-merge", rules={"back-merge": {"accept_cherry_picks": True}})
CORE = "".join(f"line {n}\n" for n in range(12))


def _hotfix_changing_core(s: Scenario) -> str:
    """A hotfix whose one commit rewrites a line of ``app/core.py`` and adds one; its merge."""
    s.checkout("main")
    s.commit("Add the core", {"app/core.py": CORE})
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    s.branch("hotfix/fix-core", "main", checkout=True)
    s.commit("Fix: the core crash (ABC-125)", {"app/core.py": CORE.replace("line 5\n", "line 5 = fixed\nguard()\n")})
    s.checkout("main")
    return s.merge("hotfix/fix-core")


def _about(report: dict[str, object] | None, merge: str) -> list[dict[str, object]]:
    return [v for v in violations(report, "back-merge") if same_commit(str(v["commit"]), merge)]


def test_a_copy_told_by_its_patch_id_alone_is_a_back_merge(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _hotfix_changing_core(s)
    s.checkout("develop")
    s.clock.advance(hours=5)
    # retyped by someone else: other spacing inside the lines (a patch id ignores it)
    retyped = CORE.replace("line 5\n", "line  5  =  fixed\n  guard()\n")
    s.commit("Apply the core fix here too", {"app/core.py": retyped}, author="Other <other@example.com>")
    s.checkout("main")
    _status, report = run_check(s, policy=ONLY)
    assert _about(report, merge) == [], describe(report)


def test_a_commit_of_the_same_file_with_other_lines_is_no_copy(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _hotfix_changing_core(s)
    s.checkout("develop")
    s.clock.advance(hours=5)
    other = CORE.replace("line 5\n", "line 5 = fixed\nguard()\nlog()\n")  # one line more
    s.commit("Apply the core fix here too", {"app/core.py": other}, author="Other <other@example.com>")
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    assert _about(report, merge), describe(report)
    assert status == 1


def test_the_balance_is_what_git_counts(gitflow_repo: Scenario) -> None:
    """Lines added less lines removed, file by file, as ``git diff --numstat`` counts them
    (a last line without a newline, a deleted file, a new one); unknown for a binary blob."""
    s = gitflow_repo
    before = s.commit("Files", {"a.txt": "one\ntwo\nthree", "b.txt": "x\ny\n", "c.txt": "gone\nsoon\n"})
    after = s.commit(
        "Change them", {"a.txt": "one\nthree\nfour\nfive", "b.txt": "x\n", "c.txt": None, "d.txt": "new\n"}
    )
    repo = pygit2.Repository(str(s.path))
    old, new = repo[before].peel(pygit2.Commit), repo[after].peel(pygit2.Commit)
    files = changed_files(repo, old.tree_id, new.tree_id)
    assert files is not None
    numstat = {}
    for row in s.git("diff", "--numstat", before, after).splitlines():
        added, removed, path = row.split("\t")
        numstat[path] = int(added) - int(removed)
    assert line_balance(repo, files) == tuple(numstat[p] for p in sorted(numstat))
    binary = s.commit("A binary", {"a.txt": b"one\0two\n"})
    files = changed_files(repo, new.tree_id, repo[binary].peel(pygit2.Commit).tree_id)
    assert files is not None and line_balance(repo, files) is None


def _subtree_hotfix(s: Scenario) -> str:
    """Another project (a GUI with its own ``po/de.po``) kept in ``gui/``, whose fix lands on
    main as a hotfix by a subtree merge (as git-gui's do in git); the merge's id."""
    s.checkout("main")
    s.commit("Host translations", {"po/de.po": "msgid one\n", "po/fr.po": "msgid un\n"})
    s.checkout("develop")
    s.merge("main")
    s.git("checkout", "-q", "--orphan", "hotfix/gui-de")
    s.git("rm", "-rq", "--cached", ".")
    s.git("clean", "-fdq")
    s.commit("GUI: first", {"gui.sh": "run\n", "po/de.po": "msgid one\n"})
    s.commit("GUI: de.po: fix a translation", {"po/de.po": "msgid one\nmsgstr eins\n"})
    s.checkout("main")
    s.git("merge", "-q", "-s", "ours", "--no-commit", "--allow-unrelated-histories", "hotfix/gui-de")
    s.git("read-tree", "--prefix=gui/", "-u", "hotfix/gui-de")
    s.git("commit", "-q", "-m", "Merge branch 'hotfix/gui-de'", when=s.clock.stamp(None))
    return s.rev("HEAD")


def test_another_projects_paths_match_no_patch_of_the_host(gitflow_repo: Scenario) -> None:
    """The GUI's ``po/de.po`` is not the host's: the host's own translation change with the very
    same patch id is no copy of the GUI's fix (the hotfix never reached develop)."""
    s = gitflow_repo
    merge = _subtree_hotfix(s)
    s.checkout("develop")
    s.clock.advance(hours=5)
    s.commit("Translate the host", {"po/de.po": "msgid one\nmsgstr eins\n"}, author="Other <other@example.com>")
    repo = pygit2.Repository(str(s.path))
    host, gui = repo.revparse_single("develop"), repo.revparse_single("hotfix/gui-de")
    assert patch_id(repo, str(host.parent_ids[0]), str(host.id)) == patch_id(repo, str(gui.parent_ids[0]), str(gui.id))
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    assert _about(report, merge), describe(report)
    assert status == 1
