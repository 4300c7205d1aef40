"""Rule ``ci-trigger``: pushing a hotfix branch starts a GitHub Actions workflow that runs the tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.bounded import bounded_line
from hotfix_lint.facts.kinds import GITHUB_WORKFLOWS, WORKFLOWS
from hotfix_lint.facts.workflows import WORKFLOWS_DIR, WorkflowFile, WorkflowJob, WorkflowsFact
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import FACT_GIT_BRANCH, FACT_GIT_HISTORY, Rule, RuleContext, options_object

DEFAULT_TEST_PATTERNS = (
    r"\bpytest\b",
    r"\bpy\.test\b",
    r"\btox\b",
    r"\bnox\b",
    r"-m\s+unittest\b",
    r"\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test\b",
    r"\bmake\s+(?:test|check)\b",
    r"\bgo\s+test\b",
    r"\bcargo\s+(?:test|nextest)\b",
    r"\bmvnw?\b.*\b(?:test|verify)\b",
    r"\bgradlew?\b.*\b(?:test|check)\b",
    r"\bdotnet\s+test\b",
    r"\b(?:rspec|phpunit|jest|vitest|ctest)\b",
)
#: examples tried per hotfix pattern, and existing hotfix branches judged at most
MAX_NAMES = 20


class CiTrigger(Rule):
    id = "ci-trigger"
    summary = "Pushing a hotfix branch starts a GitHub Actions workflow that runs the tests."
    explanation = """\
A hotfix is tested before it is merged, so a push of a hotfix branch must start CI. The
workflows in `.github/workflows/*.yml` at the production branch's tip (the ones a hotfix
branch cut from it carries; for a branch under check, the ones at its tip, which GitHub
runs for its push) are read, and their `on.push` filters are applied as GitHub applies
them: `branches` and `branches-ignore` patterns with `*` (not `/`), `**`, `?`, `+`, `[a-z]`
and ordered `!` exclusions; a push trigger with only `tags` does not run for branches; no
filter runs for every branch. Checked for a sample name of each `hotfix_branch` pattern
(`hotfix-v{version}` -> `hotfix-v1.2.1`), for every existing branch that matches it, and for
the branch names in the option `branches` (such as `main`, for the run after the merge):
some triggered workflow must have a step that runs the tests (option `test_patterns`,
regular expressions searched in each step's `run` and `uses`: pytest, tox, nox, npm test,
make test, go test, cargo test, mvn, gradle, ...), directly or in a reusable workflow of
the repository that a job calls (`uses: ./.github/workflows/tests.yml`). A workflow file that
is not valid YAML runs nothing and is named in the finding. With `require_tests: false` any
triggered workflow is enough.

