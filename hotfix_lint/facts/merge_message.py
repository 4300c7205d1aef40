"""Read the source and target branch of a merge from its message.

Git, GitHub and GitLab each word merge messages their own way; this is the one place
that knows those wordings.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

#: compiled on first use (``re`` keeps them): importing this module stays cheap for the git hooks
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("pull-request", r"^Merge pull request #(?P<pr>\d+) from (?P<owner>[^/\s]+)/(?P<src>\S+)"),
    (
        "remote-branch",
        r"^Merge remote-tracking branch '(?:[^/']+)/(?P<src>[^']+)'(?: into '?(?P<dst>[^'\s]+)'?)?",
    ),
    ("branch", r"^Merge branch '(?P<src>[^']+)'(?: of \S+)?(?: into '?(?P<dst>[^'\s]+)'?)?"),
    ("tag", r"^Merge tag '(?P<src>[^']+)'(?: of \S+)?(?: into '?(?P<dst>[^'\s]+)'?)?"),
    ("branches", r"^Merge branches (?P<list>.+?)(?: into '?(?P<dst>[^'\s]+)'?)?$"),
    ("commit", r"^Merge commit '(?P<src>[^']+)'(?: into '?(?P<dst>[^'\s]+)'?)?"),
)


class MergeSource(NamedTuple):
    """What a merge message says: where from, where to (``None`` = the default branch). (A
    named tuple: the history parses every merge of a line's chain, and a frozen dataclass is
    three times slower to make.)"""

    kind: str  # pull-request | branch | remote-branch | tag | branches | commit | unknown
    source: str | None
    target: str | None = None
    pull_request: int | None = None
    sources: tuple[str, ...] = ()


#: the words each pattern starts with (no two start alike)
_LEADS = {
    "pull-request": "Merge pull request #",
    "remote-branch": "Merge remote-tracking branch '",
    "branch": "Merge branch '",
    "tag": "Merge tag '",
    "branches": "Merge branches ",
    "commit": "Merge commit '",
}

_COMPILED: list[tuple[str, re.Pattern[str]]] = []


def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    if not _COMPILED:
        _COMPILED.extend((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)
    return _COMPILED


#: git's merge message after a short note a person put before it, on the same line or the line
#: above (``Closes #352`` then ``Merge branch 'hotfix/1.14.3'``): the note is at most 40
#: characters and is no revert
_GIT_MERGE = r"Merge (?:branch|branches|remote-tracking branch|pull request|tag) .*"
_PREFIX = re.compile(r"^(?!Revert\b)(?P<note>.{1,40}?)[\s:;,-]+(?P<rest>" + _GIT_MERGE + ")$")
_NOTE = re.compile(r"^(?!Revert\b).{1,40}$")


def _git_subject(message: str) -> str:
    """The line of ``message`` git's ``Merge ...`` is on: the first, or after a short note."""
    text = message.lstrip()  # (no copy of a long body: only the first two lines are read)
    end = text.find("\n")
    subject = (text if end < 0 else text[:end]).strip()
    if subject.startswith("Merge "):
        return subject
    found = _PREFIX.match(subject)
    if found:
        return found.group("rest")
    after = text.find("\n", end + 1) if end >= 0 else -1
    below = "" if end < 0 else (text[end + 1 :] if after < 0 else text[end + 1 : after]).strip()
    if _NOTE.match(subject) and re.fullmatch(_GIT_MERGE, below):
        return below
    return subject


def parse_merge_message(message: str) -> MergeSource:
    """Parse the first line of a merge commit message."""
    return _parse_subject(_git_subject(message))


@functools.lru_cache(maxsize=1 << 14)
def _parse_subject(subject: str) -> MergeSource:
    """What git's ``Merge ...`` line says (the history asks of one merge several times: the
    recent answers are kept, by the line alone)."""
    if not subject.startswith("Merge "):
        return MergeSource("unknown", None)
    for kind, pattern in _compiled():
        if not subject.startswith(_LEADS[kind]):
            continue  # (each pattern starts with its own words: at most one is tried)
        m = pattern.match(subject)
        if m is None:
            break
        groups = m.groupdict()
        if kind == "branches":
            names = tuple(re.findall(r"'([^']+)'", groups["list"]))
            return MergeSource(kind, names[0] if names else None, groups.get("dst"), None, names)
        pr = int(groups["pr"]) if groups.get("pr") else None
        src = groups["src"]
        return MergeSource(kind, src, groups.get("dst"), pr, (src,))
    return MergeSource("unknown", None)
