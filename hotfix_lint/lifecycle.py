"""Each hotfix's lifecycle at a glance: ``hotfix-lint hotfixes``.

The same facts the rules judge, shown as one row per hotfix, newest first: its branch, its
base (and whether that was the deployed ref), how it reached production (merge commit,
squash, rebase, fast-forward, direct push), its tag, changelog entry, version, back-merge,
whether its branch was deleted, and its ticket. Pure: it reads facts and the policy only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.changelog import find_section
from hotfix_lint.facts.history import back_merge_due
from hotfix_lint.facts.landing import BOOTSTRAP, FAST_FORWARD, HOTFIX, LANDED_AS, LandingFact
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.versions import find_tickets
from hotfix_lint.policy.model import Policy
from hotfix_lint.report.hotfix_table import HotfixRow

DAY = 86400
NONE = "-"


def _day(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


def _options(policy: Policy, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    setting = policy.rules.get(rule_id)
    return {**defaults, **(dict(setting.options) if setting is not None else {})}


class _Lifecycle:
    """Words for each column, from one repository's facts and its policy."""

    def __init__(self, facts: RepositoryFacts, policy: Policy) -> None:
        self.facts = facts
        self.policy = policy
        self.ticket_re = re.compile(policy.ticket_pattern) if policy.ticket_pattern else None
        history = facts.history
        self.branches: dict[str, list[str]] = {}
        for branch in history.branches if history is not None else ():
            self.branches.setdefault(branch.name, []).append(branch.remote or "local")
        self.grace = int(_options(policy, "back-merge", {"grace_days": 7})["grace_days"]) * DAY
        self.tags_by_commit: dict[str, list[str]] = {}
        for tag in history.tags if history is not None else ():
            if policy.tag_name_pattern.matches(tag.name):
                self.tags_by_commit.setdefault(tag.target, []).append(tag.name)

    def deleted(self, branch: str | None) -> str:
        if branch is None:
            return "?"
        where = self.branches.get(branch)
        return f"no ({', '.join(sorted(where))})" if where else "yes"

    def base_state(self, hotfix: HotfixFact) -> str:
        if hotfix.original_base is None:
            return "?"
        if hotfix.deployed_ref is None:
            return "deployed ref unknown"
        if hotfix.original_base == hotfix.deployed_ref:
            return "deployed ref"
        if hotfix.cut_at_deployed_tree is not None:
            return f"deployed ref's tree (at {hotfix.cut_at_deployed_tree[:10]})"
        if hotfix.carried:
            return f"not deployed (carries {len(hotfix.carried)} integration commit(s))"
        return _off_deployed(hotfix.base_on_line, hotfix.base_distance, hotfix.line)

    @staticmethod
    def landing_base(landing: LandingFact, cut_known: bool) -> tuple[str | None, str]:
        """(base, state) of a squash, rebase or fast-forward row: where its branch was really
        cut when the history shows it (``cut_from``), judged as ``hotfix-base`` judged it."""
        landed = LANDED_AS.get(landing.kind, landing.kind)
        if landing.cut_from is None:
            return (landing.base, "?") if cut_known else (None, f"unknown (a {landed} keeps no branch)")
        if landing.deployed_ref is None:
            return landing.cut_from, "deployed ref unknown"
        if landing.cut_from == landing.deployed_ref:
            return landing.cut_from, "deployed ref"
        return landing.cut_from, _off_deployed(landing.base_on_line, landing.base_distance, landing.line)

    @staticmethod
    def landed_before(hotfix: HotfixFact) -> str:
        """The branch landed before and went on: its base is cut_from, judged from that landing."""
        if hotfix.cut_from is None or hotfix.original_base in (None, hotfix.cut_from):
            return ""
        return f" (continued after landing at {(hotfix.original_base or '')[:10]})"

    def changelog(self, hotfix: HotfixFact) -> str:
        if not self.policy.keeps_changelog:
            return "n/a"
        snapshot = hotfix.changelog
        if snapshot is None or snapshot.missing_object:
            return "?"
        if snapshot.text is None:
            return "no file"
        if hotfix.version is not None:
            return "yes" if find_section(snapshot.text, hotfix.version) is not None else "no section"
        if hotfix.tickets and any(t in snapshot.text for t in hotfix.tickets):
            return "yes (by ticket)"
        return "?"

    def back_merge(self, hotfix: HotfixFact) -> str:
        history = self.facts.history
        integration = history.integration_of(hotfix.line) if history is not None else None
        if integration is None:
            return "n/a"
        name = integration.name
        if hotfix.merge is not None and hotfix.back_merges:  # judged when it was due (back-merge's reading)
            first = min(hotfix.back_merges, key=lambda b: b.at)
            how = "" if first.form in ("merge", "production", "fast-forward") else f", {first.form}"
            if first.at <= back_merge_due(hotfix.merge.commit_time, self.grace):
                return f"yes ({name}{how})"
            return f"late ({name}{how}, {(first.at - hotfix.merge.commit_time) // DAY}d after)"
        if hotfix.back_merged:
            return f"yes ({name})"
        if hotfix.cherry_picked_to_integration:
            return f"cherry-picked ({name})"
        age = (self.facts.now - hotfix.merged_at) // DAY if hotfix.merged_at is not None else None
        days = f", {age}d" if age is not None else ""
        if hotfix.squashed_into_integration:
            return f"squashed, not merged ({name}{days})"
        if age is not None and 0 <= self.facts.now - (hotfix.merged_at or 0) < self.grace:
            return f"pending ({name}{days})"
        return f"missing ({name}{days})"

    def back_merge_landing(self, landing: LandingFact) -> str:
        """The back-merge column of a change that landed without a merge commit."""
        history = self.facts.history
        integration = history.integration_of(landing.line) if history is not None else None
        if integration is None or not landing.hotfix:
            return self.no_integration(landing.line) if landing.hotfix else "n/a"
        retired = self.retired(landing.landed_at, landing.line)
        if retired:
            return retired
        name = integration.name
        if landing.back_merged:
            how = "yes" if "ancestor" in landing.back_merge_evidence else "same change"
            late = landing.back_merge
            if late is not None and late.at > back_merge_due(landing.landed_at, self.grace):
                copy = "" if how == "yes" else f", {how}"
                return f"late ({name}{copy}, {(late.at - landing.landed_at) // DAY}d after)"
            return f"{how} ({name})"
        if landing.back_merged is None:
            return "?"
        age = (self.facts.now - landing.landed_at) // DAY
        state = "pending" if 0 <= self.facts.now - landing.landed_at < self.grace else "missing"
        return f"{state} ({name}, {age}d)"

    def no_integration(self, line: str) -> str:
        history = self.facts.history
        missing = history.integration_missing_of(line) if history is not None else None
        if missing:
            return f"? ({missing} not found)"
        return "n/a"

    def retired(self, when: int | None, line: str) -> str | None:
        """``n/a (develop retired ...)`` for a change made after the line's integration branch retired."""
        history = self.facts.history
        integration = history.integration_of(line) if history is not None else None
        if integration is None or integration.retired_since is None or when is None:
            return None
        if when < integration.retired_since:
            return None
        return f"n/a ({integration.name} retired {_day(integration.retired_since)})"

    def merged_row(self, hotfix: HotfixFact) -> HotfixRow:
        landed = "merge commit" if hotfix.on_first_parent else "merge, then fast-forward"
        merge = hotfix.merge
        return HotfixRow(
            branch=hotfix.source,
            line=hotfix.line,
            landed=landed,
            commit=merge.id if merge is not None else None,
            merged_at=_day(hotfix.merged_at),
            base=hotfix.cut_from or hotfix.original_base,
            base_state=self.base_state(hotfix) + self.landed_before(hotfix),
            tag=hotfix.release_tag.name if hotfix.release_tag is not None else None,
            changelog=self.changelog(hotfix),
            version=hotfix.version,
            back_merge=self.retired(hotfix.merged_at, hotfix.line) or self.back_merge(hotfix),
            deleted=self.deleted(hotfix.source),
            tickets=hotfix.tickets,
            kind=HOTFIX,
            evidence=hotfix.evidence,
            pull_request=parse_merge_message(merge.message).pull_request if merge is not None else None,
            subject=merge.summary if merge is not None else None,
        )

    def landing_row(self, landing: LandingFact) -> HotfixRow:
        """A change that is not a hotfix merge: squash, rebase, fast-forward, push, release, ..."""
        run = landing.commits
        newest = run[0]
        tags = [t for c in run for t in self.tags_by_commit.get(c.id, ())]
        landed = LANDED_AS.get(landing.kind, landing.kind)
        cut_known = landing.kind in (FAST_FORWARD, BOOTSTRAP) or len(newest.parents) > 1
        base, base_state = self.landing_base(landing, cut_known)
        return HotfixRow(
            branch=landing.source,
            line=landing.line,
            landed=landed if len(run) == 1 else f"{landed} ({len(run)} commits)",
            commit=newest.id,
            merged_at=_day(newest.commit_time),
            base=base,
            base_state=base_state,
            tag=tags[0] if tags else None,
            changelog="n/a" if not self.policy.keeps_changelog or not landing.hotfix else "?",
            version=None,
            back_merge=self.back_merge_landing(landing),
            deleted=self.deleted(landing.source) if landing.source else "?",
            tickets=find_tickets(self.ticket_re, (c.message for c in run)),
            kind=landing.kind,
            evidence=(
                f"{self.policy.outside_words(landing.landed_at)}, outside its era: {landing.evidence}"
                if landing.outside_era
                else landing.evidence
            ),
            pull_request=landing.pull_request,
            subject=newest.summary,
            is_hotfix=landing.hotfix,
            outside_era=landing.outside_era,
        )




