"""Which commits the policy names as automation: today the ``merge-commit`` rule's options.

``allow_authors`` and ``allow_messages`` (regular expressions on a commit's author and subject)
are where a policy says which direct commits a bot may make on production (a version bump, a
changelog). Everything that asks "is this automation?" reads them here, in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotfix_lint.policy.model import Policy


@dataclass(frozen=True)
class Automation:
    """The policy's automation: author and subject patterns (empty: nothing is automation)."""

    authors: tuple[re.Pattern[str], ...] = ()
    messages: tuple[re.Pattern[str], ...] = ()


def automation_of(policy: Policy) -> Automation:
    """The automation the policy allows, from ``merge-commit``'s ``allow_authors``/``allow_messages``."""
    setting = policy.rules.get("merge-commit")
    options = setting.options if setting is not None else {}
    return Automation(
        tuple(re.compile(p) for p in options.get("allow_authors", ())),
        tuple(re.compile(p) for p in options.get("allow_messages", ())),
    )
