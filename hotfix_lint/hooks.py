"""Git hook stages for pre-commit: ``hotfix-lint hook pre-commit | commit-msg FILE | pre-push``.

Each stage runs the policy, rules and engine of ``hotfix-lint check`` over facts gathered for
what is about to happen, with the rules of its stage:

* ``pre-commit``: on a hotfix branch, ``branch-name``, and ``changelog-entry`` with the staged
  changes counted as the branch's (a warning until the push: the entry may come later);
* ``commit-msg FILE``: on a hotfix branch, ``ticket-reference`` on the message being written
  (an opt-in rule: only when the policy names it);
* ``pre-push``: a hotfix branch is judged as the commit being pushed (``branch-name``,
  ``hotfix-base``, ``ticket-reference``, ``changelog-entry``); a push to a production branch
  is judged by what it adds: ``merge-commit`` on its first-parent commits (a direct push, a
  squash or a fast-forward is refused when the policy forbids them) and the branch rules on
  the hotfixes it merges. pre-commit names the push in ``PRE_COMMIT_FROM_REF``,
  ``PRE_COMMIT_TO_REF``, ``PRE_COMMIT_REMOTE_BRANCH`` and ``PRE_COMMIT_LOCAL_BRANCH``.

Off a hotfix branch a hook prints nothing and exits 0; it exits 1 when a finding is an
error (warnings are printed, and pre-commit shows them with ``verbose: true``), and 2 with
the policy's problems when the policy is broken.

Speed: a hook runs on every commit. The branch name is read from ``.git/HEAD``; pygit2 is
imported only on a hotfix branch at pre-commit and pre-push; the commit-msg stage never
imports it; the policy comes from the user's cache (:mod:`hotfix_lint.policy.cache`) without
PyYAML or jsonschema while no policy file changed; only the stage's rules and the hook
reporter are imported; PyGithub never is. A frozen dataclass costs about a millisecond to
define, so a hook judging a branch defines only the records it fills in: not the history
walk's (``collect.git.history``, ``facts.history``, ``facts.refs``), a waiver's unless the policy
has exceptions, nor the report's until there is something to print.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint import TOOL_NAME, __version__
from hotfix_lint.errors import EXIT_OK, EXIT_VIOLATIONS, PolicyError, UserError, unreadable_repository
from hotfix_lint.hook_arguments import (
    HOOK_IDS,
    PRODUCTION_PUSH_RULES,
    STAGE_RULES,
    WARN_BEFORE_PUSH,
    ZERO_SHA,
    HookArguments,
    parse_arguments,
)

if TYPE_CHECKING:
    from hotfix_lint.collect.git.checkout import Checkout
    from hotfix_lint.engine import SelectedRule
    from hotfix_lint.facts import RepositoryFacts
    from hotfix_lint.policy.model import Policy
    from hotfix_lint.rules.base import Rule


def main(argv: Sequence[str] | None = None) -> int:
    """``hotfix-lint hook STAGE [FILE]``: exit 0 (fine, or not a hotfix branch), 1 (errors), 2."""
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        if args.stage == "pre-commit":
            return _pre_commit(args)
        if args.stage == "commit-msg":
            return _commit_msg(args)
        return _pre_push(args)
    except PolicyError as exc:
        sys.stderr.write(
            f"{TOOL_NAME}: the policy is broken, so the {args.stage} hook cannot check anything:\n{exc}\n"
            f"fix the lines above (`{TOOL_NAME} check` shows them too), then try again\n"
        )
        return exc.exit_status
    except UserError as exc:
        sys.stderr.write(f"{TOOL_NAME}: error: {exc}\n")
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        unreadable = unreadable_repository(exc)
        if unreadable is None:
            raise
        sys.stderr.write(f"{TOOL_NAME}: error: {unreadable}\n")
        return unreadable.exit_status


# --------------------------------------------------------------------------- stages


def _pre_commit(args: HookArguments) -> int:
    checkout = _checkout(args.repo)
    branch = checkout.branch
    if branch is None or checkout.workdir is None:
        return EXIT_OK
    policy = _policy(checkout, args.policy)
    if not is_hotfix_branch(policy, branch):
        return EXIT_OK
    selected = _select(policy, STAGE_RULES["pre-commit"], warn=WARN_BEFORE_PUSH)
    if not selected:
        return EXIT_OK
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.git.checkout import branch_has_commits
    from hotfix_lint.facts.kinds import GIT_BRANCH

    if not branch_has_commits(checkout):
        return EXIT_OK  # the first commit on this branch: no history to judge yet
    index_file = os.environ.get("GIT_INDEX_FILE")  # git commit -a / git commit PATH use a temporary index
    facts = gather(
        checkout.root,
        policy,
        frozenset({GIT_BRANCH}),
        branch=branch,
        since=None,
        now=int(time.time()),
        staged=True,
        index_file=os.path.abspath(index_file) if index_file else None,
    )
    return _judge(
        facts,
        policy,
        selected,
        f"hotfix branch '{branch}' with the staged changes",
        "pre-commit",
        {"changelog-entry": "changelog-entry only warns before the push; the pre-push hook refuses the branch"},
    )


def _commit_msg(args: HookArguments) -> int:
    if len(args.files) != 1:
        raise UserError(
            f"hook commit-msg: expected the commit message file (pre-commit passes it), got {len(args.files)} files"
        )
    checkout = _checkout(args.repo)
    branch = checkout.branch
    if branch is None:
        return EXIT_OK
    policy = _policy(checkout, args.policy)
    if not is_hotfix_branch(policy, branch):
        return EXIT_OK
    selected = _select(policy, STAGE_RULES["commit-msg"])
    if not selected:
        return EXIT_OK
    from hotfix_lint.collect.git.checkout import gather_message

    try:
        text = Path(args.files[0]).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"hook commit-msg: cannot read {args.files[0]}: {exc.strerror or exc}") from exc
    facts = gather_message(checkout, text, int(time.time()))
    return _judge(facts, policy, selected, f"the commit message for hotfix branch '{branch}'", "commit-msg")


def _pre_push(args: HookArguments) -> int:
    env = os.environ
    remote: str | None = args.remote_branch or env.get("PRE_COMMIT_REMOTE_BRANCH")
    to_ref: str | None = args.to_ref or env.get("PRE_COMMIT_TO_REF")
    from_ref: str | None = args.from_ref or env.get("PRE_COMMIT_FROM_REF")
    local: str | None = args.local_branch or env.get("PRE_COMMIT_LOCAL_BRANCH")
    checkout = _checkout(args.repo)
    if remote is None:  # run by hand: the current branch, as it is
        remote = checkout.branch
        from_ref = None
    if remote is None or to_ref == ZERO_SHA:
        return EXIT_OK  # nothing named, or a branch being deleted
    if remote.startswith("refs/") and not remote.startswith("refs/heads/"):
        return EXIT_OK  # tags, notes
    target = remote.removeprefix("refs/heads/")
    tip = to_ref or local or target
    if from_ref == ZERO_SHA:
        from_ref = None
    policy = _policy(checkout, args.policy)
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.facts.kinds import CHANGED_PATHS, GIT_BRANCH, GIT_HISTORY

    now = int(time.time())
    if policy.is_production_name(target):
        selected = _select(policy, PRODUCTION_PUSH_RULES)
        if not selected:
            return EXIT_OK
        paths = {CHANGED_PATHS} & {kind for s in selected for kind in s.rule.requires}
        facts = gather(
            checkout.root, policy, frozenset({GIT_HISTORY, *paths}), branch=None, since=None, now=now,
            push=(target, tip, from_ref),
        )  # fmt: skip
        what = f"{_short(from_ref)}..{_short(tip)}" if from_ref else _short(tip)
        return _judge(facts, policy, selected, f"the push of {what} to production branch '{target}'", "pre-push")
    if not is_hotfix_branch(policy, target):
        return EXIT_OK
    selected = _select(policy, STAGE_RULES["pre-push"])
    if not selected:
        return EXIT_OK
    facts = gather(checkout.root, policy, frozenset({GIT_BRANCH}), branch=target, since=None, now=now, branch_at=tip)
    return _judge(facts, policy, selected, f"hotfix branch '{target}' as pushed ({_short(tip)})", "pre-push")


# --------------------------------------------------------------------------- shared steps


def is_hotfix_branch(policy: Policy, name: str) -> bool:
    """Is ``name`` a hotfix branch, or trying to be one (``check`` judges the same branches)?"""
    if policy.is_production_name(name) or policy.is_integration_name(name) or policy.is_release_name(name):
        return False
    return policy.looks_like_hotfix(name)


def _checkout(repo: str) -> Checkout:
    from hotfix_lint.collect.git.checkout import Checkout, find_checkout

    checkout = find_checkout(Path(repo))
    if checkout.readable:
        return checkout
    # refs in a format plain files do not show (reftable): ask pygit2
    from hotfix_lint.collect.gather import current_branch
    from hotfix_lint.collect.git.repository import open_repository

    branch, _ = current_branch(open_repository(Path(repo)))
    return Checkout(checkout.git_dir, checkout.workdir, branch)


def _policy(checkout: Checkout, explicit: str | None) -> Policy:
    """The policy ``check`` would use for the present (with ``eras``, the era begun most
    recently), from the cache while no file of it changed."""
    return _whole_policy(checkout, explicit).era_now(int(time.time()))


def _whole_policy(checkout: Checkout, explicit: str | None) -> Policy:
    from hotfix_lint.policy import cache

    given = Path(explicit) if explicit else None
    top, pack = cache.policy_path(checkout.root, given)
    root = cache.cache_root()
    if root is not None:
        found = cache.cached_policy(root, top)
        if found is not None:
            return found
    from hotfix_lint.policy.loader import discover_policy, policy_files

    policy, _ = discover_policy(checkout.root, given, cache_dir=cache.validation_dir(root) if root else None)
    if root is not None:
        cache.remember(root, top, policy, policy_files(top, pack=pack))
    return policy


def stage_rule_classes(ids: Sequence[str]) -> list[type[Rule]]:
    """The rule classes of ``ids``, in that order, importing only their modules (a rule's module
    is named after its id; the registry would import every rule). A test checks them against
    the registry."""
    import importlib

    from hotfix_lint.rules.base import Rule

    found: list[type[Rule]] = []
    for rule_id in ids:
        module = importlib.import_module(f"hotfix_lint.rules.{rule_id.replace('-', '_')}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__dict__.get("id") == rule_id
        ]
    return found


def _select(policy: Policy, ids: Sequence[str], warn: frozenset[str] = frozenset()) -> list[SelectedRule]:
    """The stage's rules the policy leaves on (opt-in rules only when it names them)."""
    from hotfix_lint.engine import cap_severity, select_rules
    from hotfix_lint.results import Severity

    selected = select_rules(policy, rules=stage_rule_classes(ids))
    return cap_severity(selected, warn, Severity.WARNING) if warn else selected


