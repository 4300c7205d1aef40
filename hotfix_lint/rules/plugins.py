"""Rules from other packages: the ``hotfix_lint.rules`` entry point group.

A team's own process steps live in its own package, which declares in its metadata::

    [project.entry-points."hotfix_lint.rules"]
    deploy-note = "acme_hotfix_rules:DeployNote"

The object named is a :class:`~hotfix_lint.rules.base.Rule` subclass (or a list or tuple of
them) with the same metadata as a built-in rule; a policy turns it on and sets its options
under ``rules:`` like any other. A plugin that cannot be imported, or whose rule lacks its
metadata or takes an id already taken, is left out and reported (:func:`plugin_rules` keeps
the messages; the CLI prints them on standard error): the other rules run as usual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from hotfix_lint.facts import kinds
from hotfix_lint.results import Severity
from hotfix_lint.rules.base import Rule

ENTRY_POINT_GROUP = "hotfix_lint.rules"
_ID = re.compile(r"[a-z]+(-[a-z]+)*")
_KNOWN_KINDS = frozenset(value for name, value in vars(kinds).items() if name.isupper() and isinstance(value, str))


@dataclass(frozen=True)
class PluginRules:
    """The rules other packages add, the package of each (rule id -> distribution), and why a
    plugin was left out (one message each)."""

    rules: tuple[type[Rule], ...] = ()
    packages: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def rule_problem(candidate: object, taken: set[str]) -> str | None:
    """Why ``candidate`` cannot be a rule, or ``None``: the metadata built-in rules declare."""
    import jsonschema

    if not (isinstance(candidate, type) and issubclass(candidate, Rule)):
        return f"{candidate!r} is not a subclass of hotfix_lint.rules.base.Rule"
    rule_id = getattr(candidate, "id", None)
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        return f"{candidate.__name__}: id {rule_id!r} is not lower-case words joined by '-'"
    if rule_id in taken:
        return f"rule {rule_id}: the id is taken (by a built-in rule or another plugin)"
    summary, explanation = getattr(candidate, "summary", None), getattr(candidate, "explanation", None)
    if not isinstance(summary, str) or not summary.strip():
        return f"rule {rule_id}: no summary"
    if not isinstance(explanation, str) or not explanation.strip():
        return f"rule {rule_id}: no explanation (its documentation)"
    if not isinstance(candidate.default_severity, Severity):
        return f"rule {rule_id}: default_severity is not a hotfix_lint.results.Severity"
    try:
        jsonschema.Draft202012Validator.check_schema(dict(candidate.options_schema))
    except (jsonschema.SchemaError, TypeError, ValueError) as exc:
        return f"rule {rule_id}: options_schema is not a JSON Schema: {str(exc).splitlines()[0]}"
    unknown = sorted(set(candidate.requires) - _KNOWN_KINDS)
    if not candidate.requires or unknown:
        return f"rule {rule_id}: requires names no known fact kind {unknown or ''}".rstrip()
    if candidate.check is Rule.check:
        return f"rule {rule_id}: no check method"
    return None


@lru_cache(maxsize=1)
def plugin_rules(taken: frozenset[str] = frozenset()) -> PluginRules:
    """Every rule the installed packages register (read once per process)."""
    from importlib.metadata import entry_points

    rules: list[type[Rule]] = []
    packages: dict[str, str] = {}
    problems: list[str] = []
    ids = set(taken)
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        package = point.dist.name if point.dist is not None else "an unknown package"
        where = f"plugin {point.name} ({package}, {point.value})"
        try:
            loaded = point.load()
        except Exception as exc:  # any error of someone else's import: reported, not raised
            problems.append(f"{where} cannot be loaded: {type(exc).__name__}: {exc}")
            continue
        for candidate in loaded if isinstance(loaded, (list, tuple)) else [loaded]:
            problem = rule_problem(candidate, ids)
            if problem is not None:
                problems.append(f"{where} left out: {problem}")
                continue
            rules.append(candidate)
            ids.add(candidate.id)
            packages[candidate.id] = package
    return PluginRules(tuple(rules), packages, tuple(problems))
