"""Where a hotfix was released on its production line. A pure function of the facts."""

from __future__ import annotations

from hotfix_lint.facts.git import HotfixFact

#: first-parent commits after a merge that still belong to its release (automation commits)
RELEASE_REACH = 5


def release_window(hotfix: HotfixFact) -> tuple[str, ...]:
    """The merge and the first-parent commits after it up to the line's next merge (at most 5),
    oldest first, as the collector found them (``HotfixFact.release_window``).

    A changelog or version bump written by automation right after the merge belongs to the
    hotfix's release; the next merge on the line starts the next change.
    """
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
