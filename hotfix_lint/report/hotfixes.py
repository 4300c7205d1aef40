"""``hotfix-lint hotfixes``: the lifecycle table as text columns, or as versioned JSON.

Branch and tag names, versions and tickets come from the repository: in the table each cell
shows its control characters escaped (so it stays in its column and cannot act on a
terminal) and no line starts a CI command; the JSON is written as ``check``'s is
(:func:`~hotfix_lint.report.write_log_safe_json`)."""

from __future__ import annotations

from typing import IO, Any

from hotfix_lint.report import show_controls, terminal_safe, write_log_safe_json
from hotfix_lint.report.hotfix_table import HotfixRow, HotfixTable

HOTFIXES_JSON_VERSION = 1
_COLUMNS = (
    ("merged", "merged_at"),
    ("branch", "branch"),
    ("into", "line"),
    ("base", "base"),
    ("reached via", "landed"),
    ("tag", "tag"),
    ("changelog", "changelog"),
    ("version", "version"),
    ("back-merged", "back_merge"),
    ("deleted", "deleted"),
    ("ticket", "tickets"),
)
_MAX_WIDTH = 48


def _cell(row: HotfixRow, key: str) -> str:
    if key == "branch" and row.branch is None:
        text = f"'{row.subject}'" if row.subject else "-"
        text = show_controls(text, line_feeds=False)
        return text if len(text) <= _MAX_WIDTH else text[: _MAX_WIDTH - 3] + "..."
    if key == "base":
        base = row.base[:10] if row.base else "?"
        return f"{base} {row.base_state}"
    if key == "tickets":
        text = ", ".join(row.tickets) or "-"
    elif key == "kind" and row.outside_era:
        text = f"{row.kind} (outside era)"
    else:
        value = getattr(row, key)
        text = "-" if value is None else str(value)
    text = show_controls(text, line_feeds=False)
    return text if len(text) <= _MAX_WIDTH else text[: _MAX_WIDTH - 3] + "..."


def row_to_dict(row: HotfixRow) -> dict[str, Any]:
    return {
        "class": row.kind,
        "hotfix": row.is_hotfix,
        "outside_era": row.outside_era,
        "evidence": row.evidence,
        "branch": row.branch,
        "pull_request": row.pull_request,
        "subject": row.subject,
        "line": row.line,
        "reached_via": row.landed,
        "commit": row.commit,
        "merged_at": row.merged_at,
        "base": row.base,
        "base_state": row.base_state,
        "tag": row.tag,
        "changelog": row.changelog,
        "version": row.version,
        "back_merge": row.back_merge,
        "branch_deleted": row.deleted,
        "tickets": list(row.tickets),
    }


class HotfixesTextReporter:
    """Aligned columns, one hotfix per line, newest first."""

    def write(self, table: HotfixTable, stream: IO[str]) -> None:
        stream.write(terminal_safe("".join(self._lines(table))))

    @staticmethod
    def _lines(table: HotfixTable) -> list[str]:
        lines = [f"hotfix-lint {table.tool_version}: {table.repository} (policy: {table.policy})\n"]
        lines += [f"note: {note}\n" for note in table.notes]
        if not table.rows:
            return [*lines, "no hotfixes found in the history of the production branch(es)\n"]
        columns = (("class", "kind"), *_COLUMNS) if table.all_classes else _COLUMNS
        cells = [[_cell(row, key) for _, key in columns] for row in table.rows]
        widths = [max(len(title), *(len(r[i]) for r in cells)) for i, (title, _) in enumerate(columns)]
        lines.append("  ".join(title.ljust(w) for (title, _), w in zip(columns, widths, strict=True)).rstrip() + "\n")
        for row in cells:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
        hotfixes = sum(1 for row in table.rows if row.is_hotfix)
        if table.all_classes:
            lines.append(f"\n{len(table.rows)} change(s), {hotfixes} hotfix(es)\n")
        else:
            lines.append(f"\n{hotfixes} hotfix(es)\n")
        return lines


class HotfixesJsonReporter:
    """The table as JSON: ``{"version": 1, ..., "hotfixes": [...]}`` (absent values are null;
    each row carries its ``class`` and ``evidence``; ``branch`` is null when unknown)."""

    def write(self, table: HotfixTable, stream: IO[str]) -> None:
        data = {
            "version": HOTFIXES_JSON_VERSION,
            "tool": {"name": table.tool_name, "version": table.tool_version},
            "repository": table.repository,
            "policy": table.policy,
            "hotfixes": [row_to_dict(row) for row in table.rows],
            "all_classes": table.all_classes,
            "notes": list(table.notes),
        }
        write_log_safe_json(data, stream)
