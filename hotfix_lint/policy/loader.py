"""Read a policy file and the policies it extends; report every mistake with its position.

Each file is parsed into plain data together with the line and column of every key and
value, validated on its own against the JSON Schema (so messages point into that file),
then merged with its bases and converted by :func:`hotfix_lint.policy.model.build_policy`.
Every problem of the whole chain is reported at once, as one :class:`PolicyError` whose
lines read ``FILE:LINE:COL: at KEY.PATH: what is wrong, what is expected``.

``extends`` and merging:

* ``extends`` is a built-in pack name (``default``) or a path (anything with a ``/`` or
  ending in ``.yaml``/``.yml``), relative to the extending file's directory; or a list of
  them. Bases are applied in order, then the extending file; a file reached twice (a
  diamond) is applied once, where it is first reached.
* Later files override earlier ones key by key at the top level. ``rules`` is merged per
  rule id, and a rule's settings key by key (``back-merge: warning`` over
  ``{severity: error, grace_days: 3}`` keeps ``grace_days``).
* Every other value is replaced as a whole: lists (``production``, ``release_branches``,
  ...), the ``integration`` and ``deployed_ref`` mappings (they describe one thing) and
  ``exceptions``: a file's waivers replace its bases' waivers, so that a team can drop a
  waiver it inherited; repeat the ones to keep.

YAML is read as safe YAML with YAML 1.2 booleans: only ``true``/``false`` are booleans, so
``changelog-entry: off`` means the severity ``off`` (YAML 1.1 would read ``off``, ``no`` and
``yes`` as booleans). A plain number where a commit is expected (``commit: 1234567``) is
read as the text it is.

The steps live in their own modules: :mod:`.yaml_reading` (YAML with positions, within
bounds), :mod:`.extends` (the chain), :mod:`.validation` (the schema, in words),
:mod:`.merging`, :mod:`.value_checks` (what the schema cannot say), :mod:`.problems` (every
mistake with its place).

Speed: jsonschema is imported only when a file must be validated. With ``cache_dir``, a
marker named after a hash of the tool version and the contents of every file in the chain
records that the chain was valid; when it exists, validation is skipped entirely.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hotfix_lint import __version__
from hotfix_lint.policy.cache import DEFAULT_PACK, POLICY_FILE_NAMES
from hotfix_lint.policy.extends import PolicyChain
from hotfix_lint.policy.merging import add_waiver_places, era_settings, merge_document
from hotfix_lint.policy.model import Policy, build_policy
from hotfix_lint.policy.packs import canonical_name, pack_path
from hotfix_lint.policy.problems import KeyPath, Mark, PolicyDoc
from hotfix_lint.policy.validation import validate_document
from hotfix_lint.policy.value_checks import check_era, check_eras, check_patterns


def _schema_stamp() -> str:
    """Size and mtime of the files the schema is built from (the rules' option schemas):
    a verdict cached by one build of the rules is not trusted by another, even at one version."""
    package = Path(__file__).resolve().parent.parent
    parts = []
    for folder in ("policy", "rules"):
        for source in sorted((package / folder).glob("*.py")):
            stat = source.stat()
            parts.append(f"{folder}/{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def _cache_key(docs: Sequence[PolicyDoc]) -> str:
    digest = hashlib.sha256(f"hotfix-lint {__version__}\n{_schema_stamp()}\n".encode())
    for doc in docs:
        data = doc.text.encode("utf-8")
        digest.update(f"{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- public API


def _load(
    path: Path, display: str, pack: str | None, cache_dir: Path | None, source: str, *, untrusted: bool = False
) -> Policy:
    chain = PolicyChain(untrusted=untrusted)
    if pack is not None:
        chain.packs.append(pack)
    chain.load(path, display, pack, ())
    problems = chain.problems
    marker: Path | None = None
    if cache_dir is not None and not problems.items:
        marker = cache_dir / f"policy-{_cache_key(chain.docs)}.ok"
    validated = marker is not None and marker.exists()
    if not validated:
        for doc in chain.docs:
            validate_document(doc, problems)
    merged: dict[str, Any] = {}
    marks: dict[KeyPath, Mark] = {}
    for doc in chain.docs:
        if doc.data is not None:
            merge_document(merged, marks, doc, doc.data)
    eras = era_settings(merged, marks)
    if not validated:
        orders = {doc.display: doc.order for doc in chain.docs}
        check_patterns(merged, marks, problems, orders)
        check_era(merged, marks, problems, orders)
        check_eras(merged, marks, problems, orders)
        for index, (era_data, era_marks) in enumerate(eras):
            before = len(problems.items)
            check_patterns(era_data, era_marks, problems, orders)
            own = merged["eras"][index]  # a problem of the era's own key is shown at its path there
            problems.items[before:] = [
                replace(p, path=("eras", index, *p.path)) if p.path[:1] and p.path[0] in own else p
                for p in problems.items[before:]
            ]
    problems.raise_if_any()
    if eras:
        merged["eras"] = [era_data for era_data, _ in eras]
    if marker is not None and not validated:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{source}\n", encoding="utf-8")
        except OSError:
            pass  # a read-only cache only costs speed
    add_waiver_places(merged, marks)
    return build_policy(merged, source, packs=tuple(chain.packs))


def load_policy(
    path: Path, *, cache_dir: Path | None = None, display: str | None = None, untrusted: bool = False
) -> Policy:
    """Load and validate the policy file ``path`` with everything it extends.

    Raises :class:`PolicyError` listing every problem found in the whole chain. ``display``
    names the file in messages and as the policy's source (a copy read from a commit is shown
    by its path in the repository, not by where it was copied to). ``untrusted`` (a policy of
    an audited repository): built-in packs only in ``extends``, and no problem quotes the file.
    """
    path = Path(path)
    shown = display or str(path)
    return _load(path, shown, None, cache_dir, shown, untrusted=untrusted)


def load_pack(name: str, *, cache_dir: Path | None = None) -> Policy:
    """Load the built-in pack ``name``; its ``source`` is ``pack:NAME``."""
    name = canonical_name(name)
    path = pack_path(name)
    return _load(path, str(path), name, cache_dir, f"pack:{name}")


def discover_policy(repo_dir: Path, explicit: Path | None, *, cache_dir: Path | None = None) -> tuple[Policy, str]:
    """Find the policy to use and a sentence saying which.

    The order: ``--policy FILE``, else ``.hotfix-lint.yaml``/``.yml`` at the repository root,
    else the built-in pack ``default``.
    """
    if explicit is not None:
        return load_policy(explicit, cache_dir=cache_dir), f"using the policy {explicit} (given with --policy)"
    found = [name for name in POLICY_FILE_NAMES if (Path(repo_dir) / name).is_file()]
    if found:
        policy = load_policy(Path(repo_dir) / found[0], cache_dir=cache_dir)
        sentence = f"using the policy {found[0]} at the repository root"
        if len(found) > 1:
            sentence += f" ({' and '.join(found[1:])} is ignored: keep only one of them)"
        return policy, sentence
    policy = load_pack(DEFAULT_PACK, cache_dir=cache_dir)
    names = " or ".join(POLICY_FILE_NAMES)
    return policy, f"using the built-in pack '{DEFAULT_PACK}' (no {names} at the repository root)"


def policy_files(path: Path, *, pack: str | None = None, untrusted: bool = False) -> list[Path]:
    """Every file the policy ``path`` is read from (its bases and packs first, then itself).

    A cache of the loaded policy (the hooks' :mod:`hotfix_lint.policy.cache`) is valid while
    none of these files changes.
    """
    chain = PolicyChain(untrusted=untrusted)
    chain.load(Path(path), str(path), pack, ())
    return [doc.path for doc in chain.docs]
