"""What a repository, a policy or GitHub can put in a name or a message that would act on a
terminal or a CI log instead of being shown, and the checks that an output shows it inert."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: a colour, clear screen, an OSC window title ended by BEL, an OSC 8 link ended by ST, an 8-bit
#: CSI (C1), a Unicode line separator, a right-to-left override
TERMINAL = "\x1b[31mred\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\link\x9b2J\u2028\u202eevil"
#: the same, as the outputs show it
TERMINAL_SHOWN = "\\x1b[31mred\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;http://evil\\x1b\\link\\x9b2J\\u2028\\u202eevil"
#: what of it a branch name can hold (git refuses ASCII control characters in ref names)
TERMINAL_BRANCH = "x\x9b2J\u2028\u202eevil"
#: what the GitHub Actions runner would execute: a command at the start of a line, ``##[`` anywhere
WORKFLOW = "::error::pwned ##[add-mask]s3cret"
#: the runner reads a line ending at \r\n, \n or a lone \r
RUNNER_LINES = re.compile(r"\r\n|\r|\n")
#: what a terminal acts on: every control character but tab and line feed, C1, Unicode line
#: and paragraph separators, bidirectional overrides and isolates
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_no_injected_command(text: str) -> None:
    """No line the runner reads starts a command, and ``##[`` appears nowhere."""
    for line in RUNNER_LINES.split(text):
        assert not line.lstrip().startswith("::"), line
    assert "##[" not in text


def assert_no_terminal_control(text: str, own: Iterable[str] = ()) -> None:
    """Nothing in ``text`` acts on a terminal but the output's own sequences ``own`` (colours)."""
    for sequence in own:
        text = text.replace(sequence, "")
    found = _ACTIVE.search(text)
    if found is not None:
        around = text[max(0, found.start() - 40) : found.end() + 40]
        raise AssertionError(f"{found.group()!r} at {found.start()}: {around!r}")


def assert_inert(text: str, own: Iterable[str] = ()) -> None:
    """Safe on a terminal and in a CI log."""
    assert_no_injected_command(text)
    assert_no_terminal_control(text, own)
