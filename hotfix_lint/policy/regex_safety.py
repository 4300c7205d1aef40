"""Refuse a policy's regular expression that can backtrack for ever, before it runs on
anyone's commit messages and branch names (Python's ``re`` has no timeout).

The expression is parsed (``re``'s own parser) and its repetitions are checked the way ReDoS
detectors check them, on the characters each part can match:

* exponential: inside a repetition (``*``, ``+``, ``{2,}``...), a part of variable length
  that can meet another part of variable length over the same characters before a required
  character it cannot match (``(a+)+``, ``(\\w+\\s?)*``, ``(a*b?a*)*``), or alternatives that
  can start with the same character or both match nothing (``(a|ab|b)*``, ``(a|a)*``);
* polynomial: unbounded repetitions one after the other over the same characters
  (``\\d+\\d+``, ``.*a.*``): two are refused in an expression searched from any position
  (the search is a third), three in one anchored with ``^``;
* backreferences (``\\1``), which no bound on the text makes fast.

It is a careful approximation (it may refuse an expression that is in fact fast, and then
says how to write it); the text matched is bounded too (:mod:`hotfix_lint.facts.bounded`),
so what remains is at most quadratic in a few KB.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:  # re's own parser: re._parser from Python 3.11 on, sre_parse before
    sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    sre_parse = importlib.import_module("sre_parse")

_Test = Callable[[str], bool]

#: a repetition allowed more times than this counts as unbounded
_MANY = 64
#: characters every class is tried on (with the pattern's own literals): ASCII and a few others
_SAMPLE = [chr(c) for c in range(128)] + list("\u00a0\u00e9\u00df\u03a9\u0663\u2028\u212a\ufb00\U0001f600")
_CATEGORY_TESTS: dict[str, _Test] = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdecimal(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
    "CATEGORY_LINEBREAK": lambda c: c == "\n",
    "CATEGORY_NOT_LINEBREAK": lambda c: c != "\n",
}

EXPONENTIAL = "regular expression that can take exponential time"
POLYNOMIAL = "regular expression that can take polynomial time"
BACKREFERENCE = "regular expression with a backreference"


class UnsafeRegex(ValueError):
    """Why a regular expression is refused; ``kind`` says it without quoting the expression."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(eq=False)
class _Part:
    """One element of a sequence, with what the checks need to know of it."""

    chars: int  # the characters it can match anywhere (a bit per alphabet letter)
    first: int  # the characters it can start with
    nullable: bool  # can match the empty text
    variable: bool  # can match texts of more than one length (holds a repetition)
    unbounded: bool  # can match an arbitrarily long text
    children: list[list[_Part]]  # its sequences (a group's body, each alternative of a branch)
    repeat: bool = False  # a repetition (``*``, ``+``, ``?``, ``{m,n}``)
    loop: list[_Part] | None = None  # a repetition's body, when it may run more than once


