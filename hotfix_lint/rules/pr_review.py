"""Rule ``pr-review``: every hotfix pull request was approved by someone else before its merge."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import CouldNotCheck, RepositoryFacts
from hotfix_lint.facts.github import PullRequestFact, ReviewFact
from hotfix_lint.facts.kinds import GITHUB_PULLS
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import day
from hotfix_lint.rules.github_common import (
    could_not,
    matches_any,
    not_collected,
    promotion_patterns,
    quoted,
    since_time,
    words,
)


class PullRequestReview(Rule):
    id = "pr-review"
    summary = "Every hotfix pull request was approved by someone other than its author before it was merged."
    explanation = """\
Review is the one step of a hotfix that no tool can do for you, and the step most often
skipped in a hurry. For every merged pull request into a production branch or a promotion
branch that is a hotfix (its head is neither the integration branch nor a release branch),
the reviews GitHub recorded must show at least `min_approvals` approvals, each by someone
other than the pull request's author and submitted before the merge. A reviewer's latest
review before the merge counts (an approval later dismissed or followed by "changes
requested" does not); an approval after the merge is named in the message but does not count.

GitHub lists the most recently updated closed pull requests per branch (a bounded number;
the report says when the list was cut), and pull requests merged before the policy's `since`
date are not judged. Reading pull requests and reviews needs `Pull requests: read`; what
cannot be read is "could not check", never a pass."""
    default_severity = Severity.ERROR
    requires = frozenset({GITHUB_PULLS})
    options_schema = options_object(
        min_approvals={
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Approvals by others than the author a hotfix pull request needs before its merge.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        github = facts.github
        if github is None:
            yield not_collected(self)
            return
        pulls = github.pulls
        if isinstance(pulls, CouldNotCheck):
            yield could_not(self, [pulls])
            return
        policy = ctx.policy
        promotion = promotion_patterns(policy)
        since = since_time(policy)
        minimum = int(ctx.options["min_approvals"])
        unknown: list[CouldNotCheck] = []
        for pull in pulls:
            if pull.merged_at is None or (since is not None and pull.merged_at < since):
                continue
            if not matches_any(promotion, pull.base_ref) and not policy.is_production_name(pull.base_ref):
                continue
            head = pull.head_ref
            if policy.is_allowed_feeder(head) or policy.is_production_name(head):
                continue
            if isinstance(pull.reviews, CouldNotCheck):
                unknown.append(pull.reviews)
                continue
            before, after = _approvers(pull, pull.reviews)
            if len(before) >= minimum:
                continue
            yield self._unreviewed(pull, before, after, minimum)
        if unknown:
            yield could_not(self, unknown)

    def _unreviewed(self, pull: PullRequestFact, before: list[str], after: list[str], minimum: int) -> Finding:
        merged = day(pull.merged_at) if pull.merged_at is not None else "?"
        author = pull.author or "unknown author"
        if before:
            had = f"only {len(before)} approval(s) ({words(quoted(before))}) of the {minimum} required"
        else:
            had = "no approving review from anyone but its author"
        late = f"; approved only after the merge by {words(quoted(after))}" if after else ""
        return self.finding(
            f"pull request #{pull.number} ({pull.head_ref} into {pull.base_ref}, by {author}, merged {merged}) had "
            f"{had} before it was merged{late}",
            ref=pull.head_ref,
            commit=pull.merge_commit_sha,
            hint=(
                "require approving reviews on the branch (branch protection or a ruleset: 'Require a pull "
                "request before merging', 'Require approvals'); to accept this one, add to the policy: "
                f"exceptions: [{{rule: pr-review, branch: {pull.head_ref}, reason: \"...\"}}]"
            ),
            subjects=tuple(s for s in (f"#{pull.number}", pull.head_ref, pull.merge_commit_sha) if s),
        )


def _approvers(pull: PullRequestFact, reviews: tuple[ReviewFact, ...]) -> tuple[list[str], list[str]]:
    """Logins whose latest review before the merge approves (the author excluded), and those
    who approved only after it."""
    merged = pull.merged_at
    latest: dict[str, str] = {}
    late: set[str] = set()
    for review in sorted(reviews, key=lambda r: r.submitted_at or 0):
        if review.user is None or review.user == pull.author or review.state in ("COMMENTED", "PENDING"):
            continue
        if merged is not None and review.submitted_at is not None and review.submitted_at > merged:
            if review.state == "APPROVED":
                late.add(review.user)
            continue
        latest[review.user] = review.state
    before = sorted(u for u, state in latest.items() if state == "APPROVED")
    return before, sorted(late - set(before))
