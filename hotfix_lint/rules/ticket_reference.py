"""Rule ``ticket-reference``: every commit of a hotfix names its ticket."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_lint.facts import CommitFact, HotfixFact, RepositoryFacts
from hotfix_lint.facts.bounded import bounded_line, bounded_text
from hotfix_lint.facts.commit_message import MessageView, strip_comments, view_message
from hotfix_lint.results import Finding, FindingKind, Severity, shell_command
from hotfix_lint.rules.base import (
    FACT_COMMIT_MESSAGE,
    FACT_GIT_BRANCH,
    FACT_GIT_HISTORY,
    Rule,
    RuleContext,
    options_object,
)
from hotfix_lint.rules.common import all_hotfixes, subjects, waiver_hint, where


class TicketReference(Rule):
    id = "ticket-reference"
    summary = "Every commit of a hotfix references a ticket (and its subject matches the pattern)."
    explanation = """\
A hotfix is traced from the ticket that asked for it to the commits that made it, so each
of its commits must name a ticket matching the policy's `ticket_pattern` (option
`ticket_in`: anywhere in the message, the default, or in the subject line). With
`subject_pattern` (a regular expression searched in the subject, such as `^Fix: `; the text
`{ticket}` in it stands for the ticket pattern) the subject must also match it.

Judged: the hotfix's own commits (those its merge brought into the production branch, not
the production branch's commits, and not the integration branch's commits a hotfix cut from
the wrong place carried along: `hotfix-base` reports those), the commits of the branch under
check, and a message not committed yet (the commit-msg hook) when it goes to a hotfix branch
or to a detached HEAD. Merge commits (by their parents; a pending message by git's default
wording `Merge branch ...`, `Merge pull request #N ...`) follow the option `merges`: `skip`
(default) or `check`, which also judges the merge that brought the hotfix into production;
a merge is judged on its ticket only (anywhere in its message, where git and GitHub write
the branch name and the pull request title), never on the subject pattern.

