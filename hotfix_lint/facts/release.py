"""Where a hotfix was released on its production line. A pure function of the facts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hotfix_lint.facts.git import CommitFact, HotfixFact

#: first-parent commits after a merge within which a tag of another version is taken as this
#: hotfix's tag with a wrong version (rather than another release's tag)
RELEASE_REACH = 5


def automation_window(
    first_parent: Sequence[CommitFact], start: int, is_automation: Callable[[CommitFact], bool]
) -> tuple[str, ...]:
    """The landing at ``first_parent[start]`` (newest-first chain) and the automation commits
    right after it, oldest first.

    Only automation (the policy's allowed authors and messages: a version bump, a changelog
    written by a bot, or a merge the policy's ``allow_messages`` names, such as a version-bump
    pull request) may sit between a landing and its release: the first other commit or merge
    starts the next change, which the release must not include.
    """
    window = [first_parent[start].id]
    for i in range(start - 1, -1, -1):
        commit = first_parent[i]
        if not is_automation(commit):  # a merge too: a version-bump pull request the policy names
            break
        window.append(commit.id)
    return tuple(window)


def release_window(hotfix: HotfixFact) -> tuple[str, ...]:
    """The landing and the automation commits right after it up to its tag, oldest first, as
    the collector found them (``HotfixFact.release_window``); the changelog and version files
    are read at its end."""
    return hotfix.release_window if hotfix.merge is not None else ()


def release_commit(hotfix: HotfixFact) -> str | None:
    """Where a hotfix was released: its tag's commit when the tag lies in its release window,
    else the window's last commit; a branch under check is released at its tip."""
    if hotfix.merge is None:
        return hotfix.tip
    window = release_window(hotfix)
    tag = hotfix.release_tag
    if not window:
        return tag.target if tag is not None else hotfix.release_point
    if tag is not None and tag.target in window:
        return tag.target
    return window[-1]
