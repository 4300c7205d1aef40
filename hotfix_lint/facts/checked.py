"""A fact that needs a request to GitHub is a value or a :class:`CouldNotCheck`: the one type every
GitHub record and rule shares, kept apart so that the records' modules need nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CouldNotCheck:
    """A fact that could not be read: what, why, and the permission that would allow it."""

    what: str
    reason: str
    #: e.g. "administration: read" (fine-grained token / GitHub App permission); None when no
    #: permission would help (rate limit, outage, unreachable server)
    permission: str | None = None

    def __str__(self) -> str:
        text = f"could not check {self.what}: {self.reason}"
        if self.permission:
            text += f" (the token needs {self.permission})"
        return text


#: A fact as collected: the value, or why it could not be read.
Checked: TypeAlias = T | CouldNotCheck
