"""Plain, frozen data about a repository. No I/O, no pygit2, no PyGithub in here."""

from typing import TYPE_CHECKING

from hotfix_lint.facts.git import (
    BranchFact,
    CommitFact,
    FileSnapshot,
    HistoryFacts,
    HotfixFact,
    IntegrationFact,
    PendingMessageFact,
    ProductionLineFact,
    RepositoryFacts,
    TagFact,
)

__all__ = [
    "BranchFact",
    "CommitFact",
    "CouldNotCheck",
    "FileSnapshot",
    "GitHubFacts",
    "HistoryFacts",
    "HotfixFact",
    "IntegrationFact",
    "PendingMessageFact",
    "ProductionLineFact",
    "RepositoryFacts",
    "TagFact",
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
