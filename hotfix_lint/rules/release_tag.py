"""Rule ``release-tag``: each hotfix is tagged on the production branch right after its merge."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.bounded import bounded_text
from hotfix_lint.facts.history import ProductionLineFact
from hotfix_lint.facts.kinds import VERSION_FILES
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.release import RELEASE_REACH, release_commit, release_window
from hotfix_lint.facts.version_files import declared_version, same_version
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, Severity, shell_command
from hotfix_lint.rules.base import FACT_GIT_HISTORY, Rule, RuleContext, options_object
from hotfix_lint.rules.common import DAY, day, short, subjects, waiver_hint, where
from hotfix_lint.rules.hints import published_words, tag_is_published


class ReleaseTag(Rule):
    id = "release-tag"
    summary = "Each hotfix is tagged on the production branch right after its merge, as the pattern says."
    explanation = """\
A release tag names exactly what was deployed, so that it can be rebuilt, compared and
rolled back to. After a hotfix is merged into a production branch, a tag matching the
policy's `tag_pattern` (such as `v{version}`) must point at its release point on that
branch: the merge commit itself or one of the automation commits right after it on the
first-parent chain (a changelog or version bump by the authors or subjects that
`merge-commit`'s `allow_authors`/`allow_messages` allow). A tag on the hotfix branch before
the merge, or after any other change (a direct commit, the next merge), does not name what
was deployed: it includes changes that are not the hotfix's. When the tag was made does not
matter: a tag added later on the landing (or its automation) is right. The changelog and
version files are read at the landing plus those automation commits. The tag's version must
be the hotfix's version (from its branch name), and it must not be the odd one out: when the
changelog's newest section and the version files at the tag agree on a version, the tag must
carry it (a missing changelog section or version bump is reported by `changelog-entry` and
`version-bump`). A published tag (older than a few days, or lightweight) is never moved by a
hint: it names a release others have fetched. Options: `annotated` (the tag must be an
annotated tag, which records who tagged and when), `message_pattern` (a regular expression
its message must match; `{version}` stands for the hotfix's version, e.g. `^Hotfix {version}$`),
`grace_days` (a tag still missing this many days after the merge is only a warning "pending",
for automation that tags a little later). Branches under check are not judged: they are tagged after their merge."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({FACT_GIT_HISTORY, VERSION_FILES})
    options_schema = options_object(
        annotated={
            "type": "boolean",
            "default": False,
            "description": "The tag must be an annotated tag (git tag -a), not a lightweight one.",
        },
        message_pattern={
            "type": ["string", "null"],
            "minLength": 1,
            "format": "regex",
            "default": None,
            "description": "A regular expression the tag message must match; {version} is the hotfix's "
            "version, e.g. '^Hotfix {version}$'.",
        },
        grace_days={
            "type": "integer",
            "minimum": 0,
            "default": 1,
            "description": "Days after the merge during which a missing tag is only a warning (pending).",
        },
    )

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        if facts.history is None:
            return
        for line in facts.history.production:
            index = {c.id: i for i, c in enumerate(line.first_parent)}
            for hotfix in line.hotfixes:
                if hotfix.merge is None or hotfix.missing_objects:
                    continue
                finding = self._judge(hotfix, line, index, facts.now, facts.history.tags, ctx)
                if finding is not None:
                    yield finding

    def _judge(
        self,
        hotfix: HotfixFact,
        line: ProductionLineFact,
        index: dict[str, int],
        now: int,
        existing: tuple[TagFact, ...],
        ctx: RuleContext,
    ) -> Finding | None:
        policy = ctx.policy
        if hotfix.merge is None:
            return None
        tag = hotfix.release_tag
        mislabelled = hotfix.version is not None and (_tag_version(policy, tag) if tag else None) != hotfix.version
        if tag is None or (mislabelled and not _near(tag, hotfix, index)):
            return self._missing(hotfix, now, ctx, _later_tag(hotfix, line, index, existing, policy))
        problems: list[str] = []
        merge_at = index.get(hotfix.merge.id)
        tag_at = index.get(tag.target)
        if merge_at is not None and tag.target not in release_window(hotfix):
            if tag_at is None:
                problems.append(
                    f"it points at {short(tag.target)}, which is not on {line.name}'s first-parent chain after the "
                    "merge (tagged on the branch before merging?)"
                )
            elif tag_at > merge_at:
                problems.append(f"it points at {short(tag.target)}, before the merge")
            else:
                problems.append(_after_other_changes(hotfix, line, tag, tag_at, merge_at))
        version = _tag_version(policy, tag)
        if version is not None and hotfix.version is not None and not same_version(version, hotfix.version):
            problems.append(f"its version {version} is not the hotfix's version {hotfix.version}")
        if version is not None and tag.target == hotfix.release_point:
            # a tag elsewhere is judged by where it is; what the release point says is not the tag's
            odd = self._odd_one_out(hotfix, version)
            if odd:
                problems.append(odd)
        if bool(ctx.options["annotated"]) and not tag.annotated:
            problems.append("it is a lightweight tag, not an annotated one")
        pattern = ctx.options["message_pattern"]
        if pattern:
            wanted = re.compile(pattern.replace("{version}", re.escape(version or hotfix.version or "")))
            message = bounded_text((tag.message or "").strip())
            if not tag.annotated:
                if not ctx.options["annotated"]:
                    problems.append(f"a lightweight tag has no message to match {pattern}")
            elif not wanted.search(message):
                problems.append(f"its message '{message.splitlines()[0] if message else ''}' does not match {pattern}")
        if not problems:
            return None
        return self.finding(
            f"{where(hotfix)}: release tag {tag.name}: " + "; ".join(problems),
            ref=tag.name,
            commit=tag.target,
            hint=self._retag_hint(hotfix, tag, _message_example(pattern, version), now),
            subjects=(*subjects(hotfix), tag.name),
        )

    def _retag_hint(self, hotfix: HotfixFact, tag: TagFact, message: str, now: int) -> str:
        """Re-tag only a tag too young to be published; a published one stays where it is."""
        waiver = waiver_hint(self.id, hotfix)
        if tag_is_published(tag, now):
            return (
                f"{published_words(tag)}: do not move or re-create it (whoever fetched it keeps the old one); "
                f"tag the next release right, and {waiver}"
            )
        commands = _tag_commands(tag.name, message, short(release_commit(hotfix)), force=True)
        made = day(tag.tagger_time or now)
        return f"if {tag.name} (tagged on {made}) is not pushed yet, re-tag: {commands}; or {waiver}"

    def _missing(self, hotfix: HotfixFact, now: int, ctx: RuleContext, later: str = "") -> Finding | None:
        policy = ctx.policy
        if hotfix.merge is None:
            return None
        point = release_commit(hotfix)
        name = policy.tag_name_pattern.example(version=hotfix.version or "X.Y.Z") or policy.tag_pattern
        described = policy.tag_name_pattern.describe()
        message = f"{where(hotfix)} has no release tag matching {described} at its release point{later}"
        severity = None
        age = now - hotfix.merge.commit_time
        if 0 <= age < int(ctx.options["grace_days"]) * DAY:
            severity = Severity.WARNING
            message = f"pending: merged {age // 3600} hour(s) ago; " + message
        pattern = ctx.options["message_pattern"]
        hint = _tag_commands(name, _message_example(pattern, hotfix.version), short(point))
        return self.finding(
            message,
            severity=severity,
            ref=hotfix.source or hotfix.line,
            commit=hotfix.merge.id,
            hint=hint,
            subjects=subjects(hotfix),
        )

    def _odd_one_out(self, hotfix: HotfixFact, version: str) -> str | None:
        """The tag disagrees with a changelog and version files that agree with each other.

        Only then is the tag the mistake; a changelog or version files that lag behind are
        ``changelog-entry``'s and ``version-bump``'s findings.
        """
        snapshot = hotfix.changelog
        if snapshot is None or snapshot.text is None or snapshot.commit != hotfix.release_point:
            return None
        from hotfix_lint.facts.changelog import newest_version  # on use: a git hook never needs it

        newest = newest_version(snapshot.text)
        declared = [
            v
            for v in (declared_version(f.path, f.text).release for f in hotfix.version_files if f.text is not None)
            if v is not None
        ]
        if newest is None or not declared:
            return None
        agreed = {newest.removeprefix("v"), *(v.removeprefix("v") for v in declared)}
        if len(agreed) != 1 or same_version(newest, version):
            return None
        return f"the changelog and the version files at the tag say {newest}, the tag says {version}"


def _tag_version(policy: Policy, tag: TagFact) -> str | None:
    values = policy.tag_name_pattern.match(tag.name) or {}
    return values.get("version")


def _after_other_changes(
    hotfix: HotfixFact, line: ProductionLineFact, tag: TagFact, tag_at: int, merge_at: int
) -> str:
    """Name the first change between the landing's release and the tag: the next merge, or a
    commit that is not automation."""
    window = set(release_window(hotfix))
    between = [c for c in line.first_parent[tag_at:merge_at] if c.id not in window]
    merges = [c for c in between if len(c.parents) >= 2]
    if merges:
        return (
            f"it points at {short(tag.target)}, at or after the next merge {merges[-1].short} "
            f"('{merges[-1].summary}'): the tag includes changes that are not the hotfix's"
        )
    first = between[-1]
    return (
        f"it points at {short(tag.target)}, {merge_at - tag_at} commit(s) after the merge, past {first.short} "
        f"('{first.summary}'), which is not automation (merge-commit's allow_authors/allow_messages): the tag "
        "includes changes that are not the hotfix's"
    )


def _later_tag(
    hotfix: HotfixFact, line: ProductionLineFact, index: dict[str, int], tags: tuple[TagFact, ...], policy: Policy
) -> str:
    """Words for a release tag placed after other changes before the next merge, if any: it was
    meant for this landing, but names a release that includes changes that are not the hotfix's."""
    merge_at = index.get(hotfix.merge.id) if hotfix.merge is not None else None
    if merge_at is None:
        return ""
    window = set(release_window(hotfix))
    by_target = {t.target: t for t in tags if policy.tag_name_pattern.matches(t.name)}
    for at in range(merge_at - 1, -1, -1):
        commit = line.first_parent[at]
        if len(commit.parents) >= 2:
            return ""
        tag = by_target.get(commit.id)
        if tag is not None and commit.id not in window:
            return f" (release tag {tag.name}: {_after_other_changes(hotfix, line, tag, at, merge_at)})"
    return ""


def _near(tag: TagFact, hotfix: HotfixFact, index: dict[str, int]) -> bool:
    """Is the tag on the line within the hotfix's release (a mis-versioned tag, not another's)?"""
    if hotfix.merge is None:
        return False
    merge_at = index.get(hotfix.merge.id)
    tag_at = index.get(tag.target)
    return merge_at is not None and tag_at is not None and 0 <= merge_at - tag_at <= RELEASE_REACH


def _tag_commands(name: str, message: str, commit: str, *, force: bool = False) -> str:
    """Make the annotated tag ``name`` on ``commit`` and push it (``force``: replace a local tag).

    The push is never forced: a tag already on the remote is published, and a plain push of a
    replaced tag is refused there instead of moving it.
    """
    again = ["-f"] if force else []
    tag = shell_command(["git", "tag", *again, "-a", "-m", message], name, commit)
    return f"{tag} && {shell_command(['git', 'push'], 'origin', name)}"


def _message_example(pattern: str | None, version: str | None) -> str:
    if pattern and "Hotfix" in pattern:
        return f"Hotfix {version or 'X.Y.Z'}"
    return f"Release {version or 'X.Y.Z'}"
