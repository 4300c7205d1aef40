"""The policy's waivers: an ``exceptions:`` entry accepts one rule's finding on one commit or branch.

Apart from :mod:`hotfix_lint.policy.model` so that a policy without exceptions (and a git
hook judging with it) never defines the record; the engine decides what a waiver covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Waiver:
    """An ``exceptions:`` entry: a rule waived for one commit or branch, with a reason."""

    rule: str
    reason: str
    commit: str | None = None
    branch: str | None = None
    expires: dt.date | None = None
    where: str = ""  # "file:line" of the entry, for messages
