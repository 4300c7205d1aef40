"""Rule ``hotfix-base``: a hotfix is cut from the deployed ref and carries nothing else."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, FindingKind, Severity, shell_command
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, short, subjects, waiver_hint, where
from hotfix_lint.rules.landing_checks import unmerged_bases


class HotfixBase(Rule):
    id = "hotfix-base"
    summary = "A hotfix is cut from the last deployed ref and contains nothing else."
    explanation = """\
A hotfix must start from exactly what runs in production, so that it ships the fix and
nothing that was never deployed. The deployed ref comes from the policy's `deployed_ref`
strategy: `branch` (the production branch's tip), `tag` (the newest release tag on the
production branch, by version), `promotion-branch` (the newest of the production tip and
the promotion branches) or `github-deployment` (the last successful deployment).

For a branch under check, its original base (found by following the branch's own
first-parent chain, so that merging production into the branch does not hide an old base)
must be the deployed ref. In history, for each hotfix merge M the commits M brought in are
those reachable from its second parent and not from its first; the base is where that chain
starts, and it must be the deployed ref in force when the work started (the author time of
the hotfix's first own commit), read on the first-parent chain production had when M landed:
a release that landed while the hotfix was in review does not make it stale (option
`moved_during_review: warning` notes it), and a branch rebased onto a later deployed ref is
judged from that ref. A branch under check (not merged yet) is judged the same way: from the
deployed ref when its first own commit was made, not from production's tip now (with
`moved_during_review: warning`, a note that production moved since). A squash or rebase
re-commits its change onto the line's tip: it is judged from where its branch was cut when
that branch is still there (a fast-forward keeps its base), else reported could-not-check. A
base that is an older commit of the production branch is stale
(option `stale_severity`, default warning), also when production was fast-forwarded since
and that commit left its first-parent chain. A base that is not on the production branch at
all (a hotfix cut from the integration branch brings its unreleased commits along: the
commits the integration branch had before the hotfix landed, not ones it received with the
hotfix's own commits) is an error, unless the commit the work started on has the deployed
ref's tree (the integration branch just after production was merged back into it, with nothing
else there yet): that is exactly what production ran. So is a hotfix that shares no history with the production
branch at all (an orphan branch, whose history starts at a root commit of its own: merged,
it needed --allow-unrelated-histories): it was not cut from anything deployed."""
    default_severity = Severity.ERROR
    options_schema = options_object(
        stale_severity={
            "enum": ["error", "warning", "off"],
            "default": "warning",
            "description": "Severity when the base is an older commit of the production branch.",
        },
        moved_during_review={
            "enum": ["warning", "off"],
            "default": "off",
            "description": "Note a hotfix cut from the deployed ref while production moved on before it was "
            "merged (it was not tested on top of what it joined).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        stale_severity = Severity(ctx.options["stale_severity"])
        yield from unmerged_bases(self, facts, ctx)
        review_severity = Severity(ctx.options["moved_during_review"])
        unavailable: set[str] = set()
        for hotfix in all_hotfixes(facts):
            if hotfix.missing_objects:
                yield self.finding(
                    f"{where(hotfix)}: could not check its base: object {hotfix.missing_objects[0]} is missing "
                    "from this clone",
                    kind=FindingKind.COULD_NOT_CHECK,
                    ref=hotfix.line,
                    commit=hotfix.tip,
                    hint="fetch the full history (git fetch --refetch, or a clone that is not partial)",
                    subjects=subjects(hotfix),
                )
                continue
            if hotfix.unrelated_root is not None:
                yield self._unrelated(hotfix)
                continue
            if not hotfix.own_commits or hotfix.original_base is None:
                continue
            if hotfix.deployed_ref is None:
                if hotfix.deployed_ref_label not in unavailable:
                    unavailable.add(hotfix.deployed_ref_label)
                    yield self.finding(
                        f"could not check hotfix bases: {hotfix.deployed_ref_label}",
                        kind=FindingKind.COULD_NOT_CHECK,
                        ref=hotfix.line,
                    )
                continue
            finding = self._judge(hotfix, stale_severity, ctx.policy)
            if finding is None and review_severity is not Severity.OFF:
                finding = self._moved(hotfix, review_severity)
            if finding is not None:
                yield finding

    def _unrelated(self, hotfix: HotfixFact) -> Finding:
        """No common history: the branch starts at a root commit of its own, not at the line."""
        if hotfix.merge is None:
            repair = (
                f"replay its commits onto {hotfix.line}, then check the result: "
                + shell_command(["git", "rebase", "--root", "--onto", hotfix.line], hotfix.label)
            )
        else:
            repair = (
                f"history is not rewritten: cut the next hotfix from the deployed ref "
                f"({shell_command(['git', 'switch', '-c', 'hotfix/...'], hotfix.line)}); {waiver_hint(self.id, hotfix)}"
            )
        return self.finding(
            f"{where(hotfix)} shares no history with {hotfix.line}: it starts at its own root commit "
            f"{short(hotfix.unrelated_root)} (an orphan branch), so it was not cut from the deployed ref and "
            f"brings {len(hotfix.own_commits)} commit(s) of unrelated history",
            ref=hotfix.source or hotfix.line,
            commit=hotfix.tip,
            hint=repair,
            subjects=subjects(hotfix),
        )

    def _moved(self, hotfix: HotfixFact, severity: Severity) -> Finding | None:
        """Cut from the deployed ref, but production moved before the merge: the softer note."""
        if hotfix.moved_during_review <= 0 or hotfix.original_base != hotfix.deployed_ref:
            return None
        moved = f"{hotfix.moved_during_review} first-parent commit(s)"
        if hotfix.merge is None:  # the branch under check: production moved since its work started
            what = f"when its work started, and {hotfix.line} has moved {moved} since: it is not tested on top of "
            what += "what it will join"
            hint = f"merge {hotfix.line} into the branch (or rebase it onto {hotfix.line}) and test before merging"
        else:
            what = f"and {hotfix.line} moved {moved} while it was in review: it was merged without being tested "
            what += "on top of what it joined"
            hint = f"before merging the next one, merge {hotfix.line} into the hotfix branch (or rebase it) and test; "
            hint += waiver_hint(self.id, hotfix)
        return self.finding(
            f"{where(hotfix)} was cut from the deployed ref {short(hotfix.original_base)}, {what}",
            severity=severity,
            ref=hotfix.source or hotfix.line,
            commit=hotfix.merge.id if hotfix.merge is not None else hotfix.tip,
            hint=hint,
            subjects=subjects(hotfix),
        )

    def _judge(self, hotfix: HotfixFact, stale_severity: Severity, policy: Policy) -> Finding | None:
        """Stale (an older production commit) is only meaningful when the deployed ref is the tip."""
        stale_applies = policy.deployed_ref == "branch"
        base = hotfix.original_base
        if base is None or hotfix.deployed_ref is None or base == hotfix.deployed_ref:
            return None
        if hotfix.cut_at_deployed_tree is not None:
            return None  # cut where integration had exactly the deployed tree: nothing undeployed came along
        deployed = f"{short(hotfix.deployed_ref)} ({hotfix.deployed_ref_label})"
        hidden = ""
        if _merged_line_into_branch(hotfix, policy):
            hidden = (
                f"; {hotfix.line} was merged into the branch later, which hides the old base from a plain "
                "merge base"
            )
        branch = hotfix.label
        if hotfix.merge is None:
            onto = short(hotfix.deployed_ref)
            repair = "rebase it onto the deployed ref: " + shell_command(
                ["git", "rebase", f"--onto={onto}"], short(base), branch
            )
        else:
            repair = (
                f"history is not rewritten: cut the next hotfix from the deployed ref "
                f"({shell_command(['git', 'switch', '-c', 'hotfix/...'], hotfix.line)}); "
                f"{waiver_hint(self.id, hotfix)}"
            )
        found = functools.partial(
            self.finding, ref=hotfix.source or hotfix.line, commit=hotfix.tip, hint=repair, subjects=subjects(hotfix)
        )
        if hotfix.carried:
            sample = hotfix.carried[0]
            return found(
                f"{where(hotfix)} was cut from the integration branch, not from the deployed ref {deployed}: "
                f"it carries {len(hotfix.carried)} commit(s) that were never deployed "
                f"(e.g. {sample.short} '{sample.summary}')"
            )
        if stale_applies and hotfix.base_on_line and (hotfix.base_distance is None or hotfix.base_distance > 0):
            if stale_severity is Severity.OFF:
                return None
            older = (
                f"{hotfix.base_distance} commit(s) of {hotfix.line} older than"
                if hotfix.base_distance is not None
                else f"a commit of {hotfix.line}'s history older than"  # off the first-parent chain
            )
            return found(
                f"{where(hotfix)} was cut from {short(base)}, {older} the deployed ref {deployed}: its base is "
                f"stale{hidden}",
                severity=stale_severity,
            )
        if hotfix.base_on_line:
            return found(
                f"{where(hotfix)} was cut from {short(base)}, which is on {hotfix.line} but is not the "
                f"deployed ref {deployed}{hidden}"
            )
        return found(
            f"{where(hotfix)} was cut from {short(base)}, which is not on {hotfix.line}'s history (a hotfix cut "
            f"from the integration branch or another branch carries its undeployed commits): it brings "
            f"{len(hotfix.own_commits)} commit(s) into {hotfix.line} instead of starting at the deployed ref "
            f"{deployed}{hidden}"
        )


def _merged_line_into_branch(hotfix: HotfixFact, policy: Policy) -> bool:
    """Was the production line (by its name then or now) merged into the hotfix branch (which
    hides its original base)?"""
    for commit in hotfix.own_commits:
        if len(commit.parents) < 2:
            continue
        parsed = parse_merge_message(commit.message)
        source = parsed.source.removeprefix("origin/") if parsed.source else None
        if (
            source is not None
            and policy.is_line_name(hotfix.line, source)
            and not (parsed.target is not None and policy.is_line_name(hotfix.line, parsed.target))
        ):
            return True
    return False
