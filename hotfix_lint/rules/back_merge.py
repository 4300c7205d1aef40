"""Rule ``back-merge``: the integration branch contains every hotfix."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.results import Finding, FindingKind, Severity, merge_into, shell_command
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import DAY, day, short, subjects, where
from hotfix_lint.rules.landing_checks import back_merges


class BackMerge(Rule):
    id = "back-merge"
    summary = "The integration branch contains every hotfix merged into production."
    explanation = """\
A hotfix that never reaches the integration branch is lost at the next regular release,
which overwrites production with the integration line. For each hotfix merged into a
production branch, its tip must be an ancestor of the integration branch's tip: merging the
production branch into the integration branch and merging the hotfix branch into it both
count. A miss younger than `grace_days` (since the merge into production) is a warning
"pending". A squash of the hotfix into the integration branch does not count (its commits
are not ancestors) and is reported with a hint that it was probably squashed. With
`accept_cherry_picks`, a hotfix counts as back-merged when each of its commits reached the
integration branch with the same patch id. When the integration branch has stopped moving
(the first missed hotfix came `retired_after_days` after its last move), one finding says so
instead of one per hotfix; set
`integration: null` or `integration: {branch: ..., retired_since: DATE}` if that is
intended. With `release_branches` (git-flow: "if a release branch currently exists, the
hotfix changes need to be merged into that release branch"), every open release branch
(not merged into production) cut before a hotfix was merged must contain it as well."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        grace_days={
            "type": "integer",
            "minimum": 0,
            "default": 7,
            "description": "Days after the merge into production during which a miss is only pending.",
        },
        accept_cherry_picks={
            "type": "boolean",
            "default": False,
            "description": "Count a hotfix whose every commit reached integration with the same patch id.",
        },
        retired_after_days={
            "type": "integer",
            "minimum": 1,
            "default": 90,
            "description": "Integration counts as retired when the first missed hotfix came this long after "
            "its last move.",
        },
        release_branches={
            "type": "boolean",
            "default": False,
            "description": "Every open release branch cut before a hotfix was merged must contain it too (git-flow).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        history = facts.history
        if history is None:
            return
        grace = int(ctx.options["grace_days"]) * DAY
        if ctx.options.get("release_branches"):
            yield from self._release_branches(facts, grace)
        if history.integration is None:
            if history.integration_missing:
                yield self.finding(
                    f"could not check back-merges: integration branch '{history.integration_missing}' not "
                    "found in this repository",
                    kind=FindingKind.COULD_NOT_CHECK,
                    hint=f"fetch it ({shell_command(['git', 'fetch'], 'origin', history.integration_missing)}), "
                    "or set `integration: null` if the process has none",
                )
            return
        integration = history.integration
        yield from back_merges(self, facts, integration, int(ctx.options["grace_days"]))
        accept_picks = bool(ctx.options["accept_cherry_picks"])
        for line in history.production:
            misses = [
                h
                for h in line.hotfixes
                if h.back_merged is False
                and h.merge is not None
                and not (accept_picks and h.cherry_picked_to_integration)
                and (integration.retired_since is None or h.merge.commit_time < integration.retired_since)
            ]
            if not misses:
                continue
            first_miss = min(h.merge.commit_time for h in misses if h.merge is not None)
            retired = first_miss - integration.tip_time > int(ctx.options["retired_after_days"]) * DAY
            if retired:
                yield self.finding(
                    f"{integration.name} has not moved since {day(integration.tip_time)}; "
                    f"{len(misses)} hotfix(es) merged into {line.name} after that are not in it "
                    f"(newest: {misses[0].label})",
                    ref=integration.name,
                    commit=integration.tip,
                    hint=f"set `integration: null` or `integration: {{branch: {integration.name}, retired_since: "
                    f"{day(integration.tip_time)}}}` if that is intended; otherwise merge {line.name} into "
                    f"{integration.name}",
                )
                continue
            for hotfix in misses:
                yield self._miss(hotfix, integration.name, facts.now, grace)

    def _release_branches(self, facts: RepositoryFacts, grace: int) -> Iterator[Finding]:
        """git-flow: an open release branch must also receive the hotfixes merged after it was cut."""
        history = facts.history
        if history is None:
            return
        hotfixes = [h for line in history.production for h in line.hotfixes if h.merge is not None]
        for release in history.release_branches:
            if not release.open:
                continue
            for hotfix in hotfixes:
                merged_at = hotfix.merged_at or 0
                if merged_at <= release.cut_time or hotfix.tip in release.contains:
                    continue
                age = facts.now - merged_at
                pending = 0 <= age < grace
                yield self.finding(
                    ("pending: " if pending else "")
                    + f"{where(hotfix)} is not in the open release branch {release.name}, cut on "
                    f"{day(release.cut_time)} before the hotfix was merged: the release would ship without it",
                    severity=Severity.WARNING if pending else None,
                    ref=release.name,
                    commit=hotfix.merge.id if hotfix.merge else hotfix.tip,
                    hint=merge_into(release.name, hotfix.source or hotfix.line),
                    subjects=(*subjects(hotfix), release.name),
                )

    def _miss(self, hotfix: HotfixFact, integration: str, now: int, grace: int) -> Finding:
        merged_at = hotfix.merged_at or now
        age = now - merged_at
        merge_back = merge_into(integration, hotfix.line) + (
            f"  (or: {shell_command(['git', 'merge', '--no-ff'], hotfix.source)})" if hotfix.source else ""
        )
        message = (
            f"{where(hotfix)} is not in {integration}: its tip {short(hotfix.tip)} is not an ancestor of {integration}"
        )
        hint = merge_back
        if hotfix.squashed_into_integration:
            message += (
                f"; it was probably squashed into {integration} (commit {short(hotfix.squashed_into_integration)}),"
                " which copies the change but not the commits"
            )
            hint = f"a squash does not count; merge instead: {merge_back}"
        elif hotfix.cherry_picked_to_integration:
            message += f"; its commits were cherry-picked into {integration}"
            hint = (
                f"set the back-merge option accept_cherry_picks: true to count cherry-picks, or: {merge_back}"
            )
        severity = None
        if 0 <= age < grace:
            severity = Severity.WARNING
            message = f"pending: merged into {hotfix.line} {age // DAY} day(s) ago; " + message
        return self.finding(
            message,
            severity=severity,
            ref=hotfix.source or hotfix.line,
            commit=hotfix.merge.id if hotfix.merge else hotfix.tip,
            hint=hint,
            subjects=subjects(hotfix),
        )
