"""The whole policy JSON Schema: the base of :mod:`.schema` plus one ``rules`` property per
registered rule (built-in and plugins), with that rule's options, and ``eras``. It sits above
the rules (it asks the registry), so the rules can import :mod:`.schema`'s pieces freely.

Editors use it for completion and help (``hotfix-lint schema``); the loader validates each
policy file with it, so an unknown rule id or an unknown option is an error.
"""

from __future__ import annotations

import copy
from typing import Any

from hotfix_lint.policy.schema import base_schema


def _rule_property(rule_id: str, summary: str, default: str, options: dict[str, Any]) -> dict[str, Any]:
    """A rule's setting: a severity, or a mapping of severity and that rule's options."""
    properties: dict[str, Any] = {"severity": {"$ref": "#/$defs/severity"}}
    for name, spec in options.items():
        spec = copy.deepcopy(spec)
        spec.setdefault("description", f"Option {name} of {rule_id}.")
        properties[name] = spec
    return {
        "type": ["string", "object"],
        "if": {"type": "string"},
        "then": {"$ref": "#/$defs/severity"},
        "else": {"properties": properties, "additionalProperties": False},
        "description": (f"{summary} Default severity: {default}. A severity or {{severity: ..., OPTION: VALUE}}."),
    }


def policy_schema() -> dict[str, Any]:
    """The policy JSON Schema: the base plus one ``rules`` property per registered rule."""
    from hotfix_lint.rules.registry import all_rules

    schema = base_schema()
    registered = all_rules()
    rules = schema["properties"]["rules"]["properties"]
    for rule in registered:
        options = dict(rule.options_schema.get("properties", {}))
        rules[rule.id] = _rule_property(rule.id, rule.summary, rule.default_severity.value, options)
    waiver_rule = schema["properties"]["exceptions"]["items"]["properties"]["rule"]
    waiver_rule["enum"] = [rule.id for rule in registered]
    schema["properties"]["eras"] = _eras(schema["properties"])
    return schema


def _eras(top: dict[str, Any]) -> dict[str, Any]:
    """``eras``: periods with their own settings, each an object of the top-level keys (but
    ``extends`` and ``eras``) whose ``since`` and ``until`` are the era's first and last days."""
    date = {"type": "string", "format": "date"}
    era = {
        "type": "object",
        "properties": {
            **{k: copy.deepcopy(v) for k, v in top.items() if k not in ("extends", "since", "until")},
            "since": dict(date, description="The era's first day (YYYY-MM-DD); the first era may leave it out."),
            "until": dict(date, description="The era's last day (YYYY-MM-DD); the last era may leave it out."),
        },
        "additionalProperties": False,
        "description": "One era: since, until, and the settings that differ from the file's during it.",
    }
    return {
        "type": "array",
        "minItems": 1,
        "items": era,
        "description": (
            "Periods in which the process differed, oldest first, not overlapping: {since, until, KEY: VALUE...} "
            "where each KEY (hotfix_branch, integration, production, rules...) overrides the file's setting "
            "during the era (rules per rule). A production change is judged by the era it landed in; one "
            "outside every era is judged by none (hotfixes --all lists it as outside the era)."
        ),
    }
