"""What ``check`` judges, and by which policy, when it runs for a pull request, a push or a merge queue.

A required status check must judge the change under review, not the repository's past, and
by rules the change cannot rewrite:

* **pull request** (GitHub Actions ``pull_request``, or ``--base NAME`` elsewhere): the head
  branch at its head commit, judged against the base line only; production history is not
  judged (a push to the production branch does that). A head that is the integration, a
  release or a production branch is not a hotfix: nothing to judge; but only this repository's
  own branch at its tip is that branch: a fork's ``main``, or a head whose commit is not the
  tip of ``origin/NAME``, is judged as a hotfix branch like any other head.
* **merge group** (merge queue): the queue's commit as a push onto the base: only what it
  adds to that line is judged.
* **push**: to a production branch, only what the push adds; to a hotfix branch, that
  branch at the pushed commit; anything else, as a local run.
* **policy**: in CI, when a base is known, the policy is read from the base's commit (a
  pull request cannot loosen the policy it is judged by), unless ``--policy-from head``; with
  no base (a push, another CI's run without ``--base``), from the production line the branch
  goes into: the default branch's, or the nearest production branch's by that policy (a push
  to a hotfix branch cannot loosen it either).
* **status**: only a verdict on a change into a known base, by a policy the change cannot
  edit, is posted under the required context (:func:`hotfix_lint.ci.publish.status_context`).

The decisions are pure (:func:`plan_check`); :func:`hotfix_lint.ci.policy.load_check_policy` reads
the policy accordingly. No pygit2 here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hotfix_lint.ci.context import GITHUB_ACTIONS, CIContext
from hotfix_lint.errors import UserError

if TYPE_CHECKING:
    from hotfix_lint.policy.model import Policy

POLICY_FROM = ("auto", "base", "head")


@dataclass(frozen=True)
class CheckPlan:
    """What one ``check`` judges.

    ``branch`` at ``branch_at`` (None: the branch's tip), against ``line`` only (None: the
    nearest production line; ``line_at``: the line's commit when the clone lacks the branch);
    ``push`` = (line, new tip, old tip): only what that adds to the line; ``history``: the
    production history since ``since``; ``status_sha``: the commit a posted status belongs to;
    ``reviews``: the verdict is on a change into a known base (a pull request, a merge group,
    ``--base``), the only verdict that may stand for a pull request's required status.
    """

    branch: str | None = None
    branch_at: str | None = None
    line: str | None = None
    line_at: str | None = None
    push: tuple[str, str, str | None] | None = None
    history: bool = True
    status_sha: str | None = None
    notes: tuple[str, ...] = field(default=())
    reviews: bool = False


@dataclass(frozen=True)
class PolicyChoice:
    """Where the policy comes from: ``base`` (the base branch's commit), ``line`` (the production
    line the branch under check goes into, found in the repository) or ``head`` (the checkout).

    For ``line``: ``subject`` is the branch under check (None: none is named), ``subject_at`` its
    commit (a push's), ``base_branch`` the default branch the CI names (None: ``origin/HEAD``).
    """

    origin: str
    base_branch: str | None = None
    base_sha: str | None = None
    explicit: bool = False
    subject: str | None = None
    subject_at: str | None = None

    @property
    def change_cannot_edit(self) -> bool:
        """The policy was not read from the checkout, which the change under review controls."""
        return self.origin != "head"


def is_line(policy: Policy, name: str) -> bool:
    """A branch a change can be judged against: a production or promotion branch."""
    return policy.is_production_name(name) or policy.is_promotion_name(name)


def _not_a_hotfix(policy: Policy, name: str) -> str | None:
    if policy.is_integration_name(name):
        return "the integration branch"
    if policy.is_release_name(name):
        return "a release branch"
    if policy.is_production_name(name):
        return "a production branch"
    return None


def check_base(policy: Policy, base: str) -> None:
    """``--base`` must name a production or promotion branch of the policy."""
    if not is_line(policy, base):
        lines = ", ".join(policy.production)
        promotion = f"; promotion branches: {policy.promotion_branch}" if policy.promotion_branch else ""
        raise UserError(
            f"--base {base}: not a production or promotion branch of the policy "
            f"(production: {lines}{promotion}); name the branch the change goes into"
        )


def choose_policy(
    mode: str,
    ci: CIContext | None,
    base_arg: str | None,
    *,
    in_ci: bool,
    branch_arg: str | None = None,
    current_branch: str | None = None,
) -> PolicyChoice:
    """``--policy-from``: ``auto`` reads the base's policy in CI when a base is known, and the
    production line's otherwise (a push cannot loosen the policy it is judged by either)."""
    branch: str | None = None
    sha: str | None = None
    if base_arg is not None:
        branch = base_arg
        sha = ci.base_sha if ci is not None and ci.base_branch == base_arg else None
    elif ci is not None and (ci.is_pull_request or ci.is_merge_group):
        branch, sha = ci.base_branch, ci.base_sha
    if mode == "head":
        return PolicyChoice("head", branch, sha, explicit=True)
    if mode == "base":
        if branch is None:
            raise UserError(
                "--policy-from base: no base branch is known (no pull request or merge group event); "
                "name it with --base NAME"
            )
        return PolicyChoice("base", branch, sha, explicit=True)
    if branch is not None and in_ci:
        return PolicyChoice("base", branch, sha)
    if in_ci and mode == "auto":
        pushed = ci is not None and ci.is_push and ci.head_branch is not None
        subject = branch_arg or (ci.head_branch if ci is not None and pushed else None) or current_branch
        at = ci.head_sha if ci is not None and pushed and subject == ci.head_branch else None
        default = ci.default_branch if ci is not None else None
        return PolicyChoice("line", default, subject=subject, subject_at=at)
    return PolicyChoice("head", branch, sha)


def plan_check(
    policy: Policy,
    ci: CIContext | None,
    *,
    branch_arg: str | None,
    base_arg: str | None,
    current_branch: str | None,
    head_tip: str | None = None,
    checkout_at: str | None = None,
) -> CheckPlan:
    """Decide what to judge (see the module docstring). ``current_branch``: the checked-out
    branch (None when detached); ``head_tip``: the commit of this repository's branch named like
    the branch under check (``--branch``, else the pull request's head; None when it has none);
    ``checkout_at``: the change a detached CI checkout holds (another CI's merge request)."""
    plan = _plan(policy, ci, branch_arg, base_arg, current_branch, head_tip, checkout_at)
    reviews = base_arg is not None or (ci is not None and (ci.is_pull_request or ci.is_merge_group))
    return replace(plan, reviews=reviews)


def _plan(
    policy: Policy,
    ci: CIContext | None,
    branch_arg: str | None,
    base_arg: str | None,
    current_branch: str | None,
    head_tip: str | None,
    checkout_at: str | None,
) -> CheckPlan:
    notes: list[str] = []
    if ci is not None and ci.provider == GITHUB_ACTIONS:
        notes.append(ci.describe())
    if base_arg is not None:
        check_base(policy, base_arg)
    pull = ci is not None and ci.is_pull_request
    if branch_arg is not None:
        at = ci.head_sha if ci is not None and pull and branch_arg == ci.head_branch else None
        if at is None and checkout_at is not None and checkout_at != head_tip:
            # a fork's merge request: the name is the fork's, the commit is the one checked out
            here = f"its tip here is {head_tip[:10]}" if head_tip else f"this clone has no branch {branch_arg}"
            notes.append(f"judged {branch_arg} at the commit checked out, {checkout_at[:10]} ({here})")
            at = checkout_at
        line, line_at = _line_for(policy, ci, base_arg)
        return CheckPlan(
            branch=branch_arg,
            branch_at=at,
            line=line,
            line_at=line_at,
            history=base_arg is None and not pull,
            status_sha=at,
            notes=tuple(notes),
        )
    if ci is not None and pull and ci.head_branch:
        return _pull_request(policy, ci, base_arg, notes, head_tip)
    if ci is not None and ci.is_merge_group and ci.base_branch:
        if ci.head_sha and policy.is_production_name(ci.base_branch):
            notes.append(f"judged what the merge group adds to {ci.base_branch}")
            return CheckPlan(
                push=(ci.base_branch, ci.head_sha, ci.base_sha),
                status_sha=ci.head_sha,
                notes=tuple(notes),
            )
        notes.append(f"the merge group goes into {ci.base_branch}, not a production branch: nothing to judge")
        return CheckPlan(history=False, status_sha=ci.head_sha, notes=tuple(notes))
    if ci is not None and ci.is_push and ci.head_branch and ci.head_sha:
        name = ci.head_branch
        if policy.is_production_name(name):
            notes.append(f"judged what the push adds to {name}")
            return CheckPlan(push=(name, ci.head_sha, ci.before_sha), status_sha=ci.head_sha, notes=tuple(notes))
        notes.append(
            f"a push to {name}, not a production branch: this run's verdict stands for no pull request "
            "(trigger the required check's workflow on pull_request, not on push)"
        )
        if _not_a_hotfix(policy, name) is None and policy.looks_like_hotfix(name):
            line, line_at = _line_for(policy, ci, base_arg)
            return CheckPlan(
                branch=name, branch_at=ci.head_sha, line=line, history=False, status_sha=ci.head_sha, notes=tuple(notes)
            )
    if base_arg is not None:
        if current_branch is None:
            raise UserError(
                f"--base {base_arg}: name the branch to judge with --branch NAME (HEAD is detached)"
            )
        return CheckPlan(branch=current_branch, line=base_arg, history=False, notes=tuple(notes))
    branch = None
    if (
        current_branch is not None
        and not policy.is_production_name(current_branch)
        and not policy.is_integration_name(current_branch)
        and policy.looks_like_hotfix(current_branch)
    ):
        branch = current_branch
    return CheckPlan(branch=branch, notes=tuple(notes))


def _named_like(ci: CIContext, head_tip: str | None) -> str | None:
    """Why a pull request's head named like the integration, a release or a production branch is
    not that branch (None when it is: same repository, and its commit is that branch's tip).

    Anyone can open a pull request from a fork's ``main``, or push a new ``release/x``; only the
    repository's own branch, at its tip, is exempt from being judged as a hotfix.
    """
    head = ci.head_branch or ""
    if ci.is_fork:
        return f"comes from another repository ({ci.head_repo})"
    if head_tip is None:
        return f"this repository has no branch {head} (origin/{head} is not in the clone)"
    if ci.head_sha is None or ci.head_sha != head_tip:
        at = ci.head_sha[:10] if ci.head_sha else "unknown"
        return f"its commit ({at}) is not the tip of {head} ({head_tip[:10]})"
    return None


def _line_for(policy: Policy, ci: CIContext | None, base_arg: str | None) -> tuple[str | None, str | None]:
    """The line to judge against: ``--base``, else the pull request's base when it is a line."""
    if base_arg is not None:
        sha = ci.base_sha if ci is not None and ci.base_branch == base_arg else None
        return base_arg, sha
    if ci is not None and ci.is_pull_request and ci.base_branch and is_line(policy, ci.base_branch):
        return ci.base_branch, ci.base_sha
    return None, None


def _pull_request(
    policy: Policy,
    ci: CIContext,
    base_arg: str | None,
    notes: list[str],
    head_tip: str | None,
) -> CheckPlan:
    head = ci.head_branch or ""
    base = base_arg or ci.base_branch or ""
    what = _not_a_hotfix(policy, head)
    if what is not None:
        imposter = _named_like(ci, head_tip)
        if imposter is None:
            notes.append(f"the pull request's head {head} is {what}, not a hotfix branch: nothing to judge")
            return CheckPlan(history=False, status_sha=ci.head_sha, notes=tuple(notes))
        if ci.head_sha is None:
            raise UserError(
                f"the pull request's head {head} is named like {what} but {imposter}, and its commit is unknown: "
                "the event file gives no pull_request.head.sha"
            )
        notes.append(f"the pull request's head {head} is named like {what} but {imposter}: judged as a hotfix branch")
    line, line_at = _line_for(policy, ci, base_arg)
    if line is None:
        if not policy.looks_like_hotfix(head):
            notes.append(
                f"the pull request goes from {head} into {base}, which is not a production branch: nothing to judge"
            )
            return CheckPlan(history=False, status_sha=ci.head_sha, notes=tuple(notes))
        notes.append(f"the pull request's base {base} is not a production branch: {head} is judged against production")
    return CheckPlan(
        branch=head,
        branch_at=ci.head_sha,
        line=line,
        line_at=line_at,
        history=False,
        status_sha=ci.head_sha,
        notes=tuple(notes),
    )
