"""Which repositories to audit: an organisation, a file of names, names; globs; a shard.

Names are ``owner/name`` and compared without regard to case, as GitHub does. ``--include``
and ``--exclude`` globs (``*``, ``?``, ``[...]``) match the full name when they contain a
``/``, else the repository's name alone; a repository is audited when it matches some
include (or there is none) and no exclude.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.audit.sharding import Shard
from hotfix_lint.errors import UserError

if TYPE_CHECKING:
    from hotfix_lint.collect.github.org import RepositoryInfo


@dataclass(frozen=True)
class Target:
    """A repository to audit; ``info`` is known when an organisation listing named it."""

    full_name: str
    info: RepositoryInfo | None = None


def check_name(name: str, where: str) -> str:
    from hotfix_lint.collect.github.org import valid_full_name

    name = name.strip()
    if not valid_full_name(name):
        raise UserError(f"{where}: expected OWNER/NAME, such as octo/app, got {name!r}")
    return name.removesuffix(".git")


def read_repos_file(path: Path) -> list[str]:
    """One ``owner/name`` a line; blank lines and ``#`` comments are skipped. Every bad line
    is reported at once, with its line number."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--repos {path}: {exc.strerror or exc}") from exc
    names: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            names.append(check_name(entry, f"{path}:{number}"))
        except UserError as exc:
            problems.append(str(exc))
    if problems:
        raise UserError("\n".join(problems))
    return names


def matches(full_name: str, patterns: Iterable[str]) -> bool:
    owner_name = full_name.lower()
    name = owner_name.partition("/")[2]
    return any(fnmatch.fnmatchcase(owner_name if "/" in p else name, p.lower()) for p in patterns)


def select(
    targets: Iterable[Target],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    shard: Shard | None = None,
) -> list[Target]:
    """The targets kept by the globs and the shard, each once (the first one named wins)."""
    seen: set[str] = set()
    kept: list[Target] = []
    for target in targets:
        key = target.full_name.lower()
        if key in seen:
            continue
        seen.add(key)
        if include and not matches(target.full_name, include):
            continue
        if exclude and matches(target.full_name, exclude):
            continue
        if shard is not None and not shard.holds(target.full_name):
            continue
        kept.append(target)
    return kept