class _Analysis:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.parsed = sre_parse.parse(pattern)
        literals = {chr(code) for code in _codes(self.parsed)}
        self.alphabet = list(dict.fromkeys([*_SAMPLE, *sorted(literals)]))
        self.all = (1 << len(self.alphabet)) - 1
        self.lookarounds: list[list[_Part]] = []  # sequences checked on their own, anchored

    # -- characters ---------------------------------------------------------------------------

    def mask(self, test: _Test, icase: bool) -> int:
        bits = 0
        for i, letter in enumerate(self.alphabet):
            variants = {v for v in (letter, letter.lower(), letter.upper()) if len(v) == 1} if icase else {letter}
            if any(test(c) for c in variants):
                bits |= 1 << i
        return bits

    def char_class(self, items: Any, icase: bool) -> int:
        tests: list[_Test] = []
        negate = False
        for op, av in items:
            name = str(op)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                tests.append(_is_code(av))
            elif name == "RANGE":
                tests.append(_in_range(av[0], av[1]))
            elif name == "CATEGORY":
                tests.append(_CATEGORY_TESTS.get(str(av), _any_char))
            else:  # anything else: assume it can be any character
                tests.append(_any_char)
        bits = self.mask(lambda c: any(t(c) for t in tests), icase)
        return self.all & ~bits if negate else bits

    # -- the parts of a sequence --------------------------------------------------------------

    def sequence(self, items: Any, icase: bool) -> list[_Part]:
        return [self.part(op, av, icase) for op, av in items]

    def part(self, op: Any, av: Any, icase: bool) -> _Part:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            if name == "LITERAL":
                bits = self.mask(_is_code(av), icase)
            elif name == "NOT_LITERAL":
                bits = self.all & ~self.mask(_is_code(av), icase)
            elif name == "ANY":
                bits = self.all
            else:
                bits = self.char_class(av, icase)
            return _Part(bits, bits, False, False, False, [])
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            if name != "AT":  # a lookaround is checked as an expression of its own
                self.lookarounds.append(self.sequence(av[1], icase))
            return _Part(0, 0, True, False, False, [])
        if name == "SUBPATTERN":
            _, add, remove, body = av
            flag = sre_parse.SRE_FLAG_IGNORECASE
            return self.group([self.sequence(body, (icase or bool(add & flag)) and not remove & flag)])
        if name == "BRANCH":
            return self.group([self.sequence(alt, icase) for alt in av[1]])
        if name == "GROUPREF_EXISTS":
            _, yes, no = av
            return self.group([self.sequence(yes, icase), self.sequence(no or [], icase)])
        if name in ("GROUPREF", "GROUPREF_IGNORE"):
            raise UnsafeRegex(
                f"the regular expression {self.pattern!r} uses a backreference, which can take exponential time: "
                "write the text it repeats instead",
                BACKREFERENCE,
            )
        if name == "ATOMIC_GROUP":  # never backtracked into: one way to match, checked on its own
            body = self.group([self.sequence(av, icase)])
            self.lookarounds.append(body.children[0])
            return _Part(body.chars, body.first, body.nullable, False, False, [])
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = av
            inner = self.sequence(body, icase)
            whole = self.group([inner])
            if name == "POSSESSIVE_REPEAT":
                self.lookarounds.append(inner)
                return _Part(whole.chars, whole.first, low == 0 or whole.nullable, False, False, [])
            return _Part(
                whole.chars,
                whole.first,
                low == 0 or whole.nullable,
                low != high or whole.variable,
                high > _MANY or whole.unbounded,
                [inner],
                True,
                inner if high > 1 else None,
            )
        return _Part(self.all, self.all, True, True, True, [])  # unknown: assume the worst

    @staticmethod
    def group(sequences: list[list[_Part]]) -> _Part:
        chars = first = 0
        nullable = variable = unbounded = False
        for parts in sequences:
            seq_first, seq_nullable = 0, True
            for p in parts:
                chars |= p.chars
                variable |= p.variable
                unbounded |= p.unbounded
                if seq_nullable:
                    seq_first |= p.first
                    seq_nullable = p.nullable
            first |= seq_first
            nullable |= seq_nullable
        return _Part(chars, first, nullable, variable, unbounded, sequences)

    # -- the checks ---------------------------------------------------------------------------

    def check(self, *, searched: bool) -> None:
        top = self.sequence(self.parsed, bool(self.parsed.state.flags & sre_parse.SRE_FLAG_IGNORECASE))
        anchored = bool(self.parsed) and str(self.parsed[0][1]) in ("AT_BEGINNING", "AT_BEGINNING_STRING")
        self.sequence_checks(top, [], 1 if searched and not anchored else 2)
        for inner in self.lookarounds:
            self.sequence_checks(inner, [], 2)

    def sequence_checks(self, parts: list[_Part], after: list[_Part], allowed: int) -> None:
        """Every repetition in ``parts`` (followed by ``after``): how many others it meets."""
        for i, p in enumerate(parts):
            rest = parts[i + 1 :] + after
            if p.loop is not None:
                self.loop_checks(p.loop)
            if p.repeat and p.variable and p.unbounded and _meets(p, rest, unbounded_only=True) >= allowed:
                self.refuse_polynomial()
            for child in p.children:
                self.sequence_checks(child, rest, allowed)

    def loop_checks(self, body: list[_Part]) -> None:
        """A repetition's body: each variable part, and then the body again, must be kept apart."""
        for part, rest in _variable_parts(body, []):
            if _meets(part, [*rest, *body], unbounded_only=False):
                self.refuse_exponential()
        for branch in _branches(body):
            alternatives = [self.group([alt]) for alt in branch.children]
            if sum(alt.nullable for alt in alternatives) > 1:
                self.refuse_exponential()  # two ways to match nothing, as in (a|a)* once parsed
            for i, one in enumerate(alternatives):
                if any(one.first & other.first for other in alternatives[i + 1 :]):
                    self.refuse_exponential()

    def refuse_exponential(self) -> None:
        raise UnsafeRegex(
            f"the regular expression {self.pattern!r} can take exponential time: inside a repetition, parts "
            "can match the same text in more than one way (as in (a+)+, (\\w+\\s?)* or (a|ab|b)*); "
            "rewrite it so that each repetition has one way to match",
            EXPONENTIAL,
        )

    def refuse_polynomial(self) -> None:
        raise UnsafeRegex(
            f"the regular expression {self.pattern!r} can take polynomial time on long text: repetitions one "
            "after the other can match the same characters (as in \\d+\\d+ or .*a.*); make them exclusive "
            "(such as [^a]*a) or anchor the expression with ^",
            POLYNOMIAL,
        )


