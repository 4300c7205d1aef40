"""Rule ``minimal-change``: a hotfix changes only what the fix needs."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.changes import PathChange
from hotfix_lint.facts.kinds import DIFF_STATS
from hotfix_lint.facts.workflows import glob_matches
from hotfix_lint.results import Finding, Severity
from hotfix_lint.rules.base import FACT_GIT_BRANCH, FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, subjects, waiver_hint, where


def _matches_any(patterns: list[str], path: str) -> bool:
    return any(glob_matches(p, path) for p in patterns)


class MinimalChange(Rule):
    id = "minimal-change"
    summary = "A hotfix's own diff stays small: few files, few lines, no forbidden paths."
    explanation = """\
A hotfix skips the usual release process, so it must carry only the fix: no refactoring,
no features, no unrelated clean-up, which are reviewed and tested the slow way. The hotfix's
own diff (what its merge changed on the production branch; for a branch under check, the
branch since it left the production branch; commits a hotfix carried from the integration
branch are not counted, `hotfix-base` reports those) must stay within `max_files` changed
files and `max_lines` added plus removed lines. The policy's changelog and version files,
and paths matching `ignore_paths`, are not counted. A path matching `forbidden_paths` must
not be touched at all (e.g. `migrations/**`, `.github/workflows/*`). Paths are matched with
`*` (any characters but `/`) and `**` (anything). A rename without changes counts as one
file and no lines. Default severity: warning (a large fix can be right; a reviewer decides)."""
    default_severity = Severity.WARNING
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH, DIFF_STATS})
    options_schema = options_object(
        max_files={
            "type": "integer",
            "minimum": 1,
            "default": 10,
            "description": "At most this many changed files.",
        },
        max_lines={
            "type": "integer",
            "minimum": 1,
            "default": 200,
            "description": "At most this many added plus removed lines.",
        },
        forbidden_paths={
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": "Path patterns a hotfix must not touch, such as 'migrations/**'.",
        },
        ignore_paths={
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": "Path patterns not counted (lock files, generated files).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.policy
        ignored = list(ctx.options["ignore_paths"]) + [p for p in (policy.changelog, *policy.version_files) if p]
        forbidden = list(ctx.options["forbidden_paths"])
        max_files = int(ctx.options["max_files"])
        max_lines = int(ctx.options["max_lines"])
        for hotfix in all_hotfixes(facts):
            changes = hotfix.changes
            if changes is None:
                continue
            touched = [
                f
                for f in changes.files
                if _matches_any(forbidden, f.path) or (f.old_path is not None and _matches_any(forbidden, f.old_path))
            ]
            if touched:
                yield self._finding(
                    hotfix,
                    f"{where(hotfix)} touches paths a hotfix must not change: "
                    + ", ".join(f.path for f in touched[:10])
                    + (" ..." if len(touched) > 10 else ""),
                    touched,
                )
            found = hotfix.changelog  # the changelog found when the policy names none (CHANGES.rst ...)
            skip = [*ignored, found.path] if found is not None and found.exists else ignored
            counted = [f for f in changes.files if not _matches_any(skip, f.path)]
            lines = sum(f.added + f.removed for f in counted)
            over: list[str] = []
            if len(counted) > max_files:
                over.append(f"{len(counted)} files (at most {max_files})")
            if lines > max_lines:
                over.append(f"{lines} lines added or removed (at most {max_lines})")
            if over:
                biggest = sorted(counted, key=lambda f: f.added + f.removed, reverse=True)[:3]
                sample = ", ".join(f"{f.path} (+{f.added} -{f.removed})" for f in biggest)
                yield self._finding(
                    hotfix,
                    f"{where(hotfix)} is not a minimal change: it changes {' and '.join(over)}; largest: {sample}",
                    counted,
                )

    def _finding(self, hotfix: HotfixFact, message: str, files: list[PathChange]) -> Finding:
        if hotfix.merge is None:
            hint = "move what is not the fix to a regular branch that goes through the normal release"
        else:
            hint = f"keep hotfixes to the fix itself; {waiver_hint(self.id, hotfix)}"
        return self.finding(
            message,
            ref=hotfix.source or hotfix.line,
            commit=hotfix.merge.id if hotfix.merge is not None else hotfix.tip,
            path=files[0].path if len(files) == 1 else None,
            hint=hint,
            subjects=subjects(hotfix),
        )