When GitHub is read (a token and a repository), a workflow GitHub has disabled (state
`disabled_manually`, or `disabled_inactivity`: GitHub turns off scheduled workflows of a
repository without activity for 60 days) starts nothing, whatever its file says. Without
GitHub, every workflow file counts."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({WORKFLOWS, FACT_GIT_HISTORY, FACT_GIT_BRANCH})
    uses = frozenset({GITHUB_WORKFLOWS})
    options_schema = options_object(
        test_patterns={
            "type": "array",
            "items": {"type": "string", "minLength": 1, "format": "regex"},
            "default": list(DEFAULT_TEST_PATTERNS),
            "description": "Regular expressions that recognise a step running the tests (searched in run and uses).",
        },
        branches={
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": "More branch names whose pushes must run the tests, such as main.",
        },
        require_tests={
            "type": "boolean",
            "default": True,
            "description": "A triggered workflow must run the tests (false: any triggered workflow will do).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        if not facts.workflows:
            return
        base = facts.workflows[0]
        if base.missing_object is not None:
            yield self.finding(
                f"could not read {WORKFLOWS_DIR} at {base.ref}: object {base.missing_object} is missing",
                kind=FindingKind.COULD_NOT_CHECK,
                ref=base.ref,
            )
            return
        states = facts.github.workflow_states if facts.github is not None else None
        listed = states if isinstance(states, tuple) else ()  # unknown or not read: every file counts
        disabled = {path: state for path, state in listed if state.startswith("disabled")}
        judge = _Judge(
            [re.compile(p) for p in ctx.options["test_patterns"]], bool(ctx.options["require_tests"]), disabled
        )
        policy = ctx.policy
        for pattern in policy.hotfix_patterns:
            sample = pattern.example()
            names: list[str] = [sample] if sample else []
            if facts.history is not None:
                existing = sorted({b.name for b in facts.history.branches if pattern.matches(b.name)})
                names += [n for n in existing if n not in names][:MAX_NAMES]
            if not names:
                continue
            failing = [(name, problem) for name in names if (problem := judge.problem(base, name)) is not None]
            if not failing:
                continue
            first, problem = failing[0]
            others = [n for n, _ in failing[1:]]
            also = f" (also: {', '.join(others[:5])}{' ...' if len(others) > 5 else ''})" if others else ""
            yield self.finding(
                f"a push of a hotfix branch such as {first} (pattern {pattern.source}) {problem}{also}",
                ref=base.ref,
                commit=base.commit,
                path=WORKFLOWS_DIR,
                hint=_hint(pattern.source if not pattern.is_raw else first),
                subjects=(pattern.source,),
            )
        for name in ctx.options["branches"]:
            problem = judge.problem(base, name)
            if problem is not None:
                yield self.finding(
                    f"a push of {name} {problem}",
                    ref=base.ref,
                    commit=base.commit,
                    path=WORKFLOWS_DIR,
                    hint=_hint(name),
                    subjects=(name,),
                )
        branch = facts.branch
        if branch is not None and branch.source and policy.is_hotfix_name(branch.source):
            own = next((w for w in facts.workflows[1:] if w.ref == branch.source), None)
            if own is not None and own.missing_object is None:
                problem = judge.problem(own, branch.source)
                if problem is not None:
                    yield self.finding(
                        f"a push of {branch.source} (with the workflows at its tip) {problem}",
                        ref=branch.source,
                        commit=branch.tip,
                        path=WORKFLOWS_DIR,
                        hint=_hint(branch.source),
                        subjects=(branch.source,),
                    )


def _hint(pattern: str) -> str:
    glob = re.sub(r"\{[a-z]+\}", "*", pattern)
    return (
        f"add to a workflow in {WORKFLOWS_DIR}: `on: {{push: {{branches: ['{glob}']}}}}` and a job step that runs "
        "the tests (e.g. `run: pytest`)"
    )


class _Judge:
    """Which workflows a push starts, and whether one of them runs the tests."""

    def __init__(self, patterns: list[re.Pattern[str]], require_tests: bool, disabled: dict[str, str]) -> None:
        self.patterns = patterns
        self.require_tests = require_tests
        #: workflow path -> its state on GitHub, for those GitHub has disabled
        self.disabled = disabled

    def problem(self, workflows: WorkflowsFact, branch: str) -> str | None:
        """What is wrong with a push of ``branch`` (a phrase), or ``None``."""
        broken = [w for w in workflows.files if w.error]
        broken_note = ""
        if broken:
            broken_note = " (" + "; ".join(f"{w.path} could not be read: {w.error}" for w in broken) + ")"
        if not workflows.files:
            return f"starts no workflow: there is no workflow in {WORKFLOWS_DIR} at {workflows.ref}"
        started = [w for w in workflows.files if w.push is not None and w.push.runs_for(branch)]
        if not started:
            pushed = [w for w in workflows.files if w.push is not None]
            said = "; ".join(f"{w.path} runs on {w.push.describe()}" for w in pushed if w.push is not None)
            return "starts no workflow" + (f" ({said})" if said else " (no workflow runs on push)") + broken_note
        off = [w for w in started if w.path in self.disabled]
        if off:
            started = [w for w in started if w.path not in self.disabled]
            said = "; ".join(f"{w.path} is {self.disabled[w.path]} on GitHub" for w in off)
            if not started:
                return f"starts no workflow ({said})" + broken_note
            broken_note += f" ({said})"
        if not self.require_tests:
            return None
        if any(self._runs_tests(workflows, w, 0) for w in started):
            return None
        names = ", ".join(w.path for w in started)
        return f"starts {names}, but no step there runs the tests" + broken_note

    def _runs_tests(self, workflows: WorkflowsFact, workflow: WorkflowFile, depth: int) -> bool:
        return any(self._job_runs_tests(workflows, job, depth) for job in workflow.jobs)

    def _job_runs_tests(self, workflows: WorkflowsFact, job: WorkflowJob, depth: int) -> bool:
        for step in job.steps:
            for text in (step.run, step.uses):
                lines = [bounded_line(line) for line in (text or "").splitlines()]  # bounded: see facts.bounded
                if any(p.search(line) for p in self.patterns for line in lines):
                    return True
        if job.uses:
            local = job.uses.split("@", 1)[0]
            if local.startswith("./"):
                called = workflows.file(local[2:])
                if called is not None and depth < 5:
                    return self._runs_tests(workflows, called, depth + 1)
                return False
            uses = bounded_line(job.uses)
            return any(p.search(uses) for p in self.patterns) or re.search(r"\btests?\b", uses) is not None
        return False
