"""One policy file checked against the JSON Schema (its rules' options included), each
complaint turned into a positioned problem in words: "unknown key (did you mean ...)", "must be
at least 1, got the number 0". jsonschema is imported only here, when a file must be validated."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hotfix_lint.policy.problems import MAX_PROBLEMS, KeyPath, PolicyDoc, Problems, describe_value

_TYPE_WORDS = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def _words(items: Sequence[str], last: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib  # only when there is a mistake to explain

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_key(path: KeyPath, key: str, allowed: Sequence[str]) -> str:
    if path == ("rules",):
        hint = _did_you_mean(key, allowed)
        return f"unknown rule '{key}'" + (hint or f"; known rules: {', '.join(allowed)}")
    if len(path) == 2 and path[0] == "rules":
        hint = _did_you_mean(key, allowed)
        return f"unknown option of rule {path[1]}" + (hint or f"; it accepts: {', '.join(allowed)}")
    hint = _did_you_mean(key, allowed)
    return "unknown key" + (hint or f"; expected one of: {', '.join(allowed)}")


def _error_messages(error: Any) -> Iterator[tuple[KeyPath, str, bool]]:
    """Translate one jsonschema error into (key path, message, point at the key?) items."""
    from hotfix_lint.policy.schema import PATTERN_MESSAGES

    path: KeyPath = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield (*path, key), _unknown_key(path, str(key), allowed), True
    elif kind == "type":
        types = [value] if isinstance(value, str) else list(value)
        expected = _words([_TYPE_WORDS.get(t, t) for t in types])
        if len(path) == 2 and path[0] == "rules":
            expected = "a severity (error, warning or off) or a mapping {severity: ..., OPTION: VALUE}"
        yield path, f"expected {expected}, got {describe_value(instance)}", False
    elif kind == "enum":
        choices = [str(c) for c in value]
        hint = _did_you_mean(instance, choices) if isinstance(instance, str) else ""
        shown = repr(instance) if isinstance(instance, str) else describe_value(instance)
        yield path, f"{shown} is not one of {', '.join(choices)}{hint}", False
    elif kind == "required" and isinstance(instance, Mapping):
        properties = schema.get("properties", {})
        for key in value:
            if key not in instance:
                about = properties.get(key, {}).get("description")
                yield path, f"missing key '{key}'" + (f": {about}" if about else ""), False
    elif kind in ("oneOf", "anyOf") and all(isinstance(alt, Mapping) and set(alt) == {"required"} for alt in value):
        keys = [key for alt in value for key in alt["required"]]
        present = [key for key in keys if isinstance(instance, Mapping) and key in instance]
        quoted = [f"'{key}'" for key in keys]
        if kind == "oneOf" and len(present) > 1:
            yield path, f"give only one of {_words(quoted)}, not both", False
        else:
            yield path, f"missing {_words(quoted)}: give exactly one of them", False
    elif kind in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _error_messages(best_match(error.context))
    elif kind == "minLength":
        yield path, "must not be empty", False
    elif kind == "minItems":
        yield path, f"must have at least {value} item{'s' if value != 1 else ''}", False
    elif kind == "pattern":
        words = PATTERN_MESSAGES.get(value, f"expected text matching the regular expression {value}")
        got = f", got {describe_value(instance)}" if isinstance(instance, str) and instance.strip() else ""
        yield path, words + got, False
    elif kind == "format" and value == "date":
        yield path, f"expected a calendar date YYYY-MM-DD, got {describe_value(instance)}", False
    elif kind == "format" and value == "regex":
        try:
            re.compile(str(instance))
            reason = "invalid"
        except re.error as exc:
            reason = str(exc)
        yield path, f"{instance!r} is not a valid regular expression: {reason}", False
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[kind]
        yield path, f"must be {words} {value}, got {describe_value(instance)}", False
    else:
        yield path, str(error.message), False


_VALIDATOR: Any = None
_VALIDATOR_RULES: tuple[str, ...] = ()


def _validator() -> Any:
    """The compiled schema validator, built on first use (this is where jsonschema is imported)
    and again when the rules registered change (plugins read afresh)."""
    global _VALIDATOR, _VALIDATOR_RULES
    from hotfix_lint.rules.registry import all_rules

    rules = tuple(rule.id for rule in all_rules())
    if _VALIDATOR is None or rules != _VALIDATOR_RULES:
        import jsonschema

        from hotfix_lint.policy.full_schema import policy_schema

        _VALIDATOR = jsonschema.Draft202012Validator(
            policy_schema(), format_checker=jsonschema.FormatChecker(formats=("date", "regex"))
        )
        _VALIDATOR_RULES = rules
    return _VALIDATOR


#: what a schema complaint is, in words that quote nothing of the file
_KINDS = {
    "additionalProperties": "unknown key",
    "type": "wrong type of value",
    "enum": "value not among those allowed",
    "required": "missing key",
    "minLength": "empty value",
    "minItems": "too few items",
    "pattern": "value not in the expected form",
    "format": "value not in the expected form",
    "minimum": "number out of range",
    "exclusiveMinimum": "number out of range",
    "maximum": "number out of range",
    "exclusiveMaximum": "number out of range",
}


def validate_document(doc: PolicyDoc, problems: Problems) -> None:
    """Check one file's own data against the schema; every error becomes a positioned problem."""
    if doc.data is None:
        return
    errors = list(itertools.islice(_validator().iter_errors(doc.data), 10 * MAX_PROBLEMS))
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in mistyped:
            continue  # a wrong type explains every other complaint about the same value
        kind = _KINDS.get(error.validator, "invalid value")
        for path, message, at_key in _error_messages(error):
            problems.add(doc.order, doc.mark(path, key=at_key), path, message, kind=kind)
