"""Write an inference as a policy: ``extends`` the closest pack, then only the keys that differ.

Every key is preceded by a comment giving its evidence, so a maintainer reviews the file as
they would a colleague's proposal. Where the history is thin (no hotfix yet), the pack's
hotfix pattern and era stand and the header says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix_lint.infer.decide import TAGGED, Inference, Value

#: packs in order of preference when two fit as well: the general ones before the seed processes
PREFERENCE = ("gitflow", "github-flow-hotfix", "default", "compactconnect", "ibm-jazz", "gaia-gateway")
#: the keys a pack is compared on, in the order they are written
COMPARED = (
    "production",
    "integration",
    "hotfix_branch",
    "release_branches",
    "promotion_branch",
    "tag_pattern",
    "changelog",
)
#: keys no pack sets: written whenever they were inferred
OWN = ("version_files", "since", "until")
#: a pack that names no changelog but looks for one at each commit
FOUND = "found at each commit"
#: evidence of a changelog no longer at the production tip (a pack looking for one would not find it)
AWAY = "no longer at the production tip"
#: packs that encode one team's process (rules beyond the core): chosen only on a close fit
_SEED_PENALTY = {"compactconnect": 1, "ibm-jazz": 2, "gaia-gateway": 3}


@dataclass(frozen=True)
class Proposal:
    """The pack to extend and the keys (with evidence) to write below it."""

    pack: str
    keys: dict[str, Value]
    rules: dict[str, tuple[object, str]]
    inference: Inference


def _as_tuple(value: object) -> tuple[str, ...]:
    """Branch names and patterns, ``prod/hotfix/**`` as ``prod/hotfix/*`` (the same branches,
    but for nested names no history here shows)."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    names = (str(v["branch"]) if isinstance(v, dict) else str(v) for v in items)
    return tuple(n.removesuffix("/**") + "/*" if n.endswith("/**") else n for n in names)


def _pack_value(name: str, key: str) -> object:
    from hotfix_lint.policy.loader import load_pack

    policy = load_pack(name)
    if key == "changelog":
        return policy.changelog if policy.changelog is not None else (FOUND if policy.find_changelog else None)
    if key == "integration":
        return policy.integration
    if key in ("production", "hotfix_branch", "release_branches"):
        return getattr(policy, key)
    return getattr(policy, key)


def differs(pack: str, key: str, value: object, evidence: str = "") -> bool:
    """Does ``pack`` say something else than the inferred ``value`` for ``key``?"""
    ours = _pack_value(pack, key)
    if key == "changelog" and ours == FOUND and isinstance(value, str):
        return AWAY in evidence  # a pack that looks for it finds it, unless it is gone from the tip
    if key == "production":
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return True  # former names: only the policy can say them
        return set(_as_tuple(ours)) != set(_as_tuple(value))
    if key in ("hotfix_branch", "release_branches"):
        return set(_as_tuple(ours)) != set(_as_tuple(value))
    if key == "integration":
        return isinstance(value, dict) or ours != value
    return ours != value


def _rule_severity(pack: str, rule: str) -> str:
    from hotfix_lint.engine import select_rules
    from hotfix_lint.policy.loader import load_pack

    for selected in select_rules(load_pack(pack)):
        if selected.rule.id == rule:
            return selected.severity.value
    return "off"


def propose(inference: Inference, fallback: str = "default") -> Proposal:
    """The closest pack and what to write below it."""
    from hotfix_lint.policy.packs import pack_names

    values = dict(inference.values)
    available = [p for p in PREFERENCE if p in pack_names()] or [fallback]
    compared = [k for k in COMPARED if k in values]

    def differing(pack: str) -> set[str]:
        return {k for k in compared if differs(pack, k, values[k].value, values[k].evidence)}

    def cost(pack: str) -> tuple[int, int]:
        found = differing(pack)
        # a seed process's pack only when the history shows its own naming and integration
        own = "hotfix_branch" in values and not found & {"hotfix_branch", "integration"}
        return len(found) + (0 if own else _SEED_PENALTY.get(pack, 0)), available.index(pack)

    pack = min(available, key=cost) if compared else fallback
    keys = {k: values[k] for k in compared if k in differing(pack)}
    keys.update({k: values[k] for k in OWN if k in values})
    rules: dict[str, tuple[object, str]] = {}
    tagged = values.get(TAGGED)
    release_tag = _rule_severity(pack, "release-tag")
    if tagged is not None and tagged.value and release_tag == "off":
        rules["release-tag"] = ("error", tagged.evidence)
    if (tagged is None or not tagged.value) and release_tag != "off":
        rules["release-tag"] = ("off", tagged.evidence if tagged is not None else "no version tags")
    if "version_files" in values and _rule_severity(pack, "version-bump") == "off":
        rules["version-bump"] = ("error", "the version files change with each hotfix and release")
    changelog = values.get("changelog")
    if changelog is not None and changelog.value and _rule_severity(pack, "changelog-entry") == "off":
        rules["changelog-entry"] = ("warning", "the hotfix and release merges write the changelog")
    return Proposal(pack, keys, rules, inference)


def _flow(value: object) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _comment(text: str, width: int = 96, indent: str = "") -> list[str]:
    """``text`` as comment lines of at most ``width``; continuation lines indented two more
    than the first (``indent`` leads the first), so a wrapped evidence reads as one item."""
    import textwrap

    from hotfix_lint.report import printable_line

    lines = textwrap.wrap(
        printable_line(text),  # a branch name or subject may hold control characters: YAML refuses them
        width,
        initial_indent="# " + indent,
        subsequent_indent="# " + indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or ["#"]


def policy_yaml(proposal: Proposal, repository: str, today: dt.date | None = None) -> str:
    """The policy file: header, ``extends``, each key under its evidence, the rules, the alternatives."""
    inference = proposal.inference
    today = today or dt.date.today()
    lines = [
        f"# hotfix-lint policy inferred from the history of {repository} by `hotfix-lint init`.",
        "# Each key says why it was chosen; change what your team does differently. `hotfix-lint check`",
        "# runs it, `hotfix-lint explain RULE` documents a rule, `hotfix-lint schema` the keys.",
    ]
    for note in inference.notes:
        lines += _comment(f"Note: {note}.")
    lines += [f"# The built-in pack {proposal.pack!r} fits the history best; only what differs from it follows.", ""]
    lines.append(f"extends: {proposal.pack}")
    confirmed = [k for k in COMPARED if k in inference.values and k not in proposal.keys]
    if confirmed:
        lines.append(f"# From {proposal.pack}, as the history shows:")
        for key in confirmed:
            value = inference.values[key]
            lines += _comment(f"{key}: {_flow(value.value)} - {value.evidence}", indent="  ")
    for key, value in proposal.keys.items():
        lines.append("")
        lines += _comment(f"{key}: {_flow(value.value)} - {value.evidence}")
        lines.append(f"{key}: {_flow(value.value)}")
    if "since" not in proposal.keys:
        lines += [
            "",
            *_comment(f"To judge only what lands from today on (an old history left as it was): since: {today}"),
        ]
        lines.append(f"# since: {today.isoformat()}")
    else:
        lines += _comment(
            f"Or, to judge only what lands from today on (older history left as it was): since: {today.isoformat()}"
        )
    if proposal.rules:
        lines += ["", "rules:"]
        for rule, (severity, why) in proposal.rules.items():
            lines.append(f"  {rule}: {_flow(severity)}  # {why}")
    return "\n".join(lines) + "\n"


def inference_json(proposal: Proposal) -> dict[str, Any]:
    """The inferred values with their evidence, the pack chosen and the keys written."""
    inference = proposal.inference
    return {
        "extends": proposal.pack,
        "thin": inference.thin,
        "notes": list(inference.notes),
        "values": {k: {"value": v.value, "evidence": v.evidence} for k, v in inference.values.items()},
        "written": sorted(proposal.keys),
        "rules": {rule: severity for rule, (severity, _) in proposal.rules.items()},
    }


def summary(proposal: Proposal) -> str:
    """One line for standard error: what ``check`` inferred when the repository has no policy."""
    values: Mapping[str, Value] = proposal.inference.values

    def shown(key: str) -> str:
        value = values.get(key)
        return _flow(value.value) if value is not None else "-"

    parts = [f"production {shown('production')}", f"integration {shown('integration')}"]
    parts.append(f"hotfix branches {shown('hotfix_branch')}")
    parts.append(f"tags {shown('tag_pattern')}")
    if "since" in values and not proposal.inference.thin:
        parts.append(f"since {shown('since')}")
    if "until" in values and not proposal.inference.thin:
        parts.append(f"until {shown('until')}")
    from hotfix_lint.report import printable_line

    return printable_line(f"extends {proposal.pack}; " + ", ".join(parts))
