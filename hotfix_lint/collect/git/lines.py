"""Judge each commit on one production line only, when several lines share history.

A branch cut from another production line (a promotion branch ``prod/hotfix/...`` cut from
``main``, a second promotion branch cut from the first, a ``support/*`` branch) has the other
line's whole first-parent chain below its base. Without this step, every commit and hotfix
of that shared part would be judged (and reported) once per line. Each line keeps the
commits past its base: lines are taken in order (named branches before pattern-matched
ones; a line whose chain contains another line's tip after that line; then older tips
first), and each keeps the prefix of its chain that no earlier line claimed.
"""

from __future__ import annotations

from dataclasses import replace

from hotfix_lint.facts import HotfixFact
from hotfix_lint.facts.history import HistoryFacts, ProductionLineFact
from hotfix_lint.facts.landing import LandingFact
from hotfix_lint.policy.model import Policy


def _order(history: HistoryFacts, policy: Policy) -> list[ProductionLineFact]:
    literal = {name for name in policy.production if "{" not in name and "*" not in name and not name.startswith("^")}
    chains = {line.name: {c.id for c in line.first_parent} for line in history.production}

    def key(line: ProductionLineFact) -> tuple[int, int, int, str]:
        contained = sum(1 for other in history.production if other.name != line.name and other.tip in chains[line.name])
        tip_time = line.first_parent[0].commit_time if line.first_parent else 0
        return (0 if line.name in literal else 1, contained, tip_time, line.name)

    return sorted(history.production, key=key)


def separate_lines(history: HistoryFacts, policy: Policy) -> HistoryFacts:
    """Trim each line to the commits (and hotfixes) no earlier line has; keep the lines' order."""
    if len(history.production) < 2:
        return history
    claimed: set[str] = set()
    on_chain_tips: set[str] = set()
    trimmed: dict[str, ProductionLineFact] = {}
    for line in _order(history, policy):
        own = []
        for commit in line.first_parent:
            if commit.id in claimed:
                break
            own.append(commit)
        own_ids = {c.id for c in own}
        hotfixes: list[HotfixFact] = []
        for hotfix in line.hotfixes:
            merge_id = hotfix.merge.id if hotfix.merge is not None else None
            if hotfix.on_first_parent and merge_id is not None and merge_id not in own_ids:
                continue
            hotfixes.append(hotfix)
        on_chain_tips.update(h.tip for h in hotfixes if h.on_first_parent)
        claimed.update(own_ids)
        trimmed[line.name] = replace(line, first_parent=tuple(own), hotfixes=tuple(hotfixes))
    # an off-chain copy found on an earlier line of a hotfix that a later line has on its chain
    lines = []
    for line in history.production:
        kept = trimmed[line.name]
        extra = tuple(h for h in kept.hotfixes if h.on_first_parent or h.tip not in on_chain_tips)
        if len(extra) != len(kept.hotfixes):
            kept = replace(kept, hotfixes=extra)
        lines.append(replace(kept, landings=_own_landings(kept)))
    return replace(history, production=tuple(lines))


def _own_landings(line: ProductionLineFact) -> tuple[LandingFact, ...]:
    """The line's landings on the commits it kept, and its off-chain hotfixes it kept."""
    own = {c.id for c in line.first_parent}
    off_chain = {h.merge.id for h in line.hotfixes if h.merge is not None and not h.on_first_parent}
    landings: list[LandingFact] = []
    for landing in line.landings:
        if not landing.on_first_parent:
            if landing.commit.id in off_chain:
                landings.append(landing)
            continue
        commits = tuple(c for c in landing.commits if c.id in own)
        if commits:
            landings.append(landing if len(commits) == len(landing.commits) else replace(landing, commits=commits))
    return tuple(landings)
