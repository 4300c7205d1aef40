"""Which regular expressions a policy may hold: the catastrophic ones are refused, the usual
ones are kept, and every kept one runs quickly on the longest text it is ever given."""

from __future__ import annotations

import re
import time

import pytest

from hotfix_lint.facts.bounded import MAX_TEXT, bounded_text
from hotfix_lint.policy.regex_safety import BACKREFERENCE, EXPONENTIAL, POLYNOMIAL, UnsafeRegex, check_regex

REFUSED = {
    r"(a+)+$": EXPONENTIAL,
    r"(\w+\s?)*$": EXPONENTIAL,
    r"(a|ab|b)*$": EXPONENTIAL,
    r"(a|a)*$": EXPONENTIAL,  # parsed as a(|)*: two ways to match nothing
    r"(a*ba*)*": EXPONENTIAL,
    r"(.*,)*": EXPONENTIAL,
    r"(a?a?)+": EXPONENTIAL,
    r"(-?\d+)+x": EXPONENTIAL,
    r"(\d+\.\d*)+": EXPONENTIAL,
    r"(\w+|-)+#\d+": EXPONENTIAL,
    r"^(([a-z])+.)+[A-Z]([a-z])+$": EXPONENTIAL,
    r"(?=(a+)+b)": EXPONENTIAL,
    r"\d+\d+x": POLYNOMIAL,
    r"^\d+\d+\d+x": POLYNOMIAL,
    r".*a.*b": POLYNOMIAL,
    r"Merge .* into .*": POLYNOMIAL,
    r"[\u4e00-\u9fff]+[\u4e00-\u9fff]+x": POLYNOMIAL,
    r"(a)\1": BACKREFERENCE,
}

KEPT = [
    r"[A-Z]+-\d+",
    r"\b(?:JIRA|GH)-\d+\b",
    r"^(fix|feat)(\(\w+\))?: ",
    r"(?:[A-Z]+-)+\d+",
    r"(\d{1,3}\.){3}\d{1,3}",
    r"^Merge .* into main",
    r"^\[.*\] .*",
    r"(\.[a-z]+|-\d+)*",
    r"^chore\(release\): .*",
    r"dependabot\[bot\]",
    r"(?i)^fix: .+$",
    r"[a-z0-9]+(?:-[a-z0-9]+)*",
    r"pytest|tox|make test",
    r"(ab|cde)+",
    r"(\w|\d)+$",  # one character class once parsed
    r"(a|ab)*c",  # a(b?) once parsed
]


@pytest.mark.parametrize(("pattern", "kind"), sorted(REFUSED.items()))
def test_a_catastrophic_expression_is_refused(pattern: str, kind: str) -> None:
    with pytest.raises(UnsafeRegex) as info:
        check_regex(pattern)
    assert info.value.kind == kind
    assert str(info.value).startswith(f"the regular expression {pattern!r} ")


@pytest.mark.parametrize("pattern", KEPT)
def test_a_usual_expression_is_kept_and_fast_on_the_longest_text(pattern: str) -> None:
    check_regex(pattern)
    compiled = re.compile(pattern)
    worst = 0.0
    for unit in ("a", "1", "A", "-", " ", ".", ",", "ab", "a-", "A-1", "1.", "Merge ", "[", "fix: "):
        for tail in ("", "!", "\n"):
            text = bounded_text(unit * (3 * MAX_TEXT) + tail)
            started = time.perf_counter()
            compiled.search(text)
            worst = max(worst, time.perf_counter() - started)
    assert worst < 2.0, f"{pattern!r} took {worst:.2f} s"


def test_an_invalid_expression_is_left_to_the_check_that_says_so() -> None:
    check_regex("(unclosed")  # the schema's format check reports it
