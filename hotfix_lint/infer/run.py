"""Infer the process of one repository: observe, decide production, then integration. The git side.

Integration needs the repository twice: which candidate branch holds production's hotfix
merges is a graph question (:func:`~hotfix_lint.infer.observe.containment`), asked once the
production line and its hotfixes are known.
"""

from __future__ import annotations

import pygit2

from hotfix_lint.infer.decide import Inference, infer, integration_candidates
from hotfix_lint.infer.observe import observe, with_tree

#: the newest hotfix and release merges whose presence on integration candidates is checked
CHECKED_MERGES = 40


def infer_repository(repo: pygit2.Repository) -> Inference:
    """The process ``repo``'s history shows, key by key with evidence."""
    observations = observe(repo)
    first = infer(observations)
    production = first.values.get("production")
    if production is None:
        return first
    line = _line_name(production.value)
    observations = with_tree(repo, observations, line)
    merges = sorted((*first.hotfixes, *first.releases), key=lambda s: -s.time)[:CHECKED_MERGES]
    seconds = [s.second for s in merges if s.second is not None]
    from hotfix_lint.infer.observe import containment

    contained = containment(repo, integration_candidates(observations, line), seconds)
    return infer(observations, contained, len(seconds))


def _line_name(value: object) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return str(value[0]["branch"])
    return str(value)
