"""``merge-reports``: the shard reports of one audit, joined into the report one machine
would have written.

Entries are joined by repository (sorted by name, as every report is) and the summary is
recomputed from them, so the merge of shards ``1/N .. N/N`` equals the unsharded report
(apart from when it was made and which shards it came from). A repository found in two
files is kept once, from the first file, with a note; a shard of N that is missing is named
in a note, since its repositories are simply absent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from hotfix_lint.audit.model import AuditReport, RepoEntry, sort_entries


def _shards_of(report: AuditReport) -> list[str]:
    found = report.source.get("shards") or ([report.source["shard"]] if report.source.get("shard") else [])
    return [str(s) for s in found]


def merge_reports(named: Sequence[tuple[str, AuditReport]]) -> AuditReport:
    """One report from ``named`` (file name, report) pairs, in the order given."""
    if not named:
        raise ValueError("nothing to merge")
    entries: dict[str, tuple[str, RepoEntry]] = {}
    notes: list[str] = []
    for name, report in named:
        for entry in report.repositories:
            key = entry.repository.lower()
            if key in entries:
                kept = entries[key][0]
                notes.append(f"{entry.repository} is in {kept} and {name}: kept the entry of {kept}")
                continue
            entries[key] = (name, entry)
    shards: list[str] = []
    for _, report in named:
        for shard in _shards_of(report):
            if shard not in shards:
                shards.append(shard)
    notes.extend(_missing_shards(shards))
    first = named[0][1]
    versions = sorted({r.tool_version for _, r in named})
    if len(versions) > 1:
        notes.append(f"the reports were written by different hotfix-lint versions: {', '.join(versions)}")
    source = dict(first.source)
    orgs: list[str] = []
    for _, report in named:
        for org in report.source.get("orgs") or []:
            if org not in orgs:
                orgs.append(str(org))
    source.update(orgs=orgs, shard=None, shards=sorted(shards, key=_shard_order) or None)
    baselines = {r.source.get("baseline") for _, r in named}
    source["baseline"] = baselines.pop() if len(baselines) == 1 else None
    inherited = [n for _, r in named for n in r.notes]
    return replace(
        first,
        generated_at=max(r.generated_at for _, r in named),
        repositories=sort_entries(e for _, e in entries.values()),
        source=source,
        notes=tuple(dict.fromkeys([*inherited, *notes])),
    )


def _shard_order(shard: str) -> tuple[int, int]:
    match = re.match(r"^(\d+)/(\d+)$", shard)
    return (int(match[2]), int(match[1])) if match else (0, 0)


def _missing_shards(shards: Sequence[str]) -> list[str]:
    counts: dict[int, set[int]] = {}
    for shard in shards:
        match = re.match(r"^(\d+)/(\d+)$", shard)
        if match:
            counts.setdefault(int(match[2]), set()).add(int(match[1]))
    notes = []
    for count, present in sorted(counts.items()):
        missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in present]
        if missing:
            notes.append(f"shard {', '.join(missing)} missing: their repositories are not in this report")
    return notes
