"""An example plugin rule: each commit of a hotfix says what it fixes in a subject long enough."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import FACT_GIT_BRANCH, FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, where


class DescriptiveSubject(Rule):
    id = "descriptive-subject"
    summary = "Every commit of a hotfix has a subject long enough to say what it fixes."
    explanation = """\
Whoever reads production's history during the next incident has the subjects only: a hotfix
commit titled `fix` or `typo` says nothing about what changed under pressure. Each of the
hotfix's own commits (merges left out) must have a subject of at least `min_length`
characters (default 20). An example of a rule from another package."""
    default_severity = Severity.WARNING
    requires = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH})
    options_schema = options_object(
        min_length={
            "type": "integer",
            "minimum": 1,
            "default": 20,
            "description": "The shortest subject accepted, in characters.",
        }
    )
    help_uri = "https://example.com/hotfix-lint-example#descriptive-subject"

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        shortest = ctx.options["min_length"]
        for hotfix in all_hotfixes(facts):
            for commit in hotfix.own_commits:
                subject = commit.message.split("\n", 1)[0].strip()
                if len(commit.parents) < 2 and len(subject) < shortest:
                    yield self.finding(
                        f"{where(hotfix)}: commit {commit.id[:10]} has the subject {subject!r}, "
                        f"shorter than {shortest} characters",
                        ref=hotfix.label,
                        commit=commit.id,
                        hint="reword the commit (git rebase -i) to say what it fixes",
                    )
