"""Small helpers the rules share: which hotfixes to judge, how to word dates and commits."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import HotfixFact, RepositoryFacts

DAY = 86400


def all_hotfixes(facts: RepositoryFacts) -> Iterator[HotfixFact]:
    """The branch under check first, then every hotfix found in production history."""
    if facts.branch is not None:
        yield facts.branch
    yield from merged_hotfixes(facts)


def merged_hotfixes(facts: RepositoryFacts) -> Iterator[HotfixFact]:
    if facts.history is None:
        return
    for line in facts.history.production:
        yield from line.hotfixes


def day(timestamp: int) -> str:
    """A Unix time as its UTC date, for messages."""
    import datetime as dt  # here, not at import: the hooks' rules never word a date

    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


def short(commit: str | None) -> str:
    return (commit or "?")[:10]


def where(hotfix: HotfixFact) -> str:
    """How a message names a hotfix: 'branch hotfix/x' or 'hotfix/x (merge abc into main)'."""
    if hotfix.merge is None:
        return f"branch {hotfix.label}"
    return f"{hotfix.label} (merge {hotfix.merge.short} into {hotfix.line})"


def subjects(hotfix: HotfixFact) -> tuple[str, ...]:
    """Names a waiver may use for this hotfix: its branch, its merge, its tip."""
    names = [hotfix.tip]
    if hotfix.source:
        names.append(hotfix.source)
    if hotfix.merge is not None:
        names.append(hotfix.merge.id)
    return tuple(names)


def waiver_hint(rule: str, hotfix: HotfixFact) -> str:
    key = f"commit: {hotfix.merge.short}" if hotfix.merge is not None else f"branch: {hotfix.label}"
    return (
        f"to accept it, add to the policy: exceptions: [{{rule: {rule}, {key}, "
        'reason: "...", expires: YYYY-MM-DD}]'
    )
