"""Rule ``version-bump``: the version files carry the hotfix's version, one patch up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hotfix_lint.facts import FileSnapshot, HotfixFact, RepositoryFacts
from hotfix_lint.facts.kinds import VERSION_FILES
from hotfix_lint.facts.version_files import (
    ROOT_VERSION_FILES,
    DeclaredVersion,
    declared_in,
    is_patch_increment,
    same_version,
)
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import FACT_GIT_BRANCH, FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import all_hotfixes, short, subjects, waiver_hint, where


def _declared(snapshots: tuple[FileSnapshot, ...]) -> list[DeclaredVersion]:
    return [d for d in map(declared_in, snapshots) if d is not None]


def _agreed(declared: list[DeclaredVersion]) -> str | None:
    """The release most files declare (``None`` when none does); ``3.1.3-1`` in sbt is 3.1.3."""
    counts = Counter(d.release for d in declared if d.release is not None)
    return counts.most_common(1)[0][0] if counts else None


def _at(hotfix: HotfixFact) -> str:
    """Where the version files were read, for a message."""
    point = short(hotfix.version_files[0].commit)
    if hotfix.merge is None:
        return f"at the tip of {hotfix.label} ({point})"
    return f"at {hotfix.release_tag.name} ({point})" if hotfix.release_tag is not None else f"at {point}"


class VersionBump(Rule):
    id = "version-bump"
    summary = "The version files carry the hotfix's version, one patch above the previous release."
    explanation = """\
A hotfix release must say which version it is, everywhere the project writes its version,
so that what is deployed can be told apart from what was deployed before. At the hotfix's
release point (its release tag; without one, the last of the automation commits right after
the merge, `merge-commit`'s `allow_authors`/`allow_messages`, so that a bump by a bot counts; for
a branch under check, its tip) every version file must declare the hotfix's version (from
the branch name `{version}` or the release tag), all files must agree, and that version must
be a patch increment of the version the files declared just before the hotfix (1.2.0 ->
1.2.1; a pre-release 1.2.1-rc1 may be followed by 1.2.1). Build metadata (`1.2.1+7`) names no
other release, and where the build tool reads a numeric `-N` as a later revision of the same
release (Maven, sbt, Gradle, PEP 440 files; not SemVer's `package.json` or `Cargo.toml`, where
`1.2.1-1` is a pre-release) `1.2.1-1` is release 1.2.1 packaged again: the release is compared,
so a revision alone (1.2.1-1 -> 1.2.1-2) is no bump.

