"""``hotfix-lint init --preset NAME``: write a commented ``.hotfix-lint.yaml`` that extends a pack.

The file extends the built-in pack and lists, commented out, every key the pack sets, so a
team sees what it adopted and changes a value by uncommenting its line. The written file is
loaded back before it is kept: ``init`` never leaves a policy that ``check`` would refuse.
"""

from __future__ import annotations

from pathlib import Path

from hotfix_lint.errors import UserError
from hotfix_lint.policy.packs import canonical_name, pack_path


def policy_text(preset: str) -> str:
    """The commented policy for ``preset`` (a built-in pack name; unknown: PolicyError)."""
    preset = canonical_name(preset)
    source = pack_path(preset).read_text(encoding="utf-8").splitlines()
    about: list[str] = []
    body_start = 0
    for i, line in enumerate(source):
        if line.startswith("#"):
            about.append(line.lstrip("#").strip())
            continue
        body_start = i
        break
    lines = [f"# hotfix-lint policy, from the built-in pack `{preset}`."]
    lines += [f"# {text}" if text else "#" for text in about]
    lines += [
        "#",
        "# The pack is applied first (extends). Below, commented out, is every key the pack sets:",
        "# uncomment a line to change it for this repository; later keys win, and a rule's settings",
        "# are merged option by option. `hotfix-lint explain RULE` documents a rule and its options,",
        "# `hotfix-lint schema` prints the JSON Schema for editors, `hotfix-lint check` runs it.",
        f"extends: {preset}",
        "",
    ]
    for line in source[body_start:]:
        lines.append(f"# {line}" if line.strip() else "")
    lines += [
        "",
        "# Waivers: a rule that does not apply to one commit or branch, with a reason.",
        "# exceptions:",
        "#   - rule: back-merge",
        "#     commit: 1a2b3c4d",
        '#     reason: "develop was rebuilt from main"',
        "#     expires: 2026-12-31",
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_policy(root: Path, preset: str, *, force: bool = False) -> Path:
    """Write ``.hotfix-lint.yaml`` at ``root``; an existing file is kept unless ``force``."""
    return write_text(root, policy_text(preset), force=force)


def write_text(root: Path, text: str, *, force: bool = False) -> Path:
    """Write the policy ``text`` as ``.hotfix-lint.yaml`` at ``root`` (an existing file only with ``force``)."""
    from hotfix_lint.policy.cache import POLICY_FILE_NAMES
    from hotfix_lint.policy.loader import load_policy

    others = [root / name for name in POLICY_FILE_NAMES if (root / name).exists()]
    if others and not force:
        raise UserError(f"{others[0]} already exists; use --force to replace it (or edit it)")
    target = others[0] if others else root / POLICY_FILE_NAMES[0]
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror}") from exc
    load_policy(target)  # the written file must be a valid policy
    return target
