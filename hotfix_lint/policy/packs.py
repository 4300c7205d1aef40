"""Where the built-in policy packs live, in a wheel and in a source checkout.

A wheel installs ``policies/*.yaml`` as the package ``hotfix_lint.packs`` (see
``pyproject.toml``); a source checkout or an editable install reads ``policies/`` at the
repository root, next to the package.
"""

from __future__ import annotations

from pathlib import Path

import hotfix_lint
from hotfix_lint.errors import PolicyError

PACK_SUFFIX = ".yaml"
#: former pack names, still accepted: each is the pack it was renamed to (with a notice)
ALIASES = {"main-development": "compactconnect", "prod-hotfix": "gaia-gateway"}
_noticed: set[str] = set()


def packs_dir() -> Path:
    """The directory of the built-in packs: the installed ``hotfix_lint/packs``, else ``policies/``."""
    package_dir = Path(hotfix_lint.__file__).resolve().parent
    installed = package_dir / "packs"
    if installed.is_dir():
        return installed
    return package_dir.parent / "policies"


def pack_names() -> list[str]:
    """Names of the built-in packs (file names without ``.yaml``), sorted."""
    directory = packs_dir()
    if not directory.is_dir():
        return []
    return sorted(p.name[: -len(PACK_SUFFIX)] for p in directory.glob("*" + PACK_SUFFIX) if p.is_file())


def unknown_pack_message(name: str) -> str:
    """Say that ``name`` is not a pack, with a "did you mean" and the list of packs."""
    import difflib  # only when there is a mistake to explain

    names = pack_names()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    known = ", ".join(names) if names else "none installed"
    return f"unknown pack '{name}'{hint}; built-in packs: {known}. To extend a file, give a path such as ./{name}.yaml"


def canonical_name(name: str, *, notice: bool = True) -> str:
    """The pack's name today: a former name (:data:`ALIASES`) is the pack it became; with
    ``notice``, standard error says so once per run, so a team renames it when it likes."""
    new = ALIASES.get(name)
    if new is None:
        return name
    if notice and name not in _noticed:
        import sys

        _noticed.add(name)
        sys.stderr.write(f"hotfix-lint: note: the pack '{name}' is now called '{new}'; the old name keeps working\n")
    return new


def is_pack(name: str) -> bool:
    """A built-in pack's name, today's or a former one."""
    return name in ALIASES or name in pack_names()


def pack_path(name: str) -> Path:
    """The YAML file of the built-in pack ``name`` (or a former name of one); :class:`PolicyError` if there is none."""
    name = canonical_name(name)
    if name not in pack_names():
        raise PolicyError([unknown_pack_message(name)])
    return packs_dir() / (name + PACK_SUFFIX)