Messages are judged as history will read them: `fixup! X` and `squash! X` are judged by the
subject X they will be folded into (plus the body of a `squash!`), `amend! X` by the new
message in its body, and git's default `Revert "X"` (or `Reapply "X"`) by X plus its body.
A pending message loses its `#` comment lines and everything below the scissors line first,
as git will; an empty one is left to git, which refuses it."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH, FACT_COMMIT_MESSAGE})
    options_schema = options_object(
        subject_pattern={
            "type": ["string", "null"],
            "minLength": 1,
            "format": "regex",
            "default": None,
            "description": "A regular expression the subject must match (searched), such as '^Fix: '; "
            "{ticket} stands for the ticket pattern.",
        },
        ticket_in={
            "enum": ["message", "subject"],
            "default": "message",
            "description": "Where the ticket must appear: anywhere in the message, or in the subject line.",
        },
        merges={
            "enum": ["skip", "check"],
            "default": "skip",
            "description": "skip merge commits, or check that they name a ticket too.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        ticket_source = ctx.policy.ticket_pattern
        subject_source = ctx.options["subject_pattern"]
        if not ticket_source and not subject_source:
            yield self.finding(
                "ticket-reference is enabled, but the policy has no ticket_pattern and the rule no "
                "subject_pattern: there is nothing to check",
                kind=FindingKind.COULD_NOT_CHECK,
                hint="set ticket_pattern (such as 'IBM-Jazz-\\d+') in the policy, or turn the rule off",
            )
            return
        judge = _Judge(
            ticket=re.compile(ticket_source) if ticket_source else None,
            ticket_source=ticket_source,
            subject=re.compile(subject_source.replace("{ticket}", f"(?:{ticket_source or '.+'})"))
            if subject_source
            else None,
            subject_source=subject_source,
            in_subject=ctx.options["ticket_in"] == "subject",
            check_merges=ctx.options["merges"] == "check",
        )
        pending = facts.message
        if pending is not None and (pending.branch is None or ctx.policy.is_hotfix_name(pending.branch)):
            problem = judge.problem(view_message(strip_comments(pending.text)))
            if problem is not None:
                onto = f" for branch {pending.branch}" if pending.branch else ""
                yield self.finding(
                    f"the commit message{onto} {problem}",
                    ref=pending.branch,
                    hint=judge.hint("edit the message and commit again"),
                )
        seen: set[str] = set()
        for hotfix in all_hotfixes(facts):
            yield from self._hotfix(hotfix, judge, seen)

    def _hotfix(self, hotfix: HotfixFact, judge: _Judge, seen: set[str]) -> Iterator[Finding]:
        carried = {c.id for c in hotfix.carried}
        commits = [c for c in hotfix.own_commits if c.id not in carried]
        if judge.check_merges and hotfix.merge is not None:
            commits.append(hotfix.merge)
        for commit in commits:
            if commit.id in seen:
                continue
            seen.add(commit.id)
            is_merge = len(commit.parents) > 1
            if is_merge and not judge.check_merges:
                continue
            problem = judge.problem(view_message(commit.message, is_merge=is_merge))
            if problem is None:
                continue
            if hotfix.merge is not None and commit.id == hotfix.merge.id:
                what = f"the merge {commit.short} of {hotfix.label} into {hotfix.line}"
            else:
                what = f"commit {commit.short} of {where(hotfix)}"
            yield self.finding(
                f"{what} {problem}",
                ref=hotfix.source or hotfix.line,
                commit=commit.id,
                hint=judge.hint(_repair(hotfix, commit)),
                subjects=(commit.id, *subjects(hotfix)),
            )


def _repair(hotfix: HotfixFact, commit: CommitFact) -> str:
    if hotfix.merge is not None:
        return f"history is not rewritten; {waiver_hint(TicketReference.id, hotfix)}"
    if commit.id == hotfix.tip:
        return "reword it: git commit --amend"
    return f"reword it: {shell_command(['git', 'rebase', '-i'], commit.short + '^')} (mark the commit 'reword')"


class _Judge:
    """The compiled patterns and what a message lacks, in words."""

    def __init__(
        self,
        *,
        ticket: re.Pattern[str] | None,
        ticket_source: str | None,
        subject: re.Pattern[str] | None,
        subject_source: str | None,
        in_subject: bool,
        check_merges: bool,
    ) -> None:
        self.ticket = ticket
        self.ticket_source = ticket_source
        self.subject = subject
        self.subject_source = subject_source
        self.in_subject = in_subject
        self.check_merges = check_merges

    def problem(self, view: MessageView) -> str | None:
        """What ``view`` lacks (a phrase after "the commit ..."), or ``None`` when it is fine."""
        if view.kind == "empty":
            return None  # git refuses an empty message on its own
        text, subject = bounded_text(view.text), bounded_line(view.subject)
        if view.kind == "merge":
            if not self.check_merges or self.ticket is None or self.ticket.search(text):
                return None
            return f"('{view.subject}') is a merge that names no ticket matching {self.ticket_source}"
        lacks: list[str] = []
        if self.ticket is not None and not self.ticket.search(subject if self.in_subject else text):
            place = "in its subject " if self.in_subject else ""
            lacks.append(f"names no ticket {place}matching {self.ticket_source}")
        if self.subject is not None and not self.subject.search(subject):
            lacks.append(f"has a subject that does not match {self.subject_source}")
        if not lacks:
            return None
        about = {
            "fixup": " (a fixup! of that subject)",
            "squash": " (a squash! of that subject)",
            "amend": " (the new message of an amend!)",
            "revert": " (the reverted subject)",
        }.get(view.kind, "")
        return f"('{view.subject}'{about}) " + " and ".join(lacks)

    def hint(self, repair: str) -> str:
        parts = []
        if self.ticket_source:
            parts.append(f"name the hotfix's ticket ({self.ticket_source}) in every commit message")
        if self.subject_source:
            parts.append(f"start subjects so that they match {self.subject_source}")
        return f"{' and '.join(parts)}; {repair}"
