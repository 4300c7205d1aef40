"""Infer the process of one repository: observe, decide production, then integration.

Integration needs the repository twice: which candidate branch holds production's hotfix
merges is a graph question (:func:`~hotfix_lint.collect.git.inference.containment`), asked once
the production line and its hotfixes are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotfix_lint.infer.decide import Inference, infer, integration_candidates

if TYPE_CHECKING:
    from hotfix_lint.collect.git.inference import Repository


#: the newest hotfix and release merges whose presence on integration candidates is checked
CHECKED_MERGES = 40


def infer_repository(repo: Repository) -> Inference:
    """The process ``repo``'s history shows, key by key with evidence."""
    from hotfix_lint.collect.git.inference import containment, observe, with_tree

    observations = observe(repo)
    first = infer(observations)
    production = first.values.get("production")
    if production is None:
        return first
    line = _line_name(production.value)
    observations = with_tree(repo, observations, line)
    merges = sorted((*first.hotfixes, *first.releases), key=lambda s: -s.time)[:CHECKED_MERGES]
    seconds = [s.second for s in merges if s.second is not None]
    contained = containment(repo, integration_candidates(observations, line), seconds)
    return infer(observations, contained, len(seconds))


def _line_name(value: object) -> str:
    if isinstance(value, list) and value:
        first = value[0]
        return str(first["branch"]) if isinstance(first, dict) else str(first)
    return str(value)
