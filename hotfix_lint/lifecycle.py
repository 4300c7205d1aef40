"""Each hotfix's lifecycle at a glance: ``hotfix-lint hotfixes``.

The same facts the rules judge, shown as one row per hotfix, newest first: its branch, its
base (and whether that was the deployed ref), how it reached production (merge commit,
squash, rebase, fast-forward, direct push), its tag, changelog entry, version, back-merge,
whether its branch was deleted, and its ticket. Pure: it reads facts and the policy only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hotfix_lint.facts import CommitFact, HotfixFact, RepositoryFacts
from hotfix_lint.facts.changelog import find_section
from hotfix_lint.facts.history import ProductionLineFact
from hotfix_lint.facts.landing import is_allowed_direct_commit, recommitted_together, squash_kind
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
        merge_options = _options(policy, "merge-commit", {"allow_authors": [], "allow_messages": []})
        self.allow_authors = [re.compile(p) for p in merge_options["allow_authors"]]
        self.allow_messages = [re.compile(p) for p in merge_options["allow_messages"]]
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
        if hotfix.carried:
            return f"not deployed (carries {len(hotfix.carried)} integration commit(s))"
        if hotfix.base_on_line and hotfix.base_distance:
            return f"stale ({hotfix.base_distance} behind)"
        if hotfix.base_on_line:
            return "not the deployed ref"
        return f"not on {hotfix.line}"

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
        if history is None or history.integration is None:
            return "n/a"
        name = history.integration.name
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

    def merged_row(self, hotfix: HotfixFact) -> HotfixRow:
        landed = "merge commit" if hotfix.on_first_parent else "merge, then fast-forward"
        return HotfixRow(
            branch=hotfix.label,
            line=hotfix.line,
            landed=landed,
            commit=hotfix.merge.id if hotfix.merge is not None else None,
            merged_at=_day(hotfix.merged_at),
            base=hotfix.original_base,
            base_state=self.base_state(hotfix),
            tag=hotfix.release_tag.name if hotfix.release_tag is not None else None,
            changelog=self.changelog(hotfix),
            version=hotfix.version,
            back_merge=self.back_merge(hotfix),
            deleted=self.deleted(hotfix.source),
            tickets=hotfix.tickets,
        )

    def direct_rows(self, line: ProductionLineFact) -> Iterator[tuple[int, HotfixRow]]:
        """Changes that reached the line without a merge commit: squash, rebase, fast-forward, push."""
        run: list[CommitFact] = []
        for commit in line.first_parent:
            if len(commit.parents) == 1 and not is_allowed_direct_commit(
                commit, self.allow_authors, self.allow_messages
            ):
                run.append(commit)
                continue
            yield from self._runs(line, run)
            run = []
        yield from self._runs(line, run)

    def _runs(self, line: ProductionLineFact, run: list[CommitFact]) -> Iterator[tuple[int, HotfixRow]]:
        rest: list[CommitFact] = []
        for commit in run:
            kind = squash_kind(commit)
            if kind is None:
                rest.append(commit)
                continue
            yield from self._group(line, rest)
            rest = []
            yield commit.commit_time, self._row(line, [commit], "squash", None)
        yield from self._group(line, rest)

    def _group(self, line: ProductionLineFact, run: list[CommitFact]) -> Iterator[tuple[int, HotfixRow]]:
        if not run:
            return
        tips = [name for c in run for name in line.branch_tips.get(c.id, ())]
        if tips:
            landed, branch = "fast-forward", tips[0]
        elif recommitted_together(run):
            landed, branch = "rebase", None
        else:
            landed, branch = "direct push", None
        yield run[0].commit_time, self._row(line, run, landed, branch)

    def _row(self, line: ProductionLineFact, run: list[CommitFact], landed: str, branch: str | None) -> HotfixRow:
        newest = run[0]
        tags = [t for c in run for t in self.tags_by_commit.get(c.id, ())]
        return HotfixRow(
            branch=branch or f"'{newest.summary}'",
            line=line.name,
            landed=landed if len(run) == 1 else f"{landed} ({len(run)} commits)",
            commit=newest.id,
            merged_at=_day(newest.commit_time),
            base=run[-1].parents[0] if run[-1].parents else None,
            base_state="?",
            tag=tags[0] if tags else None,
            changelog="n/a" if not self.policy.keeps_changelog else "?",
            version=None,
            back_merge="n/a" if self.facts.history is None or self.facts.history.integration is None else "?",
            deleted=self.deleted(branch) if branch else "?",
            tickets=find_tickets(self.ticket_re, *(c.message for c in run)),
        )


def hotfix_rows(facts: RepositoryFacts, policy: Policy) -> tuple[HotfixRow, ...]:
    """One row per hotfix found in production history, newest first."""
    history = facts.history
    if history is None:
        return ()
    lifecycle = _Lifecycle(facts, policy)
    timed: list[tuple[int, HotfixRow]] = []
    for line in history.production:
        for hotfix in line.hotfixes:
            timed.append((hotfix.merged_at or 0, lifecycle.merged_row(hotfix)))
        timed.extend(lifecycle.direct_rows(line))
    timed.sort(key=lambda item: item[0], reverse=True)
    return tuple(row for _, row in timed)


def cmd_hotfixes(repo: str, policy_file: str | None, since: str | None, now: int, fmt: str, output: str | None) -> int:
    """``hotfix-lint hotfixes``: collect the history once and print the lifecycle table."""
    import sys
    from pathlib import Path

    from hotfix_lint import __version__
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.collect.repository import open_repository
    from hotfix_lint.errors import UserError
    from hotfix_lint.facts.kinds import GIT_HISTORY
    from hotfix_lint.policy.loader import discover_policy
    from hotfix_lint.report.hotfix_table import HotfixTable
    from hotfix_lint.report.hotfixes import HotfixesJsonReporter, HotfixesTextReporter

    opened = open_repository(Path(repo))
    root = Path(opened.workdir or opened.path)
    policy, described = discover_policy(root, Path(policy_file) if policy_file else None)
    print(f"hotfix-lint: {described}", file=sys.stderr)  # noqa: T201 - the command's own stderr note
    facts = gather(root, policy, frozenset({GIT_HISTORY}), branch=None, since=since, now=now)
    table = HotfixTable(
        tool_name="hotfix-lint",
        tool_version=__version__,
        repository=facts.repository,
        policy=policy.source,
        rows=hotfix_rows(facts, policy),
        notes=facts.notes,
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
