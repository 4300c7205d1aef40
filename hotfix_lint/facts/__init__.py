"""Plain, frozen data about a repository. No I/O, no pygit2, no PyGithub in here.

The records only some runs fill in are imported from their own modules (production history
from :mod:`~hotfix_lint.facts.history`, branches and tags from :mod:`~hotfix_lint.facts.refs`,
a pending commit message from :mod:`~hotfix_lint.facts.commit_message`): a git hook does not
pay for defining them.
"""

from typing import TYPE_CHECKING

from hotfix_lint.facts.git import CommitFact, FileSnapshot, HotfixFact, RepositoryFacts

__all__ = [
    "CommitFact",
    "CouldNotCheck",
    "FileSnapshot",
    "GitHubFacts",
    "HotfixFact",
    "RepositoryFacts",
]

if TYPE_CHECKING:
    from hotfix_lint.facts.github import CouldNotCheck, GitHubFacts


def __getattr__(name: str) -> object:
    """The GitHub facts are imported on first use: a git hook, which never reads GitHub, does
    not pay for defining them."""
    if name in ("CouldNotCheck", "GitHubFacts"):
        from hotfix_lint.facts import github

        return getattr(github, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