def _off_deployed(on_line: bool, distance: int | None, line: str) -> str:
    """A base that is not the deployed ref: older on the line, elsewhere on it, or off it."""
    if on_line and distance:
        return f"stale ({distance} behind)"
    if on_line:
        return "not the deployed ref"
    return f"not on {line}"


def hotfix_rows(facts: RepositoryFacts, policy: Policy, *, all_classes: bool = False) -> tuple[HotfixRow, ...]:
    """One row per hotfix found in production history, newest first (every change with
    ``all_classes``). A hotfix merged twice with identical parents (into two lines, or again
    off a first-parent history) is one row, the one on a first-parent history."""
    history = facts.history
    if history is None:
        return ()
    lifecycle = _Lifecycle(facts, policy)
    timed: list[tuple[int, HotfixRow]] = []
    best: dict[tuple[str, ...], tuple[bool, int]] = {}  # parents -> (on first parent, index in timed)
    for line in history.production:
        merged = {h.merge.id: h for h in line.hotfixes if h.merge is not None}
        for landing in line.landings:
            hotfix = merged.get(landing.commit.id) if landing.kind == HOTFIX else None
            if hotfix is None and not (all_classes or landing.hotfix):
                continue
            row = lifecycle.merged_row(hotfix) if hotfix else lifecycle.landing_row(landing)
            if hotfix is not None and hotfix.merge is not None:
                key = hotfix.merge.parents
                if key in best and (best[key][0] or not hotfix.on_first_parent):
                    continue
                if key in best:
                    timed[best[key][1]] = (landing.landed_at, row)
                    best[key] = (True, best[key][1])
                    continue
                best[key] = (hotfix.on_first_parent, len(timed))
            timed.append((landing.landed_at, row))
    timed.sort(key=lambda item: item[0], reverse=True)
    return tuple(row for _, row in timed)


