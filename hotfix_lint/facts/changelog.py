"""Read changelogs as teams write them: a version's section, and the file's own heading style.

Version headings come at any Markdown level (``#### 1.5.3``, ``## v1.2.3``,
``## 1.2.3 (2024-01-01)``, ``## [1.2.3] - 2024-01-01``, ``### [1.2.3](link) (date)``),
underlined (reStructuredText or setext: ``1.2.3`` over ``=====``), or as a line of their own
(``[1.2.3] - 2024-01-01``, ``Version 1.2.3``). Pure text functions; a file's headings are
parsed once and kept for the next hotfix with the same release point.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

#: headings are short: longer lines are never read as one (and every pattern stays linear)
_MAX_HEADING = 300
#: 1.2.3, 1.2, 2024.01.1, with a pre-release (-rc.1) or build (+b7); not 1.5.x or a longer word
_VERSION = r"(?P<version>\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z.]+(?:-[0-9A-Za-z.]+)*)?(?:\+[0-9A-Za-z.-]+)?)(?!\w)(?!\.\w)"
#: a heading's text: an optional word before the version (Version, Release, the project's name)
_TITLE = r"^(?P<prefix>(?:[A-Za-z][\w.-]*[ \t]+){0,1})\[?v?" + _VERSION + r"(?P<rest>.*)$"
#: what may follow a version on a line of its own: a separator, then a date or a parenthesis
_DATE_TAIL = (
    r"[ \t]*(?:[-\u2013\u2014:/,][ \t]*)?"
    r"(?:\([^()\n]*\)"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"
    r"|[A-Za-z]+[ \t]\d{1,2},?[ \t]\d{4}|\d{1,2}[ \t][A-Za-z]+[ \t]\d{4})?[ \t]*"
)
#: a line of its own (``[1.2.3] - 2024-01-01``, ``Version 1.2.3``): only a date may follow
_LINE = (
    r"^(?P<prefix>(?:[Vv]ersion|[Rr]elease|VERSION|RELEASE)[ \t]+)?\[?v?"
    + _VERSION
    + r"\]?(?P<rest>"
    + _DATE_TAIL
    + ")$"
)
_ATX = r"^(?P<marks>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$"
#: an underline: ``=`` and ``-`` (reStructuredText and Markdown's setext), or another rst
#: adornment at least as long as its title (so that a ``~~~`` code fence is none)
_ADORNMENT = r"^([=\-~^*+#\"':.])\1{2,}[ \t]*$"
_DATES = (
    (r"\d{4}-\d{1,2}-\d{1,2}", "YYYY-MM-DD"),
    (r"\d{4}/\d{1,2}/\d{1,2}", "YYYY/MM/DD"),
    (r"\d{1,2}\.\d{1,2}\.\d{4}", "DD.MM.YYYY"),
    (r"\b[A-Z][a-z]+ \d{1,2}, \d{4}", "Month D, YYYY"),
    (r"\b\d{1,2} [A-Z][a-z]+ \d{4}", "D Month YYYY"),
)
_LINK = r"^(\]?)\((?:[a-z][a-z+.-]*:|\.{0,2}/|#)[^)\s]*\)"
_TITLE_RE = re.compile(_TITLE)
_LINE_RE = re.compile(_LINE)
_ATX_RE = re.compile(_ATX)
_ADORNMENT_RE = re.compile(_ADORNMENT)


@dataclass(frozen=True, slots=True)
class ChangelogSection:
    """One version's section: its heading line (1-based), the heading as written, its text."""

    line: int
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the file: ``kind`` is ``atx`` (``## x``), ``underline`` (rst or setext) or
    ``line`` (a version line of its own); ``level`` orders headings of one kind."""

    index: int
    end: int
    kind: str
    level: int
    title: str
    version: str | None
    version_span: tuple[int, int] = (0, 0)
    adornment: str = ""
    overline: bool = False


def _underlines(line: str, title: str) -> bool:
    if len(line) > _MAX_HEADING or _ADORNMENT_RE.match(line) is None:
        return False
    return line[0] in "=-" or len(line.rstrip()) >= len(title.rstrip())


def _title_version(title: str, pattern: re.Pattern[str]) -> tuple[str, tuple[int, int]] | None:
    m = pattern.match(title)
    if m is None:
        return None
    return m.group("version"), m.span("version")


@functools.lru_cache(maxsize=8)
def headings(text: str) -> tuple[Heading, ...]:
    """Every heading of ``text``, top to bottom (version headings and the others)."""
    return tuple(_headings(text.splitlines()))


def _headings(lines: list[str]) -> Iterator[Heading]:
    """The headings of ``lines`` as they come: a reader that wants one near the top (the newest
    version's) reads no further, where a long changelog has thousands."""
    styles: list[tuple[str, bool]] = []  # underline styles by first use: their levels
    skip = -1
    fenced = False  # inside a ``` code block: a "# comment" there is no heading
    for i, raw in enumerate(lines):
        if raw.lstrip(" ").startswith("```"):
            fenced = not fenced
            continue
        if fenced or i <= skip or not raw.strip() or len(raw) > _MAX_HEADING:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if raw[0] in "#" and (atx := _ATX_RE.match(raw)) is not None:
            title = atx.group("title")
            found = _title_version(title, _TITLE_RE)
            version, span = found if found else (None, (0, 0))
            yield Heading(i, i + 1, "atx", len(atx.group("marks")), title, version, span)
            continue
        if not raw[0].isspace() and _underlines(nxt, raw):
            if _ADORNMENT_RE.match(raw):
                continue  # an overline: the title is on the next line
            overline = i > 0 and lines[i - 1].strip() == nxt.strip()
            style = (nxt.strip()[0], overline)
            if style not in styles:
                styles.append(style)
            title = raw.strip()
            found = _title_version(title, _TITLE_RE)
            version, span = found if found else (None, (0, 0))
            level = styles.index(style) + 1
            yield Heading(i, i + 2, "underline", level, title, version, span, style[0], overline)
            skip = i + 1
            continue
        if raw[0].isdigit() or raw[0] in "[vVrR":
            found = _title_version(raw.rstrip(), _LINE_RE)
            if found is not None:
                yield Heading(i, i + 1, "line", 0, raw.rstrip(), found[0], found[1])


def _same(a: str, b: str) -> bool:
    return a.removeprefix("v") == b.removeprefix("v")


def _section_end(all_headings: tuple[Heading, ...], at: int, total: int) -> int:
    """Where the section of ``all_headings[at]`` ends: the next version heading, or a heading of
    the same kind at a higher level (``# Older releases``). conventional-changelog writes its
    ``### Bug Fixes`` at the level of its ``### [1.2.3]``: a heading at the same level is inside."""
    own = all_headings[at]
    for other in all_headings[at + 1 :]:
        if other.version is not None or (other.kind == own.kind and other.level < own.level):
            return other.index - (1 if other.overline else 0)
    return total


#: :func:`find_section` first splits this much of a changelog into lines (a long one is
#: hundreds of kB, read at each hotfix's release; its section is near the top)
_FIRST_PART = 32 << 10


def find_section(text: str, version: str) -> ChangelogSection | None:
    """The section whose heading names ``version``, or ``None``: headings are read only down to
    the end of that section (a hotfix's is near the top of the changelog at its release)."""
    cut = text.find("\n", _FIRST_PART)
    if cut != -1:
        section = _section(text[: cut + 1].splitlines(), version, whole=False)
        if section is not False:
            return section
    result = _section(text.splitlines(), version, whole=True)
    return result if result is not False else None


def _section(lines: list[str], version: str, whole: bool) -> ChangelogSection | Literal[False] | None:
    """:func:`find_section` on ``lines``; unless ``whole`` (they are the first lines of the text),
    ``False`` when they do not settle it: the section or its end is not well inside them (a
    heading is read with the lines around it)."""
    found = _headings(lines)
    for heading in found:
        if heading.version is not None and _same(heading.version, version):
            rest = (heading, *_upto_end(found, heading))
            if not whole and (not _ends(rest[-1], heading) or rest[-1].index + 2 >= len(lines)):
                return False
            end = _section_end(rest, 0, len(lines))
            body = lines[heading.end : end]
            return ChangelogSection(heading.index + 1, lines[heading.index].strip(), "\n".join(body))
    return None if whole else False


def _upto_end(rest: Iterator[Heading], own: Heading) -> Iterator[Heading]:
    """The headings after ``own`` down to the first that ends its section (see :func:`_section_end`)."""
    for other in rest:
        yield other
        if _ends(other, own):
            return


def _ends(other: Heading, own: Heading) -> bool:
    """Does ``other`` (after ``own``) end ``own``'s section?"""
    return other is not own and (other.version is not None or (other.kind == own.kind and other.level < own.level))


def added_section(added_lines: tuple[str, ...], version: str) -> bool:
    """Do the lines a diff adds include a heading for ``version``?"""
    return any(h.version is not None and _same(h.version, version) for h in headings("\n".join(added_lines)))


def newest_version(text: str) -> str | None:
    """The version of the first version heading (the newest release, in the usual order)."""
    return next((h.version for h in headings(text) if h.version is not None), None)


def _placeholders(rest: str) -> str:
    rest = re.sub(_LINK, r"\1(...)", rest)
    for pattern, shown in _DATES:
        rest = re.sub(pattern, shown, rest)
    return rest


def heading_example(text: str | None, path: str, version: str) -> str:
    """The heading ``version`` needs, written as the file writes its newest version heading
    (level, ``v``, brackets, date, underline); Keep a Changelog's when it has none."""
    model = next((h for h in headings(text) if h.version is not None), None) if text else None
    if model is None:
        if path.lower().endswith(".rst"):
            title = f"{version} (YYYY-MM-DD)"
            return f"`{title}` underlined with `{'=' * len(title)}`"
        return f"`## [{version}] - YYYY-MM-DD`"
    start, end = model.version_span
    title = model.title[:start] + version.removeprefix("v") + _placeholders(model.title[end:])
    if model.kind == "atx":
        return f"`{'#' * model.level} {title}`"
    if model.kind == "underline":
        line = model.adornment * len(title)
        return f"`{title}` underlined{' and overlined' if model.overline else ''} with `{line}`"
    return f"`{title}`"
