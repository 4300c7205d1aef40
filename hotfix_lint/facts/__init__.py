"""Plain, frozen data about a repository. No I/O, no pygit2, no PyGithub in here."""

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
    "FileSnapshot",
    "HistoryFacts",
    "HotfixFact",
    "IntegrationFact",
    "PendingMessageFact",
    "ProductionLineFact",
    "RepositoryFacts",
    "TagFact",
]
