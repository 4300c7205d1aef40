"""Rule ``merge-commit``: production moves only by two-parent merge commits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_lint.facts import CommitFact, RepositoryFacts
from hotfix_lint.facts.history import ProductionLineFact
from hotfix_lint.facts.landing import is_allowed_direct_commit, recommitted_together, squash_kind
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.hints import commit_waiver_hint


class MergeCommit(Rule):
    id = "merge-commit"
    summary = "Production branches move only by merge commits (no squash, rebase or fast-forward)."
    explanation = """\
Every commit on a production branch's first-parent chain since `since` must be a merge
commit with exactly two parents, so that each hotfix stays one revertable unit whose own
commits remain reachable (which is what lets `back-merge` prove the integration branch has
it). Exceptions: the root commit, and commits the policy allows for automation that writes
the changelog or bumps the version on the production branch (options `allow_authors` and
`allow_messages`, regular expressions matched against the author's name or e-mail and the
commit subject); the same options name the policy's automation for the other rules (the
commits `release-tag`, `changelog-entry` and `version-bump` accept right after a landing),
also with the rule off (`merge-commit: {severity: off, allow_authors: [...]}`). Each
violation is named as what it most likely was: a squash merge (a
GitHub `(#123)` subject or git's "Squashed commit of the following"), a rebase merge (a run
of commits re-committed together), a fast-forward (the commit is the tip of another branch,
or a merge into another branch now sits on production's first-parent chain), a direct push,
or an octopus merge."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        allow_authors={
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": [],
            "description": "Regexes on author name or e-mail whose direct commits are allowed.",
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
            run: list[CommitFact] = []
            for commit in line.first_parent:
                if len(commit.parents) == 1 and not is_allowed_direct_commit(commit, authors, messages):
                    run.append(commit)
                    continue
                yield from self._run(line, run)
                run = []
                if len(commit.parents) > 2 and not allow_octopus:
                    yield self.finding(
                        f"{commit.short} on {line.name} is an octopus merge of {len(commit.parents) - 1} "
                        f"branches ('{commit.summary}'): each change must arrive in a merge of its own",
                        ref=line.name,
                        commit=commit.id,
                        hint="merge one branch at a time: git merge --no-ff BRANCH",
                        subjects=(commit.id,),
                    )
                elif len(commit.parents) == 2:
                    target = parse_merge_message(commit.message).target
                    if (
                        target is not None
                        and target != line.name
                        and not ctx.policy.is_production_name(target)
                    ):
                        yield self.finding(
                            f"{commit.short} on {line.name}'s first-parent chain is a merge into {target} "
                            f"('{commit.summary}'): {line.name} was fast-forwarded to {target}",
                            ref=line.name,
                            commit=commit.id,
                            hint=f"history is not rewritten, and merging {target} into {line.name} now would "
                            f"release what {target} gained since: do not; merge the next release with a merge "
                            f"commit (--no-ff), and {commit_waiver_hint(self.id, commit.id)}",
                            subjects=(commit.id,),
                        )
            yield from self._run(line, run)

    def _run(self, line: ProductionLineFact, run: list[CommitFact]) -> Iterator[Finding]:
        """Name a run of consecutive single-parent commits (newest first) by what it most likely was."""
        rest: list[CommitFact] = []
        for commit in run:
            kind = squash_kind(commit)
            if kind is None:
                rest.append(commit)
                continue
            yield from self._group(line, rest)
            rest = []
            yield self.finding(
                f"{commit.short} on {line.name} is a {kind} ('{commit.summary}'), not a merge commit: the "
                "hotfix's own commits are lost, so its back-merge cannot be proven",
                ref=line.name,
                commit=commit.id,
                hint=_MERGE_HINT,
                subjects=(commit.id,),
            )
        yield from self._group(line, rest)

    def _group(self, line: ProductionLineFact, run: list[CommitFact]) -> Iterator[Finding]:
        if not run:
            return
        tips = [name for c in run for name in line.branch_tips.get(c.id, ())]
        ids = ", ".join(c.short for c in run[:5]) + (" ..." if len(run) > 5 else "")
        newest = run[0]
        if tips:
            what = f"a fast-forward of branch '{tips[0]}'"
        elif len(run) > 1 and recommitted_together(run):
            what = "a rebase merge (commits re-committed together)"
        elif len(run) == 1 and recommitted_together(run):
            what = "a rebase merge or cherry-pick of one commit"
        else:
            what = "a direct push"
        yield self.finding(
            f"{len(run)} commit(s) on {line.name} without a merge commit ({ids}, newest '{newest.summary}'): "
            f"most likely {what}",
            ref=line.name,
            commit=newest.id,
            hint=_MERGE_HINT,
            subjects=tuple(c.id for c in run),
        )


_MERGE_HINT = (
    "merge hotfix branches with a merge commit (git merge --no-ff BRANCH; on GitHub allow only "
    "'Create a merge commit'), and protect the branch against direct pushes; automation commits can be "
    "allowed with the options allow_authors / allow_messages"
)
