"""Rule ``back-merge``: the integration branch contains every hotfix."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.history import BACK_MERGE_FORMS, DEFAULT_GRACE_DAYS, BackMergeFact, back_merge_due
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, Severity, merge_into
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import DAY, day, short, subjects, waiver_hint, where
from hotfix_lint.rules.hints import (
    back_merge_commands,
    branch_exists,
    is_main_line,
    missing_integrations,
    port_commands,
)
from hotfix_lint.rules.landing_checks import back_merges


class BackMerge(Rule):
    id = "back-merge"
    summary = "The integration branch contains every hotfix merged into production."
    explanation = """\
A hotfix that never reaches the integration branch is lost at the next regular release,
which overwrites production with the integration line. The back-merge is judged at the time
it was due: the integration branch must have received each hotfix merged into a production
branch within `grace_days` of that merge, not "by any path, by today" (a hotfix that reached
it months later through an unrelated merge of production was missed when it mattered). When
integration received it is when the hotfix's tip first became reachable from integration's
first-parent chain, or when the earliest copy arrived: a squash of the whole change, or a
cherry-pick of each commit (same patch id, `-x` trailer, or the author and date a pick
keeps); a copy by patch id counts when the step of integration's first-parent chain that
brought it changed the hotfix's paths (a topic that re-made the fix and undid it before its
merge gave integration nothing), and not at all for a hotfix whose tree is another project's,
merged in as a subtree (git-gui's into git: none of its top-level entries is integration's and
it has not half of integration's names), whose `po/de.po` is not integration's `po/de.po`;
`grace_days: 0` means the same day. A miss younger than
`grace_days` is a warning "pending". Option `form`, the form the process requires: `any` (default: the hotfix branch
merged, production or its tag merged as git-flow AVH does with `Merge tag 'X' into develop`,
a fast-forward, a squash, cherry-picks) or `merge` (the same hotfix branch merged into
integration with a merge commit; `accept_cherry_picks` then also counts cherry-picks). A
squash back-merge later covered by a merge of production is still a squash back-merge. A
hotfix squashed, rebased or fast-forwarded onto production is judged the same way: integration
must have had it (by ancestry, its patch id or its subject) within `grace_days` of its landing. When
the integration branch has stopped moving (the first missed hotfix came `retired_after_days`
after its last move), one finding says so instead of one per hotfix; set `integration: null`
or `integration: {branch: ..., retired_since: DATE}` if that is intended. With
`release_branches` (git-flow: "if a release branch currently exists, the hotfix changes need
to be merged into that release branch"), every open release branch (not merged into
production) cut before a hotfix was merged must contain it as well."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        grace_days={
            "type": "integer",
            "minimum": 0,
            "default": DEFAULT_GRACE_DAYS,
            "description": "Days after the merge into production by which integration must have the hotfix; "
            "a miss younger than this is only pending.",
        },
        form={
            "enum": ["any", "merge"],
            "default": "any",
            "description": "The back-merge the process requires: any form (merge, production or tag merged, "
            "squash, cherry-picks), or the hotfix branch merged with a merge commit.",
        },
        accept_cherry_picks={
            "type": "boolean",
            "default": False,
            "description": "With form: merge, also count a hotfix whose every commit reached integration as a "
            "cherry-pick.",
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
            yield from self._release_branches(facts, ctx.policy, grace)
        yield from missing_integrations(self, history, "back-merges")
        yield from back_merges(self, facts, int(ctx.options["grace_days"]))
        forms = _FORMS[str(ctx.options["form"])]
        if ctx.options["accept_cherry_picks"]:
            forms = forms | {"cherry-pick"}
        for line in history.production:
            integration = history.integration_of(line)  # a line without one is not judged
            if integration is None:
                continue
            misses = [
                h
                for h in line.hotfixes
                if h.merge is not None
                and _in_time(h, forms, grace) is None
                and (integration.retired_since is None or h.merge.commit_time < integration.retired_since)
            ]
            if not misses:
                continue
            first_miss = min(h.merge.commit_time for h in misses if h.merge is not None)
            retired = first_miss - integration.tip_time > int(ctx.options["retired_after_days"]) * DAY
            if retired:
                main = is_main_line(ctx.policy, line.name)  # a support line is never merged into it
                yield self.finding(
                    f"{integration.name} has not moved since {day(integration.tip_time)}; "
                    f"{len(misses)} hotfix(es) merged into {line.name} after that are not in it "
                    f"(newest: {misses[0].label})",
                    ref=integration.name,
                    commit=integration.tip,
                    hint=f"set `integration: null` or `integration: {{branch: {integration.name}, retired_since: "
                    f"{day(integration.tip_time)}}}` if that is intended"
                    + (f"; otherwise merge {line.name} into {integration.name}" if main else ""),
                )
                continue
            for hotfix in misses:
                yield self._miss(hotfix, integration.name, facts, ctx.policy, grace, forms)

    def _release_branches(self, facts: RepositoryFacts, policy: Policy, grace: int) -> Iterator[Finding]:
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
                    hint=port_commands(hotfix, release.name, facts, policy),
                    subjects=(*subjects(hotfix), release.name),
                )

    def _miss(
        self,
        hotfix: HotfixFact,
        integration: str,
        facts: RepositoryFacts,
        policy: Policy,
        grace: int,
        forms: frozenset[str],
    ) -> Finding:
        now = facts.now
        merged_at = hotfix.merged_at or now
        age = now - merged_at
        merge_back = back_merge_commands(hotfix, integration, facts, policy)
        if "production" not in forms and is_main_line(policy, hotfix.line):
            if hotfix.source is not None and branch_exists(facts, hotfix.source):
                merge_back = f"merge the hotfix branch: {merge_into(integration, hotfix.source)}"
            else:  # the branch is gone: its tip is the same commits
                merge_back = f"merge the hotfix's tip (its branch is gone): {merge_into(integration, hotfix.tip)}"
        due = back_merge_due(merged_at, grace)
        accepted = [b for b in hotfix.back_merges if b.form in forms]
        other = [b for b in hotfix.back_merges if b.form not in forms and b.at <= due]
        message = f"{where(hotfix)} was not in {integration} within {grace // DAY} day(s) of its merge"
        hint = merge_back
        if other:
            copy = other[0]
            message += f": it reached {integration} as {_FORM_WORDS[copy.form]} (commit {short(copy.commit)})"
            message += ", not in the form the process requires (a merge of the hotfix branch)"
            hint = f"the process requires a merge of the hotfix branch: {merge_back}"
            if copy.form == "cherry-pick":
                hint = f"set the back-merge option accept_cherry_picks: true to count cherry-picks, or: {merge_back}"
            elif copy.form == "squash":
                hint = f"a squash does not count; merge instead: {merge_back}"
        elif accepted:
            late = accepted[0]
            message = (
                f"{where(hotfix)} reached {integration} only on {day(late.at)}, {(late.at - merged_at) // DAY} "
                f"day(s) after its merge (grace: {grace // DAY}), through {_FORM_WORDS[late.form]} "
                f"(commit {short(late.commit)}{': ' + repr(late.summary) if late.summary else ''}): "
                "until then the next release could have dropped the fix"
            )
            hint = (
                f"nothing to repair now; back-merge each hotfix within grace_days of its merge. "
                f"{waiver_hint(self.id, hotfix)}"
            )
        else:
            message += f": its tip {short(hotfix.tip)} is not in {integration}, by ancestry or as a copy"
        severity = None
        if 0 <= age < grace and not accepted:
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


#: the back-merge forms each ``form`` option accepts (``BackMergeFact.form``)
_FORMS = {
    "any": frozenset(BACK_MERGE_FORMS),
    "merge": frozenset({"merge"}),
}

_FORM_WORDS = {
    "merge": "a merge of the hotfix branch",
    "production": "a merge of production (or its tag)",
    "fast-forward": "a fast-forward",
    "squash": "a squash",
    "cherry-pick": "cherry-picks",
}


def _in_time(hotfix: HotfixFact, forms: frozenset[str], grace: int) -> BackMergeFact | None:
    """The back-merge in an accepted form that integration received by the landing plus grace."""
    if hotfix.merge is None:
        return None
    due = back_merge_due(hotfix.merge.commit_time, grace)
    return next((b for b in hotfix.back_merges if b.form in forms and b.at <= due), None)
