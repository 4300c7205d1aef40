"""Read a commit message the way a ticket check must: what will it say once history is final?

A ``fixup!`` or ``squash!`` commit disappears into the commit it names when the branch is
rebased with ``--autosquash``, an ``amend!`` commit replaces that commit's message with its
own body, and git's default ``Revert "..."`` message quotes the reverted subject. A message
still waiting in the commit-msg hook also carries git's ``#`` comment lines and, with
``--verbose``, a diff below the scissors line (:class:`PendingMessageFact`, the fact of the
commit-msg hook, lives here: only that hook and ``ticket-reference`` read it). Pure text
functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotfix_lint.facts.merge_message import parse_merge_message

SCISSORS = "------------------------ >8 ------------------------"
_AUTOSQUASH = re.compile(r"^(fixup|squash|amend)! ")
_REVERT = re.compile(r'^(?:Revert|Reapply) "(?P<subject>.*)"\s*$')


@dataclass(frozen=True, slots=True)
class PendingMessageFact:
    """A commit message not committed yet (the commit-msg hook), on the branch it goes to."""

    text: str
    branch: str | None = None


@dataclass(frozen=True, slots=True)
class MessageView:
    """The part of a message a ticket check judges.

    ``kind``: ``plain``, ``merge`` (git's or a forge's default merge wording), ``revert``,
    ``fixup``, ``squash``, ``amend`` or ``empty``. ``subject`` is the subject the message will
    stand for (the reverted or fixed-up subject, the new subject of an ``amend!``); ``text``
    is every line in which a ticket counts.
    """

    kind: str
    subject: str
    text: str


def strip_comments(text: str, comment_char: str = "#") -> str:
    """What git keeps of a message written in the editor: no comment lines, nothing below the scissors."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith(comment_char):
            if line[len(comment_char) :].strip() == SCISSORS:
                break
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n")


def view_message(message: str, *, is_merge: bool | None = None) -> MessageView:
    """Classify ``message`` and find the subject and text it stands for.

    ``is_merge`` is known for a commit (its parents); for a message not yet committed it is
    ``None`` and git's default merge wording (``Merge branch 'x'``, ``Merge pull request #1
    from ...``) decides.
    """
    stripped = message.strip()
    if not stripped:
        return MessageView("empty", "", "")
    subject, _, body = stripped.partition("\n")
    subject = subject.strip()
    if is_merge or (is_merge is None and parse_merge_message(subject).kind != "unknown"):
        return MessageView("merge", subject, stripped)
    kind = "plain"
    m = _AUTOSQUASH.match(subject)
    if m is not None:
        kind = m.group(1)
        while m is not None:  # "fixup! fixup! X" names X
            subject = subject[m.end() :]
            m = _AUTOSQUASH.match(subject)
        if kind == "amend":
            # the body replaces the target's whole message: its first line is the new subject
            new = body.strip()
            if new:
                new_subject, _, _ = new.partition("\n")
                return MessageView("amend", new_subject.strip(), new)
            return MessageView("amend", subject, subject)
        if kind == "fixup":
            return MessageView("fixup", subject, subject)
        return MessageView("squash", subject, f"{subject}\n{body}")
    revert = _REVERT.match(subject)
    if revert is not None:
        inner = revert.group("subject")
        nested = _REVERT.match(inner)
        while nested is not None:  # Revert "Revert "X"" stands for X
            inner = nested.group("subject")
            nested = _REVERT.match(inner)
        return MessageView("revert", inner, f"{inner}\n{body}")
    return MessageView(kind, subject, stripped)
