"""The inferred policy as text, and loaded: what ``init`` writes, and what ``check`` and
``hotfixes`` use when the repository has no policy.

The text is loaded back before it is used or kept (a temporary file: the loader reads files),
so neither ``init`` nor ``check`` ever acts on a policy the loader would refuse.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.infer.render import Proposal, policy_yaml, propose
from hotfix_lint.policy.model import Policy

if TYPE_CHECKING:
    from hotfix_lint.collect.git.inference import Repository


def repository_name(repo: Repository) -> str:
    """How the header names the repository: its working tree's (or bare directory's) folder."""
    path = Path(repo.workdir or repo.path).resolve()
    return path.parent.name if path.name in ("repo", ".git") else path.name


def inferred_proposal(repo: Repository) -> Proposal:
    from hotfix_lint.infer.run import infer_repository

    return propose(infer_repository(repo))


def inferred_text(repo: Repository, proposal: Proposal, today: dt.date | None = None) -> str:
    return policy_yaml(proposal, repository_name(repo), today)


def load_text(text: str, source: str) -> Policy:
    """Load (and so validate) a policy given as text; ``source`` names it in reports."""
    from dataclasses import replace

    from hotfix_lint.policy.loader import load_policy

    with tempfile.TemporaryDirectory(prefix="hotfix-lint-inferred-") as tmp:
        path = Path(tmp) / ".hotfix-lint.yaml"
        path.write_text(text, encoding="utf-8")
        policy = load_policy(path, display=source)
    return replace(policy, source=source)


def inferred_policy(repo: Repository, missing: str = "no .hotfix-lint.yaml") -> tuple[Policy, str] | None:
    """The policy the history shows, for a repository without one, and the sentence saying so
    (``missing``: where no policy was found); ``None`` when the history shows no production line
    (the default pack then stands)."""
    from hotfix_lint.infer.render import summary

    proposal = inferred_proposal(repo)
    if "production" not in proposal.inference.values:
        return None
    policy = load_text(inferred_text(repo, proposal), "inferred from the history")
    thin = "; thin evidence, the pack's hotfix pattern stands" if proposal.inference.thin else ""
    return policy, (
        f"{missing}: using a policy inferred from the history ({summary(proposal)}{thin}); "
        "keep it (with its evidence) with `hotfix-lint init`"
    )


def unless_no_policy(repo: Repository, policy: Policy, described: str) -> tuple[Policy, str]:
    """``policy`` as found, or, when none was (the built-in default pack stood in), the inferred
    one: ``check`` and ``hotfixes`` judge a repository without a policy by the same inference.
    The sentence keeps where the policy was looked for (the root, a pull request's base)."""
    from hotfix_lint.policy.cache import DEFAULT_PACK

    if policy.source != f"pack:{DEFAULT_PACK}":
        return policy, described
    stood_in = f"using the built-in pack '{DEFAULT_PACK}' ("
    missing = described[len(stood_in) : -1] if described.startswith(stood_in) and described.endswith(")") else None
    return inferred_policy(repo, *([missing] if missing else [])) or (policy, described)
