"""Rule ``merge-commit``: production moves only by two-parent merge commits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_lint.facts import CommitFact, RepositoryFacts
from hotfix_lint.facts.history import ProductionLineFact
from hotfix_lint.facts.landing import (
    DEFAULT_AUTOMATION_AUTHORS,
    DIRECT_PUSH,
    FAST_FORWARD,
    REBASE,
    SQUASH,
    LandingFact,
    is_allowed_direct_commit,
    squash_kind,
)
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.hints import commit_waiver_hint


class MergeCommit(Rule):
    id = "merge-commit"
    summary = "Production branches move only by merge commits (no squash, rebase or fast-forward)."
    explanation = """\
Every change that reached a production branch since `since` (as the classification names
it: hotfix, release, sync, automation, squash, rebase, direct push, fast-forward,
bootstrap) must have come as a merge commit with exactly two parents, so that each hotfix
stays one revertable unit whose own commits remain reachable (which is what lets
`back-merge` prove the integration branch has it). Exceptions: the line's first commits
(bootstrap), and commits the policy allows for automation that writes the changelog or
bumps the version on the production branch (options `allow_authors` and `allow_messages`,
regular expressions matched against the author's name or e-mail and the commit subject;
dependabot and renovate by default); the same options name the policy's automation for the
other rules (the commits `release-tag`, `changelog-entry` and `version-bump` accept right
after a landing), also with the rule off (`merge-commit: {severity: off, allow_authors:
[...]}`). Each violation is named as what it was: a squash
merge (a GitHub `(#123)` subject or git's "Squashed commit of the following"), a rebase
merge (a run of commits re-committed together by someone other than their author), a
fast-forward of a branch (its tip), a direct push, or an octopus merge; a squash or rebase
says which branch it came from, or that its source is unknown (then it is judged by this
rule alone, not as a hotfix). A fast-forward of production to the integration branch
(merges into it now sit on production's first-parent chain) is one event, a warning: it
released, it lost no hotfix."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        allow_authors={
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": list(DEFAULT_AUTOMATION_AUTHORS),
            "description": "Regexes on author name or e-mail whose commits are automation (direct commits "
            "allowed; merges of what they wrote are not hotfixes).",
        },
        allow_messages={
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": [],
            "description": "Regexes on the subject of direct commits that are allowed.",
        },
        allow_octopus={"type": "boolean", "default": False, "description": "Accept octopus merges."},
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        if facts.history is None:
            return
        authors = [re.compile(p) for p in ctx.options["allow_authors"]]
        messages = [re.compile(p) for p in ctx.options["allow_messages"]]
        allow_octopus = bool(ctx.options["allow_octopus"])
        for line in facts.history.production:
            for landing in line.landings:
                if not landing.on_first_parent or landing.outside_era:
                    continue
                commit = landing.commit
                if len(commit.parents) > 2 and not allow_octopus:
                    yield self.finding(
                        f"{commit.short} on {line.name} is an octopus merge of {len(commit.parents) - 1} "
                        f"branches ('{commit.summary}'): each change must arrive in a merge of its own",
                        ref=line.name,
                        commit=commit.id,
                        hint="merge one branch at a time: git merge --no-ff BRANCH",
                        subjects=(commit.id,),
                    )
                elif landing.kind in (SQUASH, REBASE, DIRECT_PUSH, FAST_FORWARD):
                    # the classification read the policy's automation; this rule's own options still count
                    run = [c for c in landing.commits if not is_allowed_direct_commit(c, authors, messages)]
                    if run:
                        yield self._landing(line, landing, run)

    def _landing(self, line: ProductionLineFact, landing: LandingFact, run: list[CommitFact]) -> Finding:
        """One finding per change that reached the line without a merge commit, named by its class."""
        newest = run[0]
        ids = ", ".join(c.short for c in run[:5]) + (" ..." if len(run) > 5 else "")
        if landing.kind == SQUASH:
            kind = (squash_kind(newest) or "squash merge").replace(" of a pull request", "")
            return self.finding(
                f"{newest.short} on {line.name} is a {kind}{_of(landing)} ('{newest.summary}'), not a merge "
                f"commit: {_source(landing)}",
                ref=line.name,
                commit=newest.id,
                hint=_MERGE_HINT,
                subjects=(newest.id,),
            )
        if landing.kind == FAST_FORWARD and not landing.hotfix and landing.source is not None:
            target = landing.source
            return self.finding(
                f"{line.name} was fast-forwarded to {target}: {len(run)} commit(s) of {target} ({ids}, newest "
                f"'{newest.summary}') sit on {line.name}'s first-parent history instead of one merge commit",
                ref=line.name,
                commit=newest.id,
                severity=Severity.WARNING,  # a release, not a hotfix: no hotfix lost its unit
                hint=f"history is not rewritten, and nothing is to be undone: {line.name} now has exactly what "
                f"{target} had; release with a merge commit (--no-ff) next time. "
                + commit_waiver_hint(self.id, newest.id),
                subjects=tuple(c.id for c in run),
            )
        if landing.kind == FAST_FORWARD:
            what = f"a fast-forward of branch '{landing.source}'"
        elif landing.kind == REBASE and len(run) > 1:
            what = f"a rebase merge{_of(landing)} (commits re-committed together by someone else): {_source(landing)}"
        elif landing.kind == REBASE:
            what = f"a rebase merge or cherry-pick of one commit{_of(landing)}: {_source(landing)}"
        else:
            what = "a direct push"
        return self.finding(
            f"{len(run)} commit(s) on {line.name} without a merge commit ({ids}, newest '{newest.summary}'): "
            f"most likely {what}",
            ref=line.name,
            commit=newest.id,
            hint=_MERGE_HINT,
            subjects=tuple(c.id for c in run),
        )


def _of(landing: LandingFact) -> str:
    return f" of pull request #{landing.pull_request}" if landing.pull_request is not None else ""


def _source(landing: LandingFact) -> str:
    """What the squash or rebase was, as far as the facts say: a hotfix from a named branch, or
    a change whose source is unknown (judged by this rule alone, not as a hotfix)."""
    if landing.source is None:
        return (
            "source unknown (neither its subject, a branch still there, a merge into integration nor "
            "GitHub names its branch), so it is not judged as a hotfix; the branch's own commits are not "
            "on the line"
        )
    what = "a hotfix" if landing.hotfix else "not a hotfix"
    return f"from branch '{landing.source}', {what}; the branch's own commits are not on the line"


_MERGE_HINT = (
    "merge hotfix branches with a merge commit (git merge --no-ff BRANCH; on GitHub allow only "
    "'Create a merge commit'), and protect the branch against direct pushes; automation commits can be "
    "allowed with the options allow_authors / allow_messages"
)
