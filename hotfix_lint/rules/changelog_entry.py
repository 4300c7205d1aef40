"""Rule ``changelog-entry``: the changelog has a section for each hotfix."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.changelog_files import DEFAULT_CHANGELOG, DESCRIPTION
from hotfix_lint.facts.kinds import CHANGED_PATHS
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import FACT_GIT_BRANCH, FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, short, subjects, where


def _heading(hotfix: HotfixFact, path: str) -> str:
    """The heading the hotfix's version needs, in the style of the file's own headings."""
    from hotfix_lint.facts.changelog import heading_example  # see ChangelogEntry._branch

    text = hotfix.changelog.text if hotfix.changelog is not None else None
    return heading_example(text, path, hotfix.version or "")


class ChangelogEntry(Rule):
    id = "changelog-entry"
    summary = "The changelog has an entry for each hotfix (its version, and its ticket)."
    requires = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH, CHANGED_PATHS})
    explanation = """\
Users and support read the changelog to learn what a hotfix changed. At the hotfix's
release point (its release tag if there is one, else the production branch's tip) the
changelog must contain a section for the hotfix's version, under a heading written as teams
write them: at any Markdown level (`## [1.2.1] - 2023-06-15`, `#### 1.2.1`, `## v1.2.1`,
`## 1.2.1 (2023-06-15)`), underlined (reStructuredText: `1.2.1` over `=====`), or a line
of its own (`[1.2.1]`, `Version 1.2.1`); the hint shows the heading in the file's own style.
The changelog is the policy's `changelog` file; without that key, the file found at that
commit: `CHANGELOG`, `CHANGES`, `HISTORY`, `NEWS` (`.md`, `.rst`, `.mdown`, `.txt`, none...)
in any case, at the root, else in `docs/` or `doc/`. When the policy has a
`ticket_pattern`, that section must name the hotfix's ticket. The version comes from the
branch name (`{version}`) or the release tag. A hotfix whose version cannot be known must
at least change the changelog (on its branch or right after its merge). For a branch under
check, the branch's diff against its base must touch the changelog and add that section;
with `automation_after_merge` (CI writes the changelog on the production branch after the
merge) a branch under check need not touch it, but if it does, the section must be right."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        require_ticket={
            "type": "boolean",
            "default": True,
            "description": "Require the ticket in the section when the policy has a ticket_pattern.",
        },
        automation_after_merge={
            "type": "boolean",
            "default": False,
            "description": "The changelog is written on the production branch after the merge (CI); a branch "
            "under check need not change it.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.policy.keeps_changelog:
            return
        require_ticket = bool(ctx.options["require_ticket"]) and ctx.policy.ticket_pattern is not None
        for hotfix in all_hotfixes(facts):
            # the policy's file, or the one found at the hotfix's release point (CHANGES.rst, NEWS...)
            path = ctx.policy.changelog or (hotfix.changelog.path if hotfix.changelog else DEFAULT_CHANGELOG)
            if hotfix.merge is None:
                if ctx.options.get("automation_after_merge") and path not in hotfix.changed_paths:
                    continue  # automation writes it on the production branch after the merge
                yield from self._branch(hotfix, path, require_ticket)
            else:
                yield from self._merged(hotfix, path, require_ticket, named=ctx.policy.changelog is not None)

    def _branch(self, hotfix: HotfixFact, path: str, require_ticket: bool) -> Iterator[Finding]:
        if not hotfix.own_commits and not hotfix.changed_paths:
            return  # nothing done on the branch yet (staged changes count: the pre-commit hook)
        found = functools.partial(self.finding, ref=hotfix.label, commit=hotfix.tip, subjects=subjects(hotfix))
        version = hotfix.version
        if path not in hotfix.changed_paths:
            section = _heading(hotfix, path) if version else "an entry"
            yield found(
                f"branch {hotfix.label} does not change {path}: the hotfix needs {section} there",
                path=path,
                hint=f"add {section} with a line describing the fix to {path} and commit it on {hotfix.label}",
            )
            return
        if version:
            # the changelog reader is imported where a section is looked for: the pre-commit hook,
            # on a branch whose name has no version, never defines its section record
            from hotfix_lint.facts.changelog import added_section

            if not added_section(hotfix.changelog_added_lines, version):
                yield found(
                    f"branch {hotfix.label} changes {path} but adds no section for {version}",
                    path=path,
                    hint=f"add the heading {_heading(hotfix, path)} to {path}",
                )
                return
        added = "\n".join(hotfix.changelog_added_lines)
        if require_ticket and hotfix.tickets and not any(t in added for t in hotfix.tickets):
            yield found(
                f"branch {hotfix.label} adds to {path} but does not name its ticket {hotfix.tickets[0]}",
                path=path,
                hint=f"mention {hotfix.tickets[0]} in the entry",
            )

    def _merged(self, hotfix: HotfixFact, path: str, require_ticket: bool, named: bool) -> Iterator[Finding]:
        from hotfix_lint.facts.changelog import find_section  # see _branch

        found = functools.partial(self.finding, ref=hotfix.line, commit=hotfix.release_point, subjects=subjects(hotfix))
        snapshot = hotfix.changelog
        point = short(hotfix.release_point)
        at = f"at {hotfix.release_tag.name}" if hotfix.release_tag else f"at {hotfix.line}'s tip {point}"
        if snapshot is not None and snapshot.missing_object:
            yield found(
                f"{where(hotfix)}: could not read {path} {at}: object {snapshot.missing_object} is missing",
                kind=FindingKind.COULD_NOT_CHECK,
            )
            return
        text = snapshot.text if snapshot is not None else None
        if text is None:
            looked = path if named else f"changelog (looked for {DESCRIPTION})"
            yield found(
                f"{where(hotfix)}: there is no {looked} {at}",
                path=path,
                hint=f"create {path} (https://keepachangelog.com) with a section for the hotfix"
                + ("" if named else ", or name the file the project keeps with `changelog:` in the policy"),
            )
            return
        if hotfix.version is None:
            if hotfix.tickets and any(t in text for t in hotfix.tickets):
                return
            if not hotfix.tickets and path in hotfix.changed_paths:
                return
            wanted = f"its ticket {hotfix.tickets[0]}" if hotfix.tickets else "a change by the hotfix"
            yield found(
                f"{where(hotfix)}: {path} {at} has no entry for it (its version is unknown, and {wanted} "
                "was not found)",
                path=path,
                hint=f"add an entry for the fix to {path}; name the ticket so it can be traced",
            )
            return
        section = find_section(text, hotfix.version)
        if section is None:
            yield found(
                f"{where(hotfix)}: {path} {at} has no section for {hotfix.version}",
                path=path,
                hint=f"add {_heading(hotfix, path)} with an entry for the fix to {path}",
            )
            return
        if require_ticket and hotfix.tickets and not any(t in section.text for t in hotfix.tickets):
            yield found(
                f"{where(hotfix)}: the {hotfix.version} section of {path} {at} does not name the ticket "
                f"{hotfix.tickets[0]}",
                path=path,
                line=section.line,
                hint=f"mention {hotfix.tickets[0]} in the {hotfix.version} entry",
            )
