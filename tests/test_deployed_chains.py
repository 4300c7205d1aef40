"""``collect.git.deployed_then``: the chain below an off-line mainline, read once and shared by
every later mainline whose chain goes through it, is the chain a fresh reader reads whole."""

from __future__ import annotations

from collections.abc import Callable

import pygit2
from scenario import Scenario

from hotfix_lint.collect.git.deployed_then import DeployedRefs
from hotfix_lint.collect.git.history import HistoryCollector
from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.policy.loader import load_policy


def _side_line(s: Scenario) -> None:
    """main, and a staging line with three hotfixes merged into it one after another (plain
    commits between them), then merged into main: each merge's mainline is off main's chain,
    and the chain below a newer one goes down through the older ones."""
    s.commit("Initial commit")
    s.commit("Release 1.0")
    s.branch("develop")
    s.branch("staging", checkout=True)
    for name in ("a", "b", "c"):
        s.commit(f"Staging work before {name}")
        s.branch(f"hotfix/{name}", checkout=True)
        s.commit(f"Fix {name}")
        s.checkout("staging")
        s.merge(f"hotfix/{name}")
    s.checkout("main")
    s.commit("Work on main meanwhile")
    s.merge("staging")


def test_a_chain_through_a_known_one_is_the_chain_read_whole(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    _side_line(s)
    policy = s.path.parent / "deployed-chains.yaml"
    policy.write_text("production: main\nintegration: develop\nhotfix_branch: 'hotfix/{slug}'\nchangelog: null\n")
    repo = pygit2.Repository(str(s.path))

    def refs() -> DeployedRefs:
        reader = GitReader(repo, load_policy(policy))
        HistoryCollector(reader).history()  # (reads the commit-graph index the chains walk)
        ids = s.first_parents("main")
        chain = [reader.fact(c) for c in ids]
        return DeployedRefs(reader, "main", chain, {c: i for i, c in enumerate(ids)}, lambda a, b: False)

    merges = [c for c in s.first_parents("staging") if len(s.parents(c)) == 2]
    mainlines = [s.parents(m)[0] for m in merges]  # newest first: each older one's is below
    assert len(mainlines) == 3
    kept = refs()
    shared = 0
    for mainline in mainlines:
        known = set(kept._through)
        chain = kept._chain(mainline)
        shared += sum(1 for c in chain.prefix if c.id in known)
        whole = refs()._chain(mainline)  # (a fresh reader: nothing read before)
        assert [c.id for c in chain.prefix] == [c.id for c in whole.prefix], mainline
        assert chain.join == whole.join
        assert chain.join is not None
    # b's chain (itself, a's merge, a's mainline) and a's (itself) are read from c's, not again
    assert shared == 4, "the chains below the older mainlines were read again"
