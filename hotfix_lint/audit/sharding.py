"""Shards: a stable 1/N of the repositories, so that a matrix of N jobs covers each once.

A repository belongs to shard ``sha256(lower-case full name) mod N + 1``: the same on every
machine and every run, independent of the order GitHub lists repositories in, and a new
repository moves no other one to another shard.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from hotfix_lint.errors import UserError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``, 1-based (``--shard 2/8``)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, full_name: str) -> bool:
        return shard_of(full_name, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N; a :class:`UserError` saying so otherwise."""
    match = _SHARD.match(text)
    if match is None:
        raise UserError(f"--shard: expected K/N such as 2/8 (shard K of N), got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise UserError(f"--shard: K must be between 1 and N, got {text!r}")
    return Shard(index, count)


def shard_of(full_name: str, count: int) -> int:
    """The 1-based shard of ``owner/name`` among ``count``."""
    digest = hashlib.sha256(full_name.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1
