"""What the GitHub rules share: reading the facts, "could not check" findings, name patterns.

A GitHub fact is a value or a :class:`CouldNotCheck`; these helpers turn the latter into a
finding of kind could-not-check that names the permission needed, never a pass and never a
violation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hotfix_lint.facts import CouldNotCheck
from hotfix_lint.policy.model import Policy
from hotfix_lint.policy.patterns import NamePattern, PatternError, compile_pattern
from hotfix_lint.policy.schema import NAME_PATTERN_FORMAT
from hotfix_lint.results import Finding, FindingKind

if TYPE_CHECKING:
    from hotfix_lint.rules.base import Rule

_SHA = re.compile(r"^[0-9a-fA-F]{40}$")

#: what each permission means for a token, for hints
_PERMISSION_HINTS = {
    "administration: read": (
        "reading branch protection needs admin rights: a fine-grained token or GitHub App with "
        "'Administration: read', or a classic token (repo scope) of a repository admin"
    ),
}


def permission_hint(unknown: CouldNotCheck) -> str:
    if unknown.permission is None:
        return (
            "nothing was decided: run the check again later (or with a token that reaches GitHub); "
            "`could_not_check: error` in the policy makes this fail the check"
        )
    return _PERMISSION_HINTS.get(
        unknown.permission,
        f"give the token '{unknown.permission}' (fine-grained token or GitHub App; classic tokens: the repo scope)",
    )


def could_not(rule: Rule, unknowns: Sequence[CouldNotCheck], *, subject: str | None = None) -> Finding:
    """One could-not-check finding for ``unknowns`` (deduplicated), naming the permission."""
    seen: list[CouldNotCheck] = []
    for unknown in unknowns:
        if unknown not in seen:
            seen.append(unknown)
    text = "; ".join(str(u) for u in seen)
    hints: list[str] = []
    for unknown in seen:
        hint = permission_hint(unknown)
        if hint not in hints:
            hints.append(hint)
    return rule.finding(
        text,
        kind=FindingKind.COULD_NOT_CHECK,
        ref=subject,
        hint="; ".join(hints),
        subjects=(subject,) if subject else (),
    )


def not_collected(rule: Rule) -> Finding:
    """The finding when no GitHub facts were collected at all (they are skipped or unavailable
    otherwise, and the engine never runs the rule)."""
    return rule.finding("could not check: GitHub was not read", kind=FindingKind.COULD_NOT_CHECK)


def compile_all(sources: Iterable[str], policy: Policy) -> list[NamePattern]:
    patterns: list[NamePattern] = []
    for source in sources:
        try:
            patterns.append(compile_pattern(source, policy.ticket_pattern))
        except PatternError:
            continue
    return patterns


def matches_any(patterns: Iterable[NamePattern], name: str) -> bool:
    return any(p.matches(name) for p in patterns)


def promotion_patterns(policy: Policy) -> list[NamePattern]:
    """The policy's promotion branch pattern, compiled (none without ``promotion_branch``)."""
    return compile_all([policy.promotion_branch] if policy.promotion_branch else [], policy)


def deploy_refs_option(what: str) -> dict[str, Any]:
    """The ``refs`` option that :func:`deploy_sources` reads: branch and tag patterns ``what``
    (such as "deployments may come from")."""
    return {
        "type": ["array", "null"],
        "items": {"type": "string", "minLength": 1, "format": NAME_PATTERN_FORMAT},
        "default": None,
        "description": (
            f"Branch and tag patterns {what}; null: the production branches, the promotion branches and "
            "(deployed_ref: tag) the release tags."
        ),
    }


def deploy_sources(policy: Policy, option: Any) -> list[str]:
    """The refs the policy deploys from: the option's list, else the production branches, the
    promotion branches and (for ``deployed_ref: tag``) the release tags."""
    if isinstance(option, list):
        return [str(s) for s in option]
    sources = list(policy.production)
    if policy.promotion_branch:
        sources.append(policy.promotion_branch)
    if policy.deployed_ref == "tag":
        sources.append(policy.tag_pattern)
    return sources


def deploy_source_kind(policy: Policy, source: str) -> str:
    """``tag`` for the policy's release tag pattern, ``branch`` for any other deploy source:
    GitHub's deployment policies are of one type or the other."""
    return "tag" if source == policy.tag_pattern else "branch"


_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def github_globs(source: str) -> tuple[str, ...]:
    """How GitHub's deployment branch and tag patterns can write a policy pattern: each
    placeholder becomes ``*`` where it stands (``v{version}`` -> ``v*``, never ``*``), and a
    path segment made of placeholders and separators only may also be written ``*``
    (``prod/hotfix/{date}_{slug}`` -> ``prod/hotfix/*_*`` or ``prod/hotfix/*``). ``**`` stays; a
    raw regular expression has no such form."""
    if source.startswith("^"):
        return ()
    exact: list[str] = []
    coarse: list[str] = []
    for segment in source.split("/"):
        if segment == "**":
            exact.append(segment)
            coarse.append(segment)
            continue
        written = re.sub(r"\*+", "*", _PLACEHOLDER.sub("*", segment))
        exact.append(written)
        bare = _PLACEHOLDER.search(segment) and not re.sub(r"[_.\-]", "", _PLACEHOLDER.sub("", segment))
        coarse.append("*" if bare else written)
    return tuple(dict.fromkeys(("/".join(exact), "/".join(coarse))))


def short_ref(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def is_sha(ref: str) -> bool:
    return bool(_SHA.match(ref))


def since_time(policy: Policy) -> int | None:
    """The policy's ``since`` as a time, when it is a date (older GitHub records are not judged)."""
    if not policy.since:
        return None
    try:
        day = dt.date.fromisoformat(policy.since)
    except ValueError:
        return None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def words(items: Sequence[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def quoted(items: Iterable[str]) -> list[str]:
    return [f"'{i}'" for i in items]