Version files are the policy's `version_files`; without that key they are found at the
release point: `setup.py`, `setup.cfg`, `pyproject.toml`, `package.json`, `pom.xml`,
`version.sbt`, `gradle.properties`, `Cargo.toml`, `VERSION` at the root and
`PACKAGE/__init__.py` or `src/PACKAGE/__init__.py` with a `__version__`, those that declare a
version. Each is read with its format's parser: a pom's own `<version>` (not its parent's;
`${property}` from its own `<properties>`), `version := "..."` or `ThisBuild / version` in
sbt, `[project]` or `[tool.poetry]` `version`, `[metadata] version`, `[package] version`,
`version=`, a literal `__version__`; any other file, its first line, or a `VERSION=1.2.3`
assignment in it (a shell script, a Makefile). A two-part version is read as its `.0`
(0.2 -> 0.2.1 is one patch). A listed file whose version is not a literal there
(`dynamic = ["version"]`, `${revision}` set outside the pom, `attr:`, `version.workspace`,
a file over 1 MiB) is reported as could-not-check with the reason, not as a wrong version;
found files of that kind are passed over. A hotfix whose version is unknown (no `{version}` in its
branch name and no tag) must still change the version by one patch. With
`automation_after_merge`, a branch under check need not bump the version itself (automation
does it on the production branch after the merge); if it does, the bump must be right."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, FACT_GIT_BRANCH, VERSION_FILES})
    options_schema = options_object(
        automation_after_merge={
            "type": "boolean",
            "default": False,
            "description": "The bump is written on the production branch after the merge; a branch under "
            "check need not bump the version itself.",
        },
        require_patch_increment={
            "type": "boolean",
            "default": True,
            "description": "The new version must be the next patch release of the previous one.",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        explicit = bool(ctx.policy.version_files)
        told_none = False
        for hotfix in all_hotfixes(facts):
            files = hotfix.version_files
            missing = next((s for s in (*files, *hotfix.previous_version_files) if s.missing_object), None)
            if missing is not None:
                yield self.finding(
                    f"{where(hotfix)}: could not read {missing.path} at {short(missing.commit)}: object "
                    f"{missing.missing_object} is missing from this clone",
                    kind=FindingKind.COULD_NOT_CHECK,
                    ref=hotfix.source or hotfix.line,
                    subjects=subjects(hotfix),
                )
                continue
            if not files:
                if not explicit and not told_none and hotfix.release_point is not None:
                    told_none = True
                    yield self.finding(
                        "could not check version bumps: no version file declares a version (looked for "
                        f"{', '.join(ROOT_VERSION_FILES)} and PACKAGE/__init__.py)",
                        kind=FindingKind.COULD_NOT_CHECK,
                        hint="name the files that carry the version in the policy: version_files: [...]",
                    )
                continue
            yield from self._not_literal(hotfix)
            finding = self._judge(hotfix, ctx)
            if finding is not None:
                yield finding

    def _not_literal(self, hotfix: HotfixFact) -> Iterator[Finding]:
        """Files whose version is not a literal (dynamic, a property, too large): not checked, and said so."""
        unread = [d for d in _declared(hotfix.version_files) if d.elsewhere]
        if unread:
            yield self.finding(
                f"{where(hotfix)}: could not check the version {_at(hotfix)} in "
                + "; ".join(f"{d.path}: {d.reason}" for d in unread),
                kind=FindingKind.COULD_NOT_CHECK,
                ref=hotfix.source or hotfix.line,
                commit=hotfix.version_files[0].commit,
                path=unread[0].path if len(unread) == 1 else None,
                hint="list in version_files the files that hold the version as a literal (for a pom whose "
                "<version> is ${revision}, the file that sets it), or drop these from the list",
                subjects=subjects(hotfix),
            )

    def _judge(self, hotfix: HotfixFact, ctx: RuleContext) -> Finding | None:
        files = hotfix.version_files
        at = _at(hotfix)
        declared = _declared(files)
        before = _declared(hotfix.previous_version_files)
        previous = _agreed(before)
        current = _agreed(declared)
        if (
            hotfix.merge is None
            and bool(ctx.options["automation_after_merge"])
            and {(d.path, d.version) for d in declared} == {(d.path, d.version) for d in before}
        ):
            return None  # automation bumps it on the production branch after the merge
        problems: list[str] = []
        absent = [s.path for s in files if s.text is None and s.oversize is None]
        if absent:
            problems.append(f"{', '.join(absent)} does not exist")
        silent = [d for d in declared if d.version is None and not d.elsewhere]
        problems += [f"{d.path} declares no version ({d.reason})" for d in silent]
        versions = [d for d in declared if d.version is not None]
        expected = hotfix.version
        if expected is not None:
            wrong = [d for d in versions if not same_version(d.release or "", expected)]
            if wrong:
                said = ", ".join(f"{d.path} says {d.version}" for d in wrong)
                problems.append(f"{said}, but the hotfix is {expected}")
        elif len({d.release for d in versions}) > 1:
            problems.append("the files disagree: " + ", ".join(f"{d.path} {d.version}" for d in versions))
        new = expected or current
        if not problems and new is not None and previous is not None:
            if same_version(previous, new):
                problems.append(f"the version is still {previous}, as before the hotfix: it was not bumped")
            elif bool(ctx.options["require_patch_increment"]) and not is_patch_increment(previous, new):
                problems.append(f"{previous} -> {new} is not a patch increment")
        if not problems:
            return None
        target = expected or (f"{previous} + one patch" if previous else "the hotfix's version")
        if hotfix.merge is None:
            repair = f"set the version to {target} in every version file and commit it on {hotfix.label}"
        else:
            repair = f"history is not rewritten; release the next hotfix right. {waiver_hint(self.id, hotfix)}"
        return self.finding(
            f"{where(hotfix)}: version files {at}: " + "; ".join(problems),
            ref=hotfix.source or hotfix.line,
            commit=files[0].commit,
            path=files[0].path if len(files) == 1 else None,
            hint=repair,
            subjects=subjects(hotfix),
        )