def era_rows(runs: list[tuple[HotfixRow, ...]], *, all_classes: bool) -> tuple[HotfixRow, ...]:
    """The table of a policy with eras from each era's rows (every class): a change by the era it
    landed in; one outside every era (``--all`` only) as the first era's run shows it."""
    inside: dict[tuple[str | None, str], HotfixRow] = {}
    outside: dict[tuple[str | None, str], HotfixRow] = {}
    for rows in runs:
        for row in rows:
            key = (row.commit, row.line)
            if not row.outside_era:
                inside.setdefault(key, row)
            else:
                outside.setdefault(key, row)
    chosen = [*inside.values(), *(r for k, r in outside.items() if k not in inside)]
    chosen = [r for r in chosen if all_classes or r.is_hotfix]
    return tuple(sorted(chosen, key=lambda r: r.merged_at or "", reverse=True))


def cmd_hotfixes(
    repo: str,
    policy_file: str | None,
    since: str | None,
    now: int,
    fmt: str,
    output: str | None,
    all_classes: bool = False,
) -> int:
    """``hotfix-lint hotfixes``: collect the history once and print the lifecycle table
    (``--all``: every change that reached production, with its class)."""
    import sys
    from pathlib import Path

    from hotfix_lint import __version__
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.git.repository import open_repository
    from hotfix_lint.errors import UserError
    from hotfix_lint.facts.kinds import GIT_HISTORY
    from hotfix_lint.policy.loader import discover_policy
    from hotfix_lint.report.hotfix_table import HotfixTable
    from hotfix_lint.report.hotfixes import HotfixesJsonReporter, HotfixesTextReporter

    opened = open_repository(Path(repo))
    root = Path(opened.workdir or opened.path)
    policy, described = discover_policy(root, Path(policy_file) if policy_file else None)
    if policy_file is None:
        from hotfix_lint.infer.policy_file import unless_no_policy

        policy, described = unless_no_policy(opened, policy, described)
    print(f"hotfix-lint: {described}", file=sys.stderr)  # noqa: T201 - the command's own stderr note
    from hotfix_lint.progress import HistoryProgress

    progress = HistoryProgress.on(sys.stderr)
    try:
        present = policy.era_now(now)
        facts = gather(root, present, frozenset({GIT_HISTORY}), branch=None, since=since, now=now, progress=progress)
        rows = hotfix_rows(facts, present, all_classes=all_classes)
        if policy.eras:
            runs = [(era, gather(root, era, frozenset({GIT_HISTORY}), branch=None, since=since, now=now))
                    for era in policy.eras]  # fmt: skip
            rows = era_rows([hotfix_rows(f, era, all_classes=True) for era, f in runs], all_classes=all_classes)
    finally:
        progress.close()
    table = HotfixTable(
        tool_name="hotfix-lint",
        tool_version=__version__,
        repository=facts.repository,
        policy=policy.source,
        rows=rows,
        notes=facts.notes,
        all_classes=all_classes,
    )
    reporter = HotfixesJsonReporter() if fmt == "json" else HotfixesTextReporter()
    if output:
        try:
            with open(output, "w", encoding="utf-8") as stream:
                reporter.write(table, stream)
        except OSError as exc:
            raise UserError(f"--output {output}: {exc.strerror}") from exc
    else:
        reporter.write(table, sys.stdout)
    return 0
