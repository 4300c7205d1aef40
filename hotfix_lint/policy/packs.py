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


def pack_path(name: str) -> Path:
    """The YAML file of the built-in pack ``name``; :class:`PolicyError` if there is none."""
    if name not in pack_names():
        raise PolicyError([unknown_pack_message(name)])
    return packs_dir() / (name + PACK_SUFFIX)
