"""The rule catalogue: every rule, its default, and the built-in packs that turn it on.

``hotfix-lint rules`` prints it and the rules page (docs/rules.md) is generated from it (a test keeps
them equal), so the list of rules, their packs and their documentation cannot drift apart.
"""

from __future__ import annotations

from functools import lru_cache

from hotfix_lint import DOCS_URL
from hotfix_lint.report.model import RuleInfo
from hotfix_lint.rules.base import Rule


@lru_cache(maxsize=1)
def rules_by_pack() -> dict[str, tuple[str, ...]]:
    """Rule id -> the built-in packs whose policy runs it (severity not ``off``), sorted."""
    from hotfix_lint.engine import select_rules
    from hotfix_lint.policy.loader import load_pack
    from hotfix_lint.policy.packs import pack_names
    from hotfix_lint.rules.registry import ALL_RULES

    found: dict[str, list[str]] = {rule.id: [] for rule in ALL_RULES}
    for name in pack_names():
        for selected in select_rules(load_pack(name), rules=ALL_RULES):
            found[selected.rule.id].append(name)
    return {rule_id: tuple(packs) for rule_id, packs in found.items()}


def default_label(rule: type[Rule]) -> str:
    """``error``, or ``error, opt-in`` for a rule that runs only when a policy names it."""
    return rule.default_severity.value + (", opt-in" if rule.opt_in else "")


def help_uri(rule: Rule | type[Rule]) -> str:
    """Where a rule is documented: its own ``help_uri`` (a rule from another package), else its
    section of the rules page."""
    own: str | None = getattr(rule, "help_uri", None)
    return own or f"{DOCS_URL}rules/#{rule.id}"


def rule_info(rule: Rule | type[Rule]) -> RuleInfo:
    """The metadata reporters show for ``rule``."""
    return RuleInfo(rule.id, rule.summary, rule.explanation, rule.default_severity, help_uri(rule))


def rules_markdown() -> str:
    """The rule table of docs/rules.md: id, default severity, packs that enable it, summary."""
    from hotfix_lint.rules.registry import ALL_RULES

    packs = rules_by_pack()
    rows = ["| rule | default | packs | what it checks |", "| --- | --- | --- | --- |"]
    for rule in ALL_RULES:
        names = ", ".join(f"`{p}`" for p in packs[rule.id]) or "none"
        rows.append(f"| `{rule.id}` | {default_label(rule)} | {names} | {rule.summary} |")
    return "\n".join(rows) + "\n"


def rules_reference_markdown() -> str:
    """The rules page's reference: one section per built-in rule (``### RULE-ID``, the anchor
    SARIF's ``helpUri`` links to) with its summary, default, packs, explanation and options."""
    import json

    from hotfix_lint.rules.registry import ALL_RULES

    packs = rules_by_pack()
    out: list[str] = []
    for rule in ALL_RULES:
        names = ", ".join(f"`{p}`" for p in packs[rule.id]) or "none"
        out += [f"### {rule.id}", "", rule.summary, "", f"Default: {default_label(rule)}; packs: {names}.", ""]
        out += [rule.explanation, ""]
        props = rule.options_schema.get("properties", {})
        if props:
            out.append("Options:")
            out.append("")
            for name, spec in props.items():
                default = json.dumps(spec.get("default")) if "default" in spec else "none"
                out.append(f"- `{name}` (default `{default}`): {spec.get('description', '')}")
            out.append("")
    return "\n".join(out)


def rules_text() -> str:
    """``hotfix-lint rules``: one line per rule, then the packs that enable it (for a rule from
    another package: that package)."""
    from hotfix_lint.rules.registry import all_rules, plugin_package

    packs = rules_by_pack()
    rules = all_rules()
    width = max(len(r.id) for r in rules)
    labels = {r.id: default_label(r) for r in rules}
    label_width = max(len(v) for v in labels.values())
    lines = []
    for rule in rules:
        lines.append(f"{rule.id:<{width}}  {labels[rule.id]:<{label_width}}  {rule.summary}")
        package = plugin_package(rule.id)
        source = f"package: {package} (a plugin)" if package else f"packs: {', '.join(packs[rule.id]) or 'none'}"
        lines.append(f"{'':<{width}}  {'':<{label_width}}  {source}")
    lines.append("")
    lines.append("An opt-in rule runs only when the policy names it under `rules:` (or with --rule ID).")
    lines.append("`hotfix-lint explain RULE` tells what a rule checks and which options it takes.")
    return "\n".join(lines) + "\n"
