"""Where a policy's mistakes are and how they read: positions (``FILE:LINE:COL``), key paths
(``exceptions[0].reason``), and the problems of a whole chain collected to be reported at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from hotfix_lint.errors import PolicyError

KeyPath = tuple[str | int, ...]

MAX_PROBLEMS = 100


class Mark(NamedTuple):
    """A position in a policy file, 1-based."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One mistake in the chain; ``order`` is the file's rank in reading order (0: the policy).

    ``kind`` says what is wrong without a word of the file's text: what is shown for a file
    whose text must not be quoted (an extended file; every file of an audited repository).
    """

    order: int
    line: int
    column: int
    file: str
    path: KeyPath
    message: str
    kind: str = ""

    def sort_key(self) -> tuple[int, int, int, str, str]:
        return (self.order, self.line, self.column, format_path(self.path), self.message)

    def render(self, *, quote: bool = True) -> str:
        place = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        if not quote:
            return f"{place}: {self.kind or 'invalid policy'}"
        if self.path:
            return f"{place}: at {format_path(self.path)}: {self.message}"
        return f"{place}: {self.message}"


def format_path(path: KeyPath) -> str:
    """``("exceptions", 0, "reason")`` -> ``exceptions[0].reason``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class PolicyDoc:
    """One policy file of the chain: its text, its data and where each key path is."""

    path: Path
    display: str
    order: int
    pack: str | None = None
    text: str = ""
    data: dict[str, Any] | None = None
    marks: dict[KeyPath, Mark] = field(default_factory=dict)  # value positions
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)  # mapping key positions

    def mark(self, path: KeyPath, *, key: bool = False) -> Mark:
        """The position of ``path`` (its key if asked and known), else of its nearest parent."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        for n in range(len(path), -1, -1):
            found = self.marks.get(path[:n])
            if found is not None:
                return found
        return Mark(self.display, 1, 1)


class Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        #: files (by order) whose text is never quoted: only where and what kind of problem
        self.unquoted: set[int] = set()
        self.quote_none = False

    def add(
        self, order: int, mark: Mark | None, path: KeyPath, message: str, file: str = "", *, kind: str = ""
    ) -> None:
        kind = kind or message  # a message made of fixed words only is its own kind
        if mark is None:
            self.items.append(Problem(order, 0, 0, file, path, message, kind))
        else:
            self.items.append(Problem(order, mark.line, mark.column, mark.file, path, message, kind))

    def raise_if_any(self) -> None:
        if self.items:
            lines: dict[str, None] = {}
            for problem in sorted(self.items, key=Problem.sort_key):
                quote = not self.quote_none and problem.order not in self.unquoted
                lines.setdefault(problem.render(quote=quote), None)
            shown = list(lines)[:MAX_PROBLEMS]
            if len(lines) > MAX_PROBLEMS:
                shown.append(f"... and {len(lines) - MAX_PROBLEMS} more problems (fix the first ones, then look again)")
            raise PolicyError(shown, cut=len(lines) > MAX_PROBLEMS)


def describe_value(value: Any) -> str:
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
