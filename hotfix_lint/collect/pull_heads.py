"""Name the source of a squash or rebase from GitHub's merged pull requests, when they were read.

A squash or rebase whose subject names no branch, and that no branch still there or merge into
integration names, is no hotfix: its source is unknown (``collect.git.landings``). When GitHub's
merged pull requests were read (``github-pulls``, for ``pr-review``), the pull request that made
it (by its merge commit, else by the ``(#N)`` of its subject) names its head branch: a hotfix
when that branch is neither integration, release nor production, as a merge naming it would be.
"""

from __future__ import annotations

from dataclasses import replace

from hotfix_lint.collect.git.direct_landings import named_source
from hotfix_lint.collect.git.landing_inputs import Vocabulary
from hotfix_lint.facts.github import GitHubFacts
from hotfix_lint.facts.history import HistoryFacts
from hotfix_lint.facts.landing import REBASE, SQUASH, LandingFact
from hotfix_lint.policy.model import Policy


def heads_by_pull(facts: GitHubFacts | None) -> dict[str | int, tuple[int, str]]:
    """(number, head branch) of each merged pull request, by merge commit and by number."""
    pulls = facts.pulls if facts is not None else ()
    if not isinstance(pulls, tuple):
        return {}  # could not be read: the landings' own facts decide
    found: dict[str | int, tuple[int, str]] = {}
    for pull in pulls:
        found.setdefault(pull.number, (pull.number, pull.head_ref))
        if pull.merge_commit_sha:
            found.setdefault(pull.merge_commit_sha, (pull.number, pull.head_ref))
    return found


def _named(landing: LandingFact, heads: dict[str | int, tuple[int, str]], words: Vocabulary) -> LandingFact:
    if landing.source is not None or landing.kind not in (SQUASH, REBASE) or landing.outside_era:
        return landing
    found = heads.get(landing.commit.id) or (
        heads.get(landing.pull_request) if landing.pull_request is not None else None
    )
    if found is None:
        return landing
    number, head = found
    named = named_source(landing, head, f"pull request #{number}'s head '{head}' (GitHub)", words)
    return replace(named, pull_request=landing.pull_request or number)


def with_pull_heads(policy: Policy, history: HistoryFacts | None, facts: GitHubFacts | None) -> HistoryFacts | None:
    """``history`` with each unnamed squash or rebase named by its pull request's head branch."""
    heads = heads_by_pull(facts)
    if history is None or not heads:
        return history
    lines = tuple(
        replace(line, landings=tuple(_named(x, heads, Vocabulary(policy, line.name)) for x in line.landings))
        for line in history.production
    )
    return replace(history, production=lines)