def _judge(
    facts: RepositoryFacts,
    policy: Policy,
    selected: list[SelectedRule],
    subject: str,
    stage: str,
    notes: Mapping[str, str] | None = None,
) -> int:
    """Run the engine; print the findings (nothing when there are none); the exit status."""
    from hotfix_lint.engine import evaluate

    ids = {s.rule.id for s in selected}
    violations = tuple(v for v in evaluate(facts, policy, selected) if v.rule in ids)  # as of facts.now
    if not any(not v.waived for v in violations):
        return EXIT_OK
    from hotfix_lint.report.model import Report  # only when there is something to print

    report = Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        repository=facts.repository,
        policy=_relative(policy.source, facts.repository),
        violations=violations,
        rules_run=tuple(s.rule.id for s in selected),
        notes=(subject, *[n for rule, n in (notes or {}).items() if any(v.rule == rule for v in violations)]),
    )
    from hotfix_lint.report import get_reporter

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    get_reporter("hook").write(report, sys.stdout, color=color)
    if report.errors:
        verb = "push" if stage == "pre-push" else "commit"
        sys.stdout.write(f"(to skip this check once: SKIP={HOOK_IDS[stage]} git {verb} ...)\n")
        return EXIT_VIOLATIONS
    return EXIT_OK


def _relative(path: str, root: str) -> str:
    """A policy inside the repository is named from its top, as the user wrote it."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return path


def _short(rev: str | None) -> str:
    if rev is None:
        return "?"
    is_hex = len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)
    return rev[:10] if is_hex else rev