def _meets(part: _Part, rest: list[_Part], *, unbounded_only: bool) -> int:
    """How many variable parts that can start with one of ``part``'s characters come after
    it before a required character it cannot match (a separator); meeting ``part`` itself
    again counts too."""
    met = 0
    for other in rest:
        if other is part:
            return met + 1
        if not other.nullable and not other.first & part.chars:
            return met
        if other.variable and other.first & part.chars and (other.unbounded or not unbounded_only):
            met += 1
    return met


def _variable_parts(parts: list[_Part], after: list[_Part]) -> list[tuple[_Part, list[_Part]]]:
    """The repetitions of variable length inside ``parts`` (not inside nested repetitions,
    which are parts themselves), each with what follows it up to the end of ``parts``."""
    found: list[tuple[_Part, list[_Part]]] = []
    for i, p in enumerate(parts):
        rest = parts[i + 1 :] + after
        if p.repeat:
            if p.variable:
                found.append((p, rest))
            continue
        for child in p.children:
            found.extend(_variable_parts(child, rest))
    return found


def _branches(parts: list[_Part]) -> list[_Part]:
    """The alternations in ``parts``, through groups but not into nested repetitions."""
    found: list[_Part] = []
    for p in parts:
        if p.repeat:
            continue
        if len(p.children) > 1:
            found.append(p)
        for child in p.children:
            found.extend(_branches(child))
    return found


def _is_code(code: int) -> _Test:
    return lambda c: ord(c) == code


def _in_range(low: int, high: int) -> _Test:
    return lambda c: low <= ord(c) <= high


def _any_char(c: str) -> bool:
    return True


def _codes(items: Any) -> list[int]:
    """Every character a parsed expression names (literals, ends of ranges): classes are
    tried on these too, so that ``[\u4e00-\u9fff]`` is not taken for an empty class."""
    out: list[int] = []
    stack = [items]
    while stack:
        current = stack.pop()
        if not (isinstance(current, (list, tuple)) or hasattr(current, "data")):
            continue
        for element in current.data if hasattr(current, "data") else current:
            op = str(element[0]) if isinstance(element, tuple) and len(element) == 2 else ""
            if op in ("LITERAL", "NOT_LITERAL") and isinstance(element[1], int):
                out.append(element[1])
            elif op == "RANGE":
                out.extend(element[1])
            else:
                stack.append(element)
    return out


def check_regex(pattern: str, *, searched: bool = True) -> None:
    """Raise :class:`UnsafeRegex` when ``pattern`` can take exponential or high polynomial
    time; ``searched``: run with ``search`` (from any position) rather than anchored. An
    expression that does not compile is left to the check that says so."""
    import re

    try:
        analysis = _Analysis(pattern)
    except (re.error, RecursionError):
        return
    analysis.check(searched=searched)
