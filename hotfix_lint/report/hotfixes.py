"""``hotfix-lint hotfixes``: the lifecycle table as text columns, or as versioned JSON."""

from __future__ import annotations

import json
from typing import IO, Any

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
    if key == "base":
        base = row.base[:10] if row.base else "?"
        return f"{base} {row.base_state}"
    if key == "tickets":
        return ", ".join(row.tickets) or "-"
    value = getattr(row, key)
    text = "-" if value is None else str(value)
    return text if len(text) <= _MAX_WIDTH else text[: _MAX_WIDTH - 3] + "..."


def row_to_dict(row: HotfixRow) -> dict[str, Any]:
    return {
        "branch": row.branch,
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
        stream.write(f"hotfix-lint {table.tool_version}: {table.repository} (policy: {table.policy})\n")
        for note in table.notes:
            stream.write(f"note: {note}\n")
        if not table.rows:
            stream.write("no hotfixes found in the history of the production branch(es)\n")
            return
        cells = [[_cell(row, key) for _, key in _COLUMNS] for row in table.rows]
        widths = [max(len(title), *(len(r[i]) for r in cells)) for i, (title, _) in enumerate(_COLUMNS)]
        stream.write("  ".join(title.ljust(w) for (title, _), w in zip(_COLUMNS, widths, strict=True)).rstrip() + "\n")
        for row in cells:
            stream.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
        stream.write(f"\n{len(table.rows)} hotfix(es)\n")


class HotfixesJsonReporter:
    """The table as JSON: ``{"version": 1, ..., "hotfixes": [...]}`` (absent values are null)."""

    def write(self, table: HotfixTable, stream: IO[str]) -> None:
        data = {
            "version": HOTFIXES_JSON_VERSION,
            "tool": {"name": table.tool_name, "version": table.tool_version},
            "repository": table.repository,
            "policy": table.policy,
            "hotfixes": [row_to_dict(row) for row in table.rows],
            "notes": list(table.notes),
        }
        json.dump(data, stream, indent=2)
        stream.write("\n")
