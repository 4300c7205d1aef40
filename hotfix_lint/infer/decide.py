"""Decide a policy's values from observed history, each with the evidence for it. Pure.

The decisions follow what a maintainer would answer when asked: production is the line that
receives release and hotfix merges (and carries the tags); the hotfix branches are the name
families merged straight into it (``hotfix/1.2.3`` -> ``hotfix/{version}``); integration is the
line that holds those hotfixes afterwards; the changelog and version files are the ones those
merges touch. Names alone never decide: a ``CHANGELOG.md`` no hotfix touches is not kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hotfix_lint.facts.line_records import (
    INTEGRATION_NAMES,
    PRODUCTION_NAMES,
    ChainStep,
    LineRecord,
    Observations,
)
from hotfix_lint.infer.families import (
    THIN,
    Family,
    FurtherLines,
    family_of,
    former_names,
    further_lines,
    hotfix_families,
    merge_families,
    release_families,
)
from hotfix_lint.policy.patterns import VERSION_RE

#: a version tag: its prefix and the version
_VERSION_TAG = re.compile(rf"(?P<prefix>[vV]?)(?P<version>{VERSION_RE})")
#: a line with no commit for this long while production moves is retired
RETIRED_AFTER = 180 * 86400
#: the process has stopped when its last hotfix or release merge is this old and production moved on
STOPPED_AFTER = 180 * 86400
#: so many landings on production after the last hotfix or release merge (squashes, pushes) say it stopped
STOPPED_LANDINGS = 10
#: the key of "are hotfixes tagged" (a rule's setting, not a policy key)
TAGGED = "hotfixes_tagged"
#: integration branch names taken on their name alone when production shows no merge to go by
_INTEGRATION_PREFERENCE = ("develop", "development", "dev", "devel", "integration")


@dataclass(frozen=True)
class Value:
    """An inferred value and the sentence that says why."""

    value: object
    evidence: str


@dataclass(frozen=True)
class Inference:
    """What the history says, key by key; ``thin`` when it says too little to trust."""

    values: Mapping[str, Value]
    thin: bool = False
    notes: tuple[str, ...] = ()
    hotfixes: tuple[ChainStep, ...] = field(default=())
    releases: tuple[ChainStep, ...] = field(default=())


def day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date().isoformat()


def production_score(record: LineRecord) -> int:
    """Release and hotfix merges that landed on the line, and its tags."""
    former = former_names(record, {})
    landed = len(hotfix_families(record, former)) and sum(len(f.landed) for f in hotfix_families(record, former))
    released = sum(len(f.landed) for f in release_families(record, former))
    return int(landed) + released + len(record.tags)


def choose_production(obs: Observations) -> Value | None:
    """The line receiving release and hotfix merges; the default branch breaks near-ties."""
    candidates = [r for n, r in obs.lines.items() if not INTEGRATION_NAMES.fullmatch(n)]
    if not candidates:
        return None
    scored = sorted(((production_score(r), r.name) for r in candidates), reverse=True)
    best_score, best = scored[0]
    default = obs.default_branch
    for score, name in scored:
        record = obs.lines[name]
        retired = obs.newest - record.tip_time > RETIRED_AFTER
        if name == default and score > 0 and (score * 3 >= best_score or obs.lines[best].tip_time < record.tip_time):
            best_score, best = score, name
            break
        if not retired and score * 2 > best_score and obs.lines[best].tip_time + RETIRED_AFTER < record.tip_time:
            best_score, best = score, name  # the old line's successor
    record = obs.lines[best]
    if best_score == 0 and not PRODUCTION_NAMES.fullmatch(best):
        return None  # no evidence and no production name: the default pack (and its exit 2) stand
    if best_score == 0:
        why = "the default branch" if best == default else "a branch named like production"
        return Value(best, f"{why}; no release or hotfix merge lands on it yet")
    hot = sum(len(f.landed) for f in hotfix_families(record, former_names(record, obs.branches)))
    rel = sum(len(f.landed) for f in release_families(record, former_names(record, obs.branches)))
    parts = [
        f"{hot} hotfix merge(s)" if hot else "",
        f"{rel} release merge(s)" if rel else "",
        f"{len(record.tags)} tag(s)",
    ]
    lead = "the default branch; " if best == default else ""
    return Value(best, lead + ", ".join(p for p in parts if p) + " land here")


def choose_hotfix(
    record: LineRecord, former: Sequence[str], further: Sequence[FurtherLines] = ()
) -> tuple[Value | None, list[Family]]:
    on_main = hotfix_families(record, former)
    found = merge_families([*on_main, *(f for lines in further for f in lines.hotfixes)])
    if not found:
        return None, []
    patterns = list(dict.fromkeys(f.pattern for f in found))
    said = "; ".join(f"{len(f.landed)} merge(s) of {f.prefix}... such as {f.names[0]}" for f in found)
    value: object = patterns[0] if len(patterns) == 1 else patterns
    where = " and ".join([record.name] * bool(on_main) + [f"{lines.pattern} branches" for lines in further])
    return Value(value, f"{said} land on {where}"), found


def choose_release(record: LineRecord, former: Sequence[str]) -> tuple[Value, list[Family]]:
    found = release_families(record, former)
    if not found:
        return Value([], f"no release branch is merged into {record.name}"), []
    patterns = list(dict.fromkeys(f"{f.prefix}*" for f in found))
    said = "; ".join(f"{len(f.landed)} merge(s) of {f.prefix}* such as {f.names[0]}" for f in found)
    return Value(patterns, said), found


def choose_tags(tags: Sequence[str]) -> Value | None:
    prefixes: Counter[str] = Counter()
    example: dict[str, str] = {}
    for tag in tags:
        m = _VERSION_TAG.fullmatch(tag)
        if m is not None:
            prefixes[m.group("prefix")] += 1
            example.setdefault(m.group("prefix"), tag)
    if not prefixes:
        return None
    prefix, count = prefixes.most_common(1)[0]
    total = sum(prefixes.values())
    return Value(f"{prefix}{{version}}", f"{count} of {total} version tags are written so, such as {example[prefix]}")


def integration_candidates(obs: Observations, production: str) -> list[str]:
    names = [n for n in obs.lines if n != production and INTEGRATION_NAMES.fullmatch(n)]
    record = obs.lines.get(production)
    if record is not None:
        merged = Counter(s.source for s in record.steps if s.merge and s.source and s.source in obs.branches)
        names += [n for n, k in merged.most_common() if k >= 3 and family_of(n) is None and n not in names]
        names = [n for n in names if n != production and not PRODUCTION_NAMES.fullmatch(n)]
    return names


def choose_integration(
    obs: Observations, production: str, contained: Mapping[str, int], checked: int, *, ended: bool = False
) -> Value:
    """The line holding most of production's hotfixes afterwards (``contained``: how many of the
    ``checked`` newest hotfix and release merges each candidate has); retired when it stopped."""
    if checked == 0:  # nothing to go by but names: a develop branch is what it says
        named = [n for n in _INTEGRATION_PREFERENCE if n in contained]
        if named:
            return Value(named[0], f"named like an integration branch; no hotfix or release merge on {production} yet")
    if not contained or max(contained.values()) == 0:
        return Value(None, f"no branch but {production} holds its hotfixes: no integration branch")
    best = max(contained, key=lambda n: (contained[n], obs.branches.get(n, 0)))
    evidence = f"holds {contained[best]} of the {checked} newest hotfix and release merges of {production}"
    prod_tip = obs.lines[production].tip_time if production in obs.lines else obs.newest
    tip = obs.branches.get(best, 0)
    if prod_tip - tip > RETIRED_AFTER and not ended:
        return Value(
            {"branch": best, "retired_since": day(tip)},
            f"{evidence}; its last commit was on {day(tip)} while {production} moved on to {day(prod_tip)}",
        )
    return Value(best, evidence)


def choose_era(record: LineRecord, kept: Sequence[ChainStep]) -> tuple[Value | None, Value | None]:
    """``since`` the first hotfix or release merge; ``until`` the last one, when production then
    went on without them for months (squashes or pushes instead)."""
    if not kept:
        return None, None
    first = min(kept, key=lambda s: s.time)
    last = max(kept, key=lambda s: s.time)
    since = Value(day(first.time), f"the first hotfix or release merge on {record.name}: {first.subject!r}")
    after = [s for s in record.steps if s.time > last.time and not s.merge]
    squashes = sum(s.squash for s in after)
    if len(after) >= STOPPED_LANDINGS and record.tip_time - last.time > STOPPED_AFTER:
        how = f"{squashes} pull request squash(es) and {len(after) - squashes} other commit(s) with no merge"
        return since, Value(day(last.time), f"the last hotfix or release merge; {how} landed on {record.name} since")
    return since, None


def touched_share(merges: Sequence[ChainStep], path: str) -> tuple[int, int]:
    return sum(path in s.touched for s in merges), len(merges)


def choose_changelog(obs: Observations, merges: Sequence[ChainStep]) -> Value:
    """The changelog file the hotfix and release merges write (of those at the tip, the one they
    change most), or ``None`` when they do not keep one."""
    from hotfix_lint.facts.changelog_files import is_changelog_path, pick_changelog

    at_tip = [folder + n for folder, names in obs.files.items() for n in names if is_changelog_path(folder + n)]
    paths = list(dict.fromkeys([*at_tip, *(p for s in merges for p in s.touched if is_changelog_path(p))]))
    if not paths:
        return Value(None, "no changelog file at the production tip")
    shares = {p: touched_share(merges, p) for p in paths}
    path = max(paths, key=lambda p: (shares[p][0], p == pick_changelog(paths)))
    touched, total = shares[path]
    if total and touched * 3 >= total:
        gone = "" if path in at_tip else " (no longer at the production tip)"  # render.AWAY
        return Value(path, f"{touched} of {total} hotfix and release merges change it{gone}{_heading_style(obs, path)}")
    return Value(None, f"{path} exists but only {touched} of {total} hotfix and release merges change it")


def _heading_style(obs: Observations, path: str) -> str:
    from hotfix_lint.facts.changelog import heading_example, headings

    text = obs.texts.get(path)
    if not text:
        return ""
    newest = next((h for h in headings(text) if h.version is not None), None)
    if newest is None:
        return ""
    return f"; headings such as {heading_example(text, path, newest.version or '1.2.3')}"


def version_file_candidates(obs: Observations) -> list[str]:
    from hotfix_lint.facts.version_files import ROOT_VERSION_FILES

    root = obs.files.get("", ())
    return [n for n in root if n in ROOT_VERSION_FILES or "version" in n.lower()]


def choose_version_files(obs: Observations, merges: Sequence[ChainStep]) -> Value | None:
    from hotfix_lint.facts.version_files import declared_version

    kept = []
    said = []
    for path in version_file_candidates(obs):
        text = obs.texts.get(path)
        declared = declared_version(path, text).version if text is not None else None
        if declared is None or re.fullmatch(r"v?\d+(\.\d+)+\S*", declared) is None:
            continue
        touched, total = touched_share(merges, path)
        if total and touched * 3 >= total:
            kept.append(path)
            said.append(f"{path}: changed by {touched} of {total} hotfix and release merges")
    if not kept:
        return None
    return Value(kept, "; ".join(said))


def _tagged(obs: Observations, record: LineRecord, merge: ChainStep) -> bool:
    """Is the merge tagged: on itself, its second parent, or a commit after it before the next
    merge (CI writing the changelog and the bump, then tagging)?"""
    if obs.tagged.get(merge.commit) or (merge.second and obs.tagged.get(merge.second)):
        return True
    at = next((i for i, s in enumerate(record.steps) if s.commit == merge.commit), None)
    if at is None:
        return False
    for step in reversed(record.steps[:at]):
        if step.merge:
            return False
        if obs.tagged.get(step.commit):
            return True
    return False


def _production(chosen: Value, former: Sequence[str], further: Sequence[FurtherLines]) -> Value:
    """The production value: the main line (with its former names), then the further lines."""
    line = str(chosen.value)
    evidence = chosen.evidence
    if former:
        evidence += f"; merges there name it {', '.join(former)}, which no branch is called today"
    for lines in further:
        evidence += (
            f"; {lines.landed} hotfix merge(s) land on {len(lines.names)} {lines.pattern} branch(es) "
            f"(such as {lines.example})"
        )
    main: object = {"branch": line, "former_names": list(former)} if former else line
    if not former and not further:
        return chosen
    return Value([main, *(lines.pattern for lines in further)], evidence)


def _promotion(pattern: str, further: Sequence[FurtherLines]) -> Value:
    from hotfix_lint.policy.patterns import compile_pattern

    lines = next(lines for lines in further if lines.promotion == pattern)
    named = [n for n in lines.names if compile_pattern(pattern).matches(n)]
    return Value(
        pattern,
        f"{len(named)} of {len(lines.names)} {lines.prefix}... branches are named so, such as {named[0]}: "
        "a branch per hotfix, named by the day it was cut",
    )


def infer(obs: Observations, contained: Mapping[str, int] | None = None, checked: int = 0) -> Inference:
    """Every value the history supports. ``contained`` (from the repository) says which
    integration candidate holds the production's hotfix merges; without it, none is chosen."""
    values: dict[str, Value] = {}
    notes: list[str] = []
    production = choose_production(obs)
    if production is None:
        return Inference({}, thin=True, notes=("no branch looks like a production line",))
    line = str(production.value)
    record = obs.lines[line]
    former = former_names(record, obs.branches)
    further = further_lines(obs, record)
    values["production"] = _production(production, former, further)
    promotion = next((lines.promotion for lines in further if lines.promotion is not None), None)
    if promotion is not None:
        values["promotion_branch"] = _promotion(promotion, further)
    hotfix, hot = choose_hotfix(record, former, further)
    landed = tuple(s for f in hot for s in f.landed)
    if hotfix is not None:
        values["hotfix_branch"] = hotfix
    release, rel = choose_release(record, former)
    if rel:  # no release merge says nothing: a pack's release pattern stands
        values["release_branches"] = release
    released = tuple(s for f in rel for s in f.landed)
    since, until = choose_era(record, [*landed, *released])
    if contained is not None:
        values["integration"] = choose_integration(obs, line, contained, checked, ended=until is not None)
    tags = choose_tags(obs.tags)
    if tags is not None:
        values["tag_pattern"] = tags
    merges = [*landed, *released]
    values["changelog"] = choose_changelog(obs, merges)
    versions = choose_version_files(obs, merges)
    if versions is not None:
        values["version_files"] = versions
    if landed and tags is not None:
        tagged = sum(1 for s in landed if _tagged(obs, record, s))
        values[TAGGED] = Value(tagged * 2 >= len(landed), f"{tagged} of {len(landed)} hotfix merges carry a tag")
    if since is not None:
        values["since"] = since
    if until is not None:
        values["until"] = until
    thin = len(landed) < THIN
    if thin:
        notes.append(
            f"only {len(landed)} hotfix merge(s) found on {line}: "
            "the hotfix pattern and the era are the pack's, not the history's"
        )
    return Inference(values, thin, tuple(notes), landed, released)
