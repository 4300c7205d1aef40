"""Readable branch and tag name patterns: ``hotfix/{slug}``, ``hotfix-v{version}``.

Teams write patterns the way their wiki does; this module turns them into anchored regular
expressions and checks what a regex cannot (that ``{date}`` is a real calendar date). A
pattern that starts with ``^`` is taken as a raw regular expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotfix_lint.facts.bounded import MAX_LINE

VERSION_RE = r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
SLUG_RE = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DATE_RE = r"\d{4}-\d{2}-\d{2}"

PLACEHOLDERS: dict[str, str] = {
    "version": "a semantic version such as 1.2.1",
    "slug": "lower-case words joined by '-', such as fix-login-timeout",
    "date": "a real calendar date YYYY-MM-DD",
    "ticket": "a ticket id matching the policy's ticket_pattern",
}

_TOKEN = re.compile(r"\{(\w+)\}|\*\*|\*")


class PatternError(ValueError):
    """A pattern cannot be compiled; the message says why, ``kind`` the same without quoting it."""

    def __init__(self, message: str, kind: str = "invalid name pattern") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class NamePattern:
    """A compiled name pattern; ``match`` returns the placeholder values or ``None``."""

    source: str
    regex: re.Pattern[str]
    is_raw: bool = False

    def match(self, name: str) -> dict[str, str] | None:
        if len(name) > MAX_LINE:  # no real branch or tag name: never matched (bounded time)
            return None
        found = self.regex.fullmatch(name) if not self.is_raw else self.regex.search(name)
        if found is None:
            return None
        values = {k: v for k, v in found.groupdict().items() if v is not None}
        date = values.get("date")
        if date is not None and not _is_calendar_date(date):
            return None
        return values

    def matches(self, name: str) -> bool:
        return self.match(name) is not None

    def describe(self) -> str:
        """Say in words what the pattern accepts, for messages."""
        if self.is_raw:
            return f"the regular expression {self.source}"
        used = [p for p in PLACEHOLDERS if "{" + p + "}" in self.source]
        if not used:
            return f"'{self.source}'"
        parts = "; ".join(f"{{{p}}} is {PLACEHOLDERS[p]}" for p in used)
        return f"'{self.source}' ({parts})"

    def example(self, slug: str = "short-description", version: str = "1.2.1") -> str | None:
        """Fill the pattern with sample values, for hints; ``None`` for a raw regex."""
        if self.is_raw:
            return None
        values = {"slug": slug, "version": version, "date": "2024-05-22", "ticket": "ABC-123"}

        def fill(m: re.Match[str]) -> str:
            if m.group(1):
                return values.get(m.group(1), m.group(1))
            return slug

        return _TOKEN.sub(fill, self.source)


def _is_calendar_date(text: str) -> bool:
    import datetime as dt  # only for a {date} pattern: not at import, which every hook pays

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def compile_pattern(source: str, ticket_pattern: str | None = None) -> NamePattern:
    """Compile a readable pattern (or a raw ``^...`` regex) into a :class:`NamePattern`."""
    if source.startswith("^"):
        try:
            return NamePattern(source, re.compile(source), is_raw=True)
        except re.error as exc:
            raise PatternError(f"invalid regular expression {source!r}: {exc}") from exc
    pieces: list[str] = []
    pos = 0
    seen: set[str] = set()
    for m in _TOKEN.finditer(source):
        pieces.append(re.escape(source[pos : m.start()]))
        pos = m.end()
        name = m.group(1)
        if name is None:
            pieces.append(".*" if m.group(0) == "**" else "[^/]*")
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise PatternError(f"unknown placeholder {{{name}}} in {source!r} (known: {known})")
        if name == "ticket" and not ticket_pattern:
            raise PatternError(f"{source!r} uses {{ticket}} but the policy has no ticket_pattern")
        body = {
            "version": VERSION_RE,
            "slug": SLUG_RE,
            "date": DATE_RE,
            "ticket": f"(?:{ticket_pattern})",
        }[name]
        if name in seen:
            pieces.append(f"(?:{body})")
        else:
            pieces.append(f"(?P<{name}>{body})")
            seen.add(name)
    pieces.append(re.escape(source[pos:]))
    return NamePattern(source, re.compile("".join(pieces)))


def slugify(text: str) -> str:
    """Turn any branch name tail into a ``{slug}``, for repair hints."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return "-".join(w.lower() for w in words) or "short-description"
