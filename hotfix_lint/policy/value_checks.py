"""What the schema cannot say, checked on the merged policy: name patterns compile (and no
regular expression could backtrack for ever), ``until`` after ``since``, eras in order."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hotfix_lint.policy.problems import KeyPath, Mark, Problems


def check_patterns(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: Problems, orders: Mapping[str, int]
) -> None:
    """Compile every name pattern of the merged policy (``{ticket}`` needs the final ticket_pattern),
    and refuse every regular expression that could backtrack for ever on someone's text."""
    from hotfix_lint.policy.patterns import PatternError, compile_pattern
    from hotfix_lint.policy.regex_safety import UnsafeRegex, check_regex
    from hotfix_lint.policy.schema import NAME_PATTERN_FORMAT, PATTERN_KEYS

    ticket = merged.get("ticket_pattern")
    if isinstance(ticket, str):
        try:
            re.compile(ticket)
        except re.error:
            ticket = r"[^/]+"  # already reported; check the rest as if it were fine
    else:
        ticket = None

    def refuse(where: KeyPath, exc: PatternError | UnsafeRegex) -> None:
        mark = _nearest(marks, where)
        problems.add(orders.get(mark.file, 0), mark, where, str(exc), kind=exc.kind)

    def name_pattern(where: KeyPath, text: str) -> None:
        try:
            compiled = compile_pattern(text, ticket)
            if compiled.is_raw:
                check_regex(text)
        except (PatternError, UnsafeRegex) as exc:
            refuse(where, exc)

    def regex(where: KeyPath, text: str) -> None:
        # as the rules use them: {ticket} is the ticket pattern, {version} a version number
        text = text.replace("{ticket}", f"(?:{ticket or '.+'})").replace("{version}", re.escape("1.2.3"))
        try:
            check_regex(text)
        except UnsafeRegex as exc:
            refuse(where, exc)

    for key in PATTERN_KEYS:
        for where, text in _strings((key,), merged.get(key)):
            name_pattern(where, text)
    production = merged.get("production")
    entries: list[tuple[KeyPath, Any]] = [(("production",), production)]
    if isinstance(production, list):
        entries = [(("production", index), entry) for index, entry in enumerate(production)]
    for at, entry in entries:
        if isinstance(entry, Mapping):  # {branch: main, former_names: [master-th4]}
            for key in ("branch", "former_names"):
                for where, text in _strings((*at, key), entry.get(key)):
                    name_pattern(where, text)
    for where, text in _strings(("ticket_pattern",), merged.get("ticket_pattern")):
        regex(where, text)
    for where, value, spec_format in _rule_options(merged):
        for place, text in _strings(where, value):
            if spec_format == NAME_PATTERN_FORMAT:
                name_pattern(place, text)
            elif spec_format == "regex":
                regex(place, text)


def check_era(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: Problems, orders: Mapping[str, int]
) -> None:
    """``until`` must come after ``since`` (when ``since`` is a date: a revision is dated only in a repository)."""
    since, until = merged.get("since"), merged.get("until")
    if not isinstance(since, str) or not isinstance(until, str):
        return
    try:
        first, last = dt.date.fromisoformat(since), dt.date.fromisoformat(until)
    except ValueError:
        return  # a revision, or a malformed date the schema reported
    if last <= first:
        mark = _nearest(marks, ("until",))
        problems.add(
            orders.get(mark.file, 0),
            mark,
            ("until",),
            f"until ({until}) must be after since ({since}): the process would hold on no day",
            kind="invalid value",
        )


def check_eras(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: Problems, orders: Mapping[str, int]
) -> None:
    """Eras come oldest first and do not overlap: each but the first says since, each but the
    last says until, and each starts after the one before ends. With eras, ``until`` is an era's."""
    eras = merged.get("eras")
    if not isinstance(eras, list) or not eras:
        return

    def problem(path: KeyPath, message: str) -> None:
        mark = _nearest(marks, path)
        problems.add(orders.get(mark.file, 0), mark, path, message, kind="invalid value")

    if merged.get("until") is not None:
        problem(("until",), "with eras, until belongs to the last era (each era says its own until)")
    previous: tuple[int, dt.date] | None = None  # (index, until) of the era before
    for index, era in enumerate(eras):
        if not isinstance(era, Mapping):
            continue
        bounds: dict[str, dt.date | None] = {}
        for key in ("since", "until"):
            try:
                bounds[key] = dt.date.fromisoformat(str(era[key])) if era.get(key) is not None else None
            except ValueError:
                return  # a malformed date the schema reported
        since, until = bounds["since"], bounds["until"]
        if since is None and index > 0:
            problem(("eras", index), "every era but the first says since (its first day)")
        if until is None and index < len(eras) - 1:
            problem(("eras", index), "every era but the last says until (its last day)")
        if since is not None and until is not None and until < since:
            problem(("eras", index, "until"), f"until ({until}) is before since ({since}): the era holds on no day")
        if previous is not None and since is not None and since <= previous[1]:
            problem(
                ("eras", index, "since"),
                f"eras overlap or are out of order: since ({since}) must come after the until ({previous[1]}) "
                f"of eras[{previous[0]}]; list eras oldest first, each starting after the one before ends",
            )
        previous = (index, until) if until is not None else None


def _strings(path: KeyPath, value: Any) -> list[tuple[KeyPath, str]]:
    """The non-empty texts of a value that is a text or a list of them, with their key paths."""
    if isinstance(value, str):
        return [(path, value)] if value else []
    if isinstance(value, list):
        return [((*path, i), v) for i, v in enumerate(value) if isinstance(v, str) and v]
    return []


def _rule_options(merged: Mapping[str, Any]) -> Iterator[tuple[KeyPath, Any, str | None]]:
    """Each rule option the policy sets, with the ``format`` its schema gives it (or its items)."""
    from hotfix_lint.rules.registry import rules_by_id

    registered = rules_by_id()
    rules = merged.get("rules")
    if not isinstance(rules, Mapping):
        return
    for rule_id, setting in rules.items():
        rule = registered.get(rule_id)
        if rule is None or not isinstance(setting, Mapping):
            continue
        for name, spec in rule.options_schema.get("properties", {}).items():
            items = spec.get("items", {}) if isinstance(spec.get("items"), Mapping) else {}
            if name in setting:
                yield ("rules", rule_id, name), setting[name], spec.get("format") or items.get("format")


def _nearest(marks: Mapping[KeyPath, Mark], path: KeyPath) -> Mark:
    for n in range(len(path), -1, -1):
        if path[:n] in marks:
            return marks[path[:n]]
    return Mark("", 0, 0)
