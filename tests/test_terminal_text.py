"""``terminal_text.printable_line``: anything a repository or a policy wrote, as one inert line."""

from __future__ import annotations

from hostile import TERMINAL, TERMINAL_SHOWN, WORKFLOW, assert_no_injected_command, assert_no_terminal_control

from hotfix_lint.terminal_text import printable_line


def test_a_printable_line_shows_every_control_and_runs_no_command() -> None:
    shown = printable_line(f"{TERMINAL}\n{WORKFLOW}\r\tend")
    assert_no_terminal_control(shown)
    assert_no_injected_command(shown)
    assert "\n" not in shown and "\r" not in shown and "\tend" in shown  # one line; a tab stays
    assert shown.startswith(TERMINAL_SHOWN)  # the right-to-left override shown too, as \u202e
