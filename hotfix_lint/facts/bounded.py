"""How much of anyone's text a policy's regular expression is run on.

Commit messages, tag messages, author names and branch names are written by whoever pushes,
and Python's ``re`` has no timeout: the policy's expressions are checked when the policy is
loaded (:mod:`hotfix_lint.policy.regex_safety`, at most quadratic), and the text is bounded
here, so that one match costs milliseconds whatever the text.
"""

from __future__ import annotations

#: a branch or tag name, an author, a subject line: longer is cut (a name: never matches)
MAX_LINE = 1024
#: a message: its first and its last half of this are searched (trailers stay in)
MAX_TEXT = 4096


def bounded_line(text: str) -> str:
    """A subject, an author name or e-mail, cut to :data:`MAX_LINE` characters."""
    return text[:MAX_LINE]


def bounded_text(text: str) -> str:
    """A message: whole up to :data:`MAX_TEXT` characters, else its beginning and its end."""
    if len(text) <= MAX_TEXT:
        return text
    half = MAX_TEXT // 2
    return text[:half] + "\n" + text[-half:]
