"""Branch-name families: the names merged into a production line that share a prefix
(``hotfix/1.2.3``, ``hotfix/1.2.4`` -> ``hotfix/{version}``), which of them are hotfixes or
releases, and the further lines (promotion branches, support lines) that receive hotfixes too.
Pure, like :mod:`.decide`, which chooses the policy's values from them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotfix_lint.facts.line_records import PRODUCTION_NAMES, ChainStep, LineRecord, Observations, line_family
from hotfix_lint.policy.patterns import DATE_RE, SLUG_RE, VERSION_RE

#: a family of branch names whose merges into production are hotfixes
_FIXLIKE = re.compile(r"(hot-?fix|hf|fix|bugfix|patch|urgent|emergency)(es)?", re.IGNORECASE)
_HOTFIX_WORD = re.compile(r"hot-?fix|^hf$", re.IGNORECASE)
_RELEASE_WORD = re.compile(r"releases?", re.IGNORECASE)
_AUTOMATION = re.compile(r"(dependabot|renovate|snyk|greenkeeper|pre-commit-ci)", re.IGNORECASE)
#: the branch GitHub's web editor names a fork's change (``patch-1``): a contribution, not a process
_WEB_EDIT = re.compile(r"patch-\d+")
#: the rest of a name after its family prefix, when it is a version
_VERSION_REST = re.compile(rf"(?P<v>v?)(?:{VERSION_RE})")

#: fewer hotfixes than this: the evidence is thin
THIN = 2


@dataclass(frozen=True)
class Family:
    """Branch names that share a prefix (``hotfix/``), as merged into production."""

    prefix: str
    names: tuple[str, ...]
    landed: tuple[ChainStep, ...]

    @property
    def pattern(self) -> str:
        rests = [name[len(self.prefix) :] for name in self.names]
        versions = [_VERSION_REST.fullmatch(r) for r in rests]
        if all(versions):
            v = Counter(m.group("v") for m in versions if m).most_common(1)[0][0]
            return f"{self.prefix}{v}{{version}}"
        if all(re.fullmatch(SLUG_RE, r) for r in rests):
            return f"{self.prefix}{{slug}}"
        return f"{self.prefix}*"


def family_of(name: str) -> str | None:
    """The prefix a branch name shares with its kind: ``hotfix/``, ``release-``; ``None`` for a lone name."""
    if "/" in name:
        return name.split("/", 1)[0] + "/"
    m = re.match(r"([A-Za-z]+[-_])", name)
    if m is not None and (_FIXLIKE.fullmatch(m.group(1)[:-1]) or _RELEASE_WORD.fullmatch(m.group(1)[:-1])):
        return m.group(1)
    return None


def _lands_on(step: ChainStep, line: str, former: Sequence[str] = ()) -> bool:
    """A merge made on ``line`` (not one that production was fast-forwarded past)."""
    return step.merge and step.kind not in ("tag", "commit") and (step.target is None or step.target in (line, *former))


def families(record: LineRecord, former: Sequence[str] = ()) -> dict[str, Family]:
    """The name families merged into ``record``'s line, by prefix."""
    found: dict[str, list[ChainStep]] = {}
    for step in record.steps:
        if not _lands_on(step, record.name, former) or step.source is None:
            continue
        prefix = family_of(step.source)
        if prefix is None or _AUTOMATION.search(prefix) or _WEB_EDIT.fullmatch(step.source):
            continue
        found.setdefault(prefix, []).append(step)
    return {
        p: Family(p, tuple(s.source for s in steps if s.source is not None), tuple(steps)) for p, steps in found.items()
    }


def hotfix_families(record: LineRecord, former: Sequence[str] = ()) -> list[Family]:
    """The families of hotfix branches: fix-like names; a plain ``fix/`` family only beside
    no ``hotfix`` family twice its size (there, ``fix/`` branches go through integration)."""
    fixlike = [f for f in families(record, former).values() if _FIXLIKE.fullmatch(f.prefix[:-1])]
    hot = max((len(f.landed) for f in fixlike if _HOTFIX_WORD.search(f.prefix)), default=0)
    kept = [f for f in fixlike if _HOTFIX_WORD.search(f.prefix) or 2 * len(f.landed) >= hot]
    return sorted(kept, key=lambda f: (-len(f.landed), f.prefix))


