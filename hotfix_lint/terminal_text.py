"""Text from repositories, policies or GitHub made safe to show: on a terminal (no escape
sequence acts), in a CI log (no line starts a workflow command), on one line. The lowest
layer: errors, reporters and the audit's renderings all use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

#: the runner reads its log line by line, a line ending at ``\r\n``, ``\n`` or a lone ``\r``
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
#: anywhere in a line, the runner's older command marker
_COMMAND_MARK = "##["
#: what a terminal acts on instead of showing: C0 controls but tab and line feed (ESC starts
#: colours, cursor moves and OSC titles or links, BEL ends an OSC, CR rewrites the line), DEL,
#: C1 controls (8-bit CSI and OSC), Unicode line and paragraph separators, and the
#: bidirectional overrides and isolates that make a line read otherwise than it is
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_LINE_FEED = re.compile(rf"[{_CONTROLS}\n]")


def show_code(match: re.Match[str]) -> str:
    """The matched character shown as ``\\xNN`` or ``\\uNNNN`` (for ``re.sub``)."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_line(text: str) -> str:
    """``text`` as one harmless line: control characters (ESC, BEL, CR, LF, the bidirectional
    overrides...) shown as ``\\xNN``/``\\uNNNN``, and no workflow command (:func:`neutralise_commands`)."""
    return neutralise_commands(show_controls(text, line_feeds=False))


def neutralise_commands(text: str) -> str:
    """``text`` with no line the GitHub Actions runner would execute as a workflow command.

    The runner takes a line that starts with ``::`` (after blanks) as a command, and ``##[``
    anywhere in a line; commit messages and branch names are chosen by whoever pushes, so such
    a line gets a backslash before its ``::`` and ``##[`` becomes ``##\\[`` (what is shown is
    still readable; ``::add-mask::`` or ``::stop-commands::`` can no longer act).
    """
    parts = _LINE_BREAK.split(text)
    for i in range(0, len(parts), 2):  # the even items are lines, the odd ones their breaks
        line = parts[i]
        stripped = line.lstrip()
        if stripped.startswith("::"):
            parts[i] = line[: len(line) - len(stripped)] + "\\" + stripped
    return "".join(parts).replace(_COMMAND_MARK, "##\\[")


def show_controls(text: str, *, line_feeds: bool = True) -> str:
    """``text`` with every control character shown as ``\\xNN``/``\\uNNNN`` (see ``_CONTROLS``),
    line feeds too unless ``line_feeds`` (a value that must stay on its line)."""
    return (_CONTROL if line_feeds else _CONTROL_OR_LINE_FEED).sub(show_code, text)


def terminal_safe(text: str) -> str:
    """Text from repositories, policies or GitHub made safe to print on a terminal or in a CI
    log: control characters shown escaped, no workflow command (:func:`neutralise_commands`)."""
    return neutralise_commands(show_controls(text))


def log_safe_json(data: Any) -> str:
    """``data`` as indented JSON that is safe to print in a GitHub Actions log.

    JSON escapes every control character and line break inside strings (and, ASCII-only,
    every other non-ASCII character), so no value starts a line (``::command``: each line
    starts with indentation, then a quote or a bracket); ``[`` after ``##`` is written
    ``\\u005b`` so no value holds the runner's older ``##[command]`` either: the same string
    to any JSON reader, since ``#`` occurs inside strings only.
    """
    return "".join(log_safe_json_parts(data))


def write_log_safe_json(data: Any, stream: IO[str]) -> None:
    """:func:`log_safe_json` of ``data`` and a line feed, written as it is encoded: a report of
    12,000 findings (git/git) is no longer held whole, twice, at the end of a run."""
    for part in log_safe_json_parts(data):
        stream.write(part)
    stream.write("\n")


def log_safe_json_parts(data: Any) -> Iterator[str]:
    """:func:`log_safe_json` in pieces of about 64 KiB. ``##[`` cannot overlap itself, so a
    piece's last two characters wait for the next one: the same replacements as on the whole."""
    import json  # only the JSON formats pay for it (hooks print text)

    keep = len(_COMMAND_MARK) - 1
    pending: list[str] = []
    size = 0
    carry = ""
    for chunk in json.JSONEncoder(indent=2).iterencode(data):
        pending.append(chunk)
        size += len(chunk)
        if size >= 1 << 16:
            text = (carry + "".join(pending)).replace(_COMMAND_MARK, "##\\u005b")
            carry, pending, size = text[-keep:], [], 0
            yield text[:-keep]
    yield (carry + "".join(pending)).replace(_COMMAND_MARK, "##\\u005b")
