"""``rules``, ``explain`` and ``schema``: what the rules are and what a policy may say."""

from __future__ import annotations

from typing import IO

from hotfix_lint.errors import EXIT_OK, UnknownRuleError


def rules_markdown() -> str:
    """The rule table of docs/rules.md, generated from the registry and the packs (a test keeps them equal)."""
    from hotfix_lint.catalog import rules_markdown as markdown

    return markdown()


def cmd_rules(stream: IO[str], fmt: str = "text") -> int:
    from hotfix_lint.catalog import rules_text

    stream.write(rules_markdown() if fmt == "markdown" else rules_text())
    return EXIT_OK


def explain_text(rule_id: str) -> str:
    """The full explanation of one rule, as ``explain`` prints it."""
    import json

    from hotfix_lint.catalog import rules_by_pack
    from hotfix_lint.rules.registry import plugin_package, rules_by_id

    registered = rules_by_id()
    rule = registered.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(registered), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UnknownRuleError(f"unknown rule {rule_id!r}{hint}; `hotfix-lint rules` lists them")
    lines = [
        f"{rule.id}: {rule.summary}",
        f"default severity: {rule.default_severity.value}"
        + (" (opt-in: runs only when the policy names it under `rules:`)" if rule.opt_in else ""),
        f"from the package {package} (a plugin)"
        if (package := plugin_package(rule.id))
        else f"built-in packs that enable it: {', '.join(rules_by_pack().get(rule.id, ())) or 'none'}",
        "",
        rule.explanation,
        "",
    ]
    props = rule.options_schema.get("properties", {})
    if props:
        lines.append("options:")
        for name, spec in props.items():
            default = json.dumps(spec.get("default")) if "default" in spec else "none"
            lines.append(f"  {name} (default {default}): {spec.get('description', '')}")
    else:
        lines.append("options: none")
    lines.append("")
    lines.append(f"set it in the policy: rules: {{{rule.id}: {{severity: error|warning|off, OPTION: VALUE}}}}")
    return "\n".join(lines) + "\n"


def cmd_schema(stream: IO[str]) -> int:
    import json

    from hotfix_lint.policy.full_schema import policy_schema

    json.dump(policy_schema(), stream, indent=2)
    stream.write("\n")
    return EXIT_OK