def release_families(record: LineRecord, former: Sequence[str] = ()) -> list[Family]:
    found = [f for f in families(record, former).values() if _RELEASE_WORD.fullmatch(f.prefix[:-1])]
    return sorted(found, key=lambda f: (-len(f.landed), f.prefix))


def former_names(record: LineRecord, existing: Mapping[str, int]) -> tuple[str, ...]:
    """Targets of hotfix and release merges on this chain that name no branch of today: the
    line's former names (``into master-th4`` on ``main``)."""
    seen: Counter[str] = Counter()
    for step in record.steps:
        if step.merge and step.target and step.target != record.name and step.source:
            prefix = family_of(step.source)
            kind = prefix is not None and (_FIXLIKE.fullmatch(prefix[:-1]) or _RELEASE_WORD.fullmatch(prefix[:-1]))
            if kind and step.target not in existing and PRODUCTION_NAMES.match(step.target):
                seen[step.target] += 1
    return tuple(sorted(name for name, n in seen.items() if n >= 2))


@dataclass(frozen=True)
class FurtherLines:
    """A family of further production lines (``prod/hotfix/*`` promotion branches, ``support/*``
    lines): hotfix branches are merged into its members as into the main line."""

    prefix: str
    names: tuple[str, ...]
    hotfixes: tuple[Family, ...]
    #: one hotfix merge, said in the evidence: ``hotfix/fix-login into prod/hotfix/2025-01-10_fix-login``
    example: str = ""

    @property
    def pattern(self) -> str:
        nested = any("/" in n[len(self.prefix) :] for n in self.names)
        return self.prefix + ("**" if nested else "*")

    @property
    def landed(self) -> int:
        return sum(len(f.landed) for f in self.hotfixes)

    @property
    def promotion(self) -> str | None:
        """``prefix{date}_{slug}`` when most members are named by the day they were cut: a branch
        per hotfix, deployed (a support line is named by its version and lives on)."""
        for sep in ("_", "-"):
            dated = [n for n in self.names if re.fullmatch(f"{DATE_RE}{sep}{SLUG_RE}", n[len(self.prefix) :])]
            if 2 * len(dated) > len(self.names):
                return f"{self.prefix}{{date}}{sep}{{slug}}"
        return None


def merge_families(found: Sequence[Family]) -> list[Family]:
    """Families of the same prefix found on several lines, as one."""
    by: dict[str, Family] = {}
    for f in found:
        known = by.get(f.prefix)
        by[f.prefix] = f if known is None else Family(f.prefix, known.names + f.names, known.landed + f.landed)
    return sorted(by.values(), key=lambda f: (-len(f.landed), f.prefix))


def further_lines(obs: Observations, record: LineRecord) -> list[FurtherLines]:
    """The line families whose members receive hotfix merges of their own (not the main line's,
    which their chains reach once they were cut from it): at least :data:`THIN` of them."""
    on_main = {s.commit for s in record.steps}
    out = []
    for prefix, members in obs.line_families.items():
        seen: set[str] = set()
        found: list[Family] = []
        example = ""
        for member in members:
            own = tuple(s for s in member.steps if s.commit not in on_main and s.commit not in seen)
            seen.update(s.commit for s in own)
            hot = hotfix_families(LineRecord(member.name, member.tip_time, own))
            if hot and not example:
                example = f"{hot[0].names[0]} into {member.name}"
            found += hot
        merged = merge_families(found)
        if sum(len(f.landed) for f in merged) >= THIN:
            names = tuple(sorted(n for n in obs.branches if line_family(n) == prefix))
            out.append(FurtherLines(prefix, names, tuple(merged), example))
    return sorted(out, key=lambda f: (-f.landed, f.prefix))
