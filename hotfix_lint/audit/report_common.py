"""What the audit's text, Markdown and HTML reports say alike: the headline, the drift lead,
the rule columns. Wording lives here once; each format only marks it up.

Names, reasons and notes come from repositories, GitHub or a report file given to
``merge-reports``: :func:`plain` keeps each on its line with its control characters shown
escaped, and every format's whole output goes through
:func:`~hotfix_lint.report.terminal_safe` (nothing a terminal or a CI runner would act on)."""

from __future__ import annotations

import re

from hotfix_lint.audit.model import (
    FAILED,
    OK,
    SKIPPED,
    AuditReport,
    RepoEntry,
    RuleCount,
    rule_counts,
    summarize,
    worst_first,
)
from hotfix_lint.report import show_controls

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def plain(text: object) -> str:
    """One line of text: line breaks become a space, other control characters (escape
    sequences, bells, bidirectional overrides) are shown as ``\\xNN``/``\\uNNNN``."""
    return show_controls(_LINE_BREAKS.sub(" ", str(text)), line_feeds=False).strip()


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def headline(report: AuditReport) -> str:
    """``200 repositories: 180 clean, 12 with errors, ... · 35 errors, 12 warnings``."""
    s = summarize(report)
    parts = [f"{s['clean']} clean", f"{s['with_errors']} with errors"]
    if s["with_warnings_only"]:
        parts.append(f"{s['with_warnings_only']} with warnings only")
    if s["failed"]:
        parts.append(f"{s['failed']} failed")
    if s["skipped"]:
        parts.append(f"{s['skipped']} skipped")
    counts = f"{plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}"
    if s["waived"]:
        counts += f", {s['waived']} waived"
    return f"{plural(s['repositories'], 'repository', 'repositories')}: {', '.join(parts)} · {counts}"


def drift_lead(report: AuditReport) -> list[str]:
    """What changed since the baseline, most important first; empty without a baseline."""
    s = summarize(report)
    drift = s["drift"]
    if drift is None:
        return []
    name = report.source.get("baseline") or "the baseline"
    lines = [
        f"Since {name}: {plural(drift['new'], 'new finding')} ({plural(drift['new_errors'], 'error')}), "
        f"{drift['resolved']} resolved ({plural(drift['resolved_errors'], 'error')}), "
        f"{drift['unchanged']} unchanged; {plural(drift['repositories_changed'], 'repository', 'repositories')} changed"
    ]
    extra = []
    if drift["newly_failed"]:
        extra.append(f"{plural(drift['newly_failed'], 'repository', 'repositories')} newly failing")
    if drift["no_longer_failing"]:
        extra.append(f"{plural(drift['no_longer_failing'], 'repository', 'repositories')} no longer failing")
    if drift["not_in_baseline"]:
        extra.append(f"{plural(drift['not_in_baseline'], 'repository', 'repositories')} not in the baseline")
    if extra:
        lines.append("; ".join(extra))
    return lines


def matrix_rules(report: AuditReport) -> list[str]:
    """The rules that have any finding, most errors first: the columns of the summary table."""
    return [r.rule for r in rule_counts(report) if r.errors or r.warnings or r.waived]


def cell(entry: RepoEntry, rule: str) -> tuple[int, int]:
    """(errors, warnings) of ``rule`` in ``entry``, unwaived."""
    errors = warnings = 0
    for violation in entry.violations:
        if violation.get("rule") != rule or violation.get("waived"):
            continue
        if violation.get("severity") == "error":
            errors += 1
        elif violation.get("severity") == "warning":
            warnings += 1
    return errors, warnings


def status_word(entry: RepoEntry) -> str:
    if entry.status == FAILED:
        return "failed"
    if entry.status == SKIPPED:
        return f"skipped ({plain(entry.error or '')})"
    if entry.status == OK and entry.errors:
        return "errors"
    if entry.status == OK and entry.warnings:
        return "warnings"
    return "clean"


def new_count(entry: RepoEntry) -> int:
    return entry.drift.new if entry.drift is not None else 0


def resolved_count(entry: RepoEntry) -> int:
    return len(entry.drift.resolved) if entry.drift is not None else 0


def listed(entry: RepoEntry) -> bool:
    """Whether the repository table of the text and Markdown reports has a row for ``entry``:
    it failed, or has findings, or resolved some."""
    return entry.status == FAILED or bool(entry.errors or entry.warnings or resolved_count(entry))


def table_entries(report: AuditReport) -> list[RepoEntry]:
    """The rows of the repository table, worst first (see :func:`listed`)."""
    return [e for e in worst_first(report.repositories) if listed(e)]


def drift_header(drift: bool) -> list[str]:
    """The drift columns of a table: ``new`` and ``resolved`` with a baseline, none without."""
    return ["new", "resolved"] if drift else []


def entry_cells(entry: RepoEntry, rules: list[str], drift: bool, empty: str) -> list[str]:
    """An audited repository's row after its name: errors, warnings, the drift marks, then
    ``errors/warnings`` per rule (``empty`` where the rule found nothing)."""
    marks = [str(new_count(entry)), str(resolved_count(entry))] if drift else []
    cells = []
    for rule in rules:
        errors, warnings = cell(entry, rule)
        cells.append(empty if not errors and not warnings else f"{errors}/{warnings}")
    return [str(entry.errors), str(entry.warnings), *marks, *cells]


RULE_TOTALS_HEADER = ["rule", "errors", "warnings", "waived", "repositories"]


def rule_total_cells(row: RuleCount, drift: bool) -> list[str]:
    """A row of the totals per rule after the rule's name (columns of :data:`RULE_TOTALS_HEADER`)."""
    extra = [str(row.new), str(row.resolved)] if drift else []
    return [str(row.errors), str(row.warnings), str(row.waived), str(row.repositories), *extra]


def unlisted(report: AuditReport) -> list[str]:
    """What the repository table leaves out: ``12 repositories without findings``, the skipped."""
    quiet = sum(1 for e in report.repositories if e.status == OK and not listed(e))
    skipped = sum(1 for e in report.repositories if e.status == SKIPPED)
    phrases = []
    if quiet:
        phrases.append(f"{plural(quiet, 'repository', 'repositories')} without findings")
    if skipped:
        phrases.append(f"{plural(skipped, 'repository', 'repositories')} skipped (archived)")
    return phrases


def source_line(report: AuditReport) -> str:
    """What was audited: organisations, a file, names; the shard(s)."""
    src = report.source
    parts: list[str] = []
    orgs = src.get("orgs") or []
    if orgs:
        parts.append("organisation " + ", ".join(str(o) for o in orgs))
    if src.get("repos_file"):
        parts.append(f"repositories of {src['repos_file']}")
    if src.get("named"):
        parts.append(plural(int(src["named"]), "named repository", "named repositories"))
    shards = src.get("shards") or ([src["shard"]] if src.get("shard") else [])
    if shards:
        parts.append("shard " + ", ".join(str(s) for s in shards))
    if src.get("github_url"):
        parts.append(f"on {src['github_url']}")
    return "; ".join(parts)
