"""Which policy ``check`` judges by in CI, read as :mod:`hotfix_lint.ci.plan` decided: the
checkout's, the base's commit (a pull request cannot loosen the policy it is judged by) or the
production line's the branch goes into (a push to a hotfix branch cannot loosen it either).
The base's tree is read through :mod:`hotfix_lint.collect.git.tree_policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.errors import UserError
from hotfix_lint.results import shell_command

if TYPE_CHECKING:
    from hotfix_lint.ci.plan import PolicyChoice
    from hotfix_lint.policy.model import Policy


@dataclass(frozen=True)
class LoadedPolicy:
    """The policy, the sentence saying where it came from, and its repository-relative path."""

    policy: Policy
    described: str
    relative_path: str | None


def _relative_to(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def load_check_policy(root: Path, explicit: str | None, choice: PolicyChoice) -> LoadedPolicy:
    """Load the policy from the checkout, the base's commit or the production line's, as ``choice`` says."""
    from hotfix_lint.policy.cache import POLICY_FILE_NAMES
    from hotfix_lint.policy.loader import discover_policy, load_policy

    if choice.origin == "head":
        policy, described = discover_policy(root, Path(explicit) if explicit else None, cache_dir=_validation_cache())
        if choice.explicit and choice.base_branch:
            described += " (read from the pull request head: --policy-from head)"
        if explicit:
            relative = _relative_to(root, Path(explicit))
        else:
            found = [name for name in POLICY_FILE_NAMES if (root / name).is_file()]
            relative = found[0] if found else None
        return LoadedPolicy(policy, described, relative)
    if explicit is not None and _relative_to(root, Path(explicit)) is None:
        policy = load_policy(Path(explicit))
        described = (
            f"using the policy {explicit} (given with --policy; outside the repository, out of a pull request's reach)"
        )
        return LoadedPolicy(policy, described, None)
    if choice.origin == "line":
        return _load_line_policy(root, explicit, choice)
    return _load_from_branch(root, explicit, choice.base_branch or "", choice.base_sha, BASE_ROLE)


@dataclass(frozen=True)
class _Role:
    """How a branch the policy is read from is named in messages, and why it is read from there."""

    name: str
    reason: str


BASE_ROLE = _Role("the base branch", "the pull request cannot loosen it")
DEFAULT_ROLE = _Role("the default branch", "a branch cannot loosen the policy it is judged by")
LINE_ROLE = _Role("the production branch", "a branch cannot loosen the policy it is judged by")


def _load_from_branch(root: Path, explicit: str | None, branch: str, sha: str | None, role: _Role) -> LoadedPolicy:
    """The policy (and the files it extends) as committed on ``branch`` (at ``sha`` when the clone has it)."""
    import tempfile

    from hotfix_lint.collect.git.tree_policy import base_tree
    from hotfix_lint.policy.cache import DEFAULT_PACK, POLICY_FILE_NAMES
    from hotfix_lint.policy.loader import load_pack, load_policy

    tree = base_tree(root, branch, sha)
    where = f"{role.name} {branch} at {tree.commit[:7]}"
    if explicit is not None:
        relative = _relative_to(root, Path(explicit)) or explicit
    else:
        found = tree.find(POLICY_FILE_NAMES)
        if not found:
            policy = load_pack(DEFAULT_PACK)
            names = " or ".join(POLICY_FILE_NAMES)
            return LoadedPolicy(policy, f"using the built-in pack '{DEFAULT_PACK}' ({where} has no {names})", None)
        relative = found[0]
    with tempfile.TemporaryDirectory(prefix="hotfix-lint-policy-") as tmp:
        copied = tree.copy_chain(relative, Path(tmp))
        if not copied:
            raise UserError(
                f"--policy {explicit}: no such file in {where}; in CI the policy is read from {role.name} "
                f"({role.reason}; --policy-from head reads the checkout's)"
            )
        policy = load_policy(Path(tmp) / copied[0], display=copied[0])
    return LoadedPolicy(policy, f"policy {copied[0]} read from {where} ({role.reason})", copied[0])


def _load_line_policy(root: Path, explicit: str | None, choice: PolicyChoice) -> LoadedPolicy:
    """The policy of the production line the branch under check goes into (see
    :mod:`hotfix_lint.collect.git.production_line`): never the branch's own."""
    from hotfix_lint.collect.git.production_line import default_branch, nearest_line
    from hotfix_lint.collect.git.repository import branch_tip, open_repository

    repo = open_repository(root)
    default = default_branch(repo, choice.base_branch)
    if default is None:
        why = "in CI the policy is read from the production branch a branch goes into, never from the branch itself"
        if choice.base_branch:
            fetch = shell_command(["git", "fetch"], "origin", choice.base_branch)
            raise UserError(f"{why}, but the default branch {choice.base_branch} is not in this clone: `{fetch}`")
        raise UserError(
            f"{why}, but this clone does not say which branch is the default one (no origin/HEAD): run "
            "`git remote set-head origin --auto`, name the base with --base NAME, "
            "or read the checkout's policy with --policy-from head"
        )
    first = _load_from_branch(root, explicit, default, None, DEFAULT_ROLE)
    line, sha = default, None
    subject = choice.subject
    if subject is not None and first.policy.is_production_name(subject):
        line, sha = subject, choice.subject_at  # a push to a production line: that line's own policy
    else:
        at = choice.subject_at or (branch_tip(repo, subject) if subject else None) or "HEAD"
        line = nearest_line(repo, first.policy, at, prefer=default) or default
    if (line, sha) == (default, None):
        return first
    return _load_from_branch(root, explicit, line, sha, LINE_ROLE)


def _validation_cache() -> Path | None:
    """Where validated policies are remembered (the hooks' cache), so a policy that has not
    changed is not validated again: that skips importing jsonschema."""
    from hotfix_lint.policy.cache import cache_root, validation_dir

    root = cache_root()
    return validation_dir(root) if root is not None else None
