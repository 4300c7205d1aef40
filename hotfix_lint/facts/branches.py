"""Where each hotfix and release branch stands: merged, contained, still there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HotfixBranchFact:
    """A branch (local or remote-tracking) named like a hotfix branch, and how far it got.

    ``merged_into`` is the production line whose history contains its tip (``None``: not
    merged yet); ``merged_at`` the commit time of the merge that brought it there, when one
    of the collected hotfixes did; ``in_integration`` whether the integration branch contains
    the tip (``None`` when the policy has no integration branch or it is missing).
    """

    name: str
    ref: str
    tip: str
    tip_time: int
    remote: str | None = None
    merged_into: str | None = None
    merged_at: int | None = None
    in_integration: bool | None = None

    @property
    def display(self) -> str:
        return f"{self.remote}/{self.name}" if self.remote else self.name


@dataclass(frozen=True, slots=True)
class ReleaseBranchFact:
    """A release branch: where it was cut, whether it is still open, which hotfixes it has.

    ``cut_time`` is the commit time of its base (the newest commit it shares with the
    integration or production branch); ``contains`` the tips of the hotfixes merged into
    production after that time that the release branch already contains.
    """

    name: str
    ref: str
    tip: str
    base: str | None
    cut_time: int
    open: bool
    contains: frozenset[str] = frozenset()
