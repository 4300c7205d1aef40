"""Read the version a project declares in its version files. Pure text functions.

Each ecosystem writes its version in its own place: ``setup.py`` (``version=``),
``setup.cfg`` (``[metadata] version``), ``pyproject.toml`` (``[project]`` or
``[tool.poetry]`` ``version``), a Python module's ``__version__``, ``package.json``
(``"version"``) or a plain ``VERSION`` file (its first line). A file that takes its version
from elsewhere (``dynamic = ["version"]``, ``version = attr: pkg.__version__``) declares none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from hotfix_lint.facts.versions import version_key

#: Files looked for at the repository root when the policy names no version files.
ROOT_VERSION_FILES = ("setup.py", "setup.cfg", "pyproject.toml", "package.json", "VERSION")

_SETUP_PY = re.compile(r"""\bversion\s*=\s*(?P<q>["'])(?P<v>[^"']+)(?P=q)""")
_DUNDER = re.compile(r"""^__version__\s*(?::\s*\w+\s*)?=\s*(?P<q>["'])(?P<v>[^"']+)(?P=q)""", re.M)
_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_TOML_VERSION = re.compile(r"""^\s*version\s*=\s*(?P<q>["'])(?P<v>[^"']*)(?P=q)""")
_TOML_DYNAMIC = re.compile(r"""^\s*dynamic\s*=\s*\[[^\]]*["']version["']""")
_CFG_VERSION = re.compile(r"^\s*version\s*[=:]\s*(?P<v>.+?)\s*$")


@dataclass(frozen=True)
class DeclaredVersion:
    """What one file says: a version, ``None`` with the reason it declares none."""

    path: str
    version: str | None
    reason: str = ""

    @property
    def declares(self) -> bool:
        return self.version is not None


def _section_lines(text: str, wanted: tuple[str, ...]) -> list[tuple[str, str]]:
    """(section, line) for each line inside one of the ``wanted`` sections of an INI/TOML text."""
    out: list[tuple[str, str]] = []
    section = ""
    for line in text.splitlines():
        m = _SECTION.match(line)
        if m is not None:
            section = m.group("name").strip()
            continue
        if section in wanted:
            out.append((section, line))
    return out


def _pyproject(path: str, text: str) -> DeclaredVersion:
    dynamic = False
    for section, line in _section_lines(text, ("project", "tool.poetry")):
        m = _TOML_VERSION.match(line)
        if m is not None:
            return DeclaredVersion(path, m.group("v"))
        if section == "project" and _TOML_DYNAMIC.match(line):
            dynamic = True
    return DeclaredVersion(path, None, "the version is dynamic" if dynamic else "no [project] version")


def _setup_cfg(path: str, text: str) -> DeclaredVersion:
    for _, line in _section_lines(text, ("metadata",)):
        m = _CFG_VERSION.match(line)
        if m is None:
            continue
        value = m.group("v")
        if value.startswith(("attr:", "file:")):
            return DeclaredVersion(path, None, f"the version comes from elsewhere ({value})")
        return DeclaredVersion(path, value)
    return DeclaredVersion(path, None, "no [metadata] version")


def _package_json(path: str, text: str) -> DeclaredVersion:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return DeclaredVersion(path, None, f"not valid JSON ({exc})")
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, str) and version:
        return DeclaredVersion(path, version)
    return DeclaredVersion(path, None, 'no "version" field')


def declared_version(path: str, text: str) -> DeclaredVersion:
    """The version ``text`` (the content of the file ``path``) declares, by the file's kind."""
    name = path.rsplit("/", 1)[-1]
    if name == "pyproject.toml":
        return _pyproject(path, text)
    if name == "setup.cfg":
        return _setup_cfg(path, text)
    if name == "package.json":
        return _package_json(path, text)
    if name == "setup.py":
        m = _SETUP_PY.search(text)
        if m is not None:
            return DeclaredVersion(path, m.group("v"))
        dunder = _DUNDER.search(text)
        if dunder is not None:
            return DeclaredVersion(path, dunder.group("v"))
        return DeclaredVersion(path, None, "no version= in setup()")
    if name.endswith(".py"):
        m = _DUNDER.search(text)
        if m is not None:
            return DeclaredVersion(path, m.group("v"))
        return DeclaredVersion(path, None, "no __version__")
    for line in text.splitlines():
        if line.strip():
            return DeclaredVersion(path, line.strip())
    return DeclaredVersion(path, None, "the file is empty")


def is_patch_increment(previous: str, new: str) -> bool:
    """Is ``new`` the next patch release after ``previous`` (1.2.0 -> 1.2.1)?"""
    a = version_key(previous)
    b = version_key(new)
    if a is None or b is None:
        return False
    if (a[0], a[1]) != (b[0], b[1]):
        return False
    if a[3] == 0:  # a pre-release 1.2.1-rc1 is followed by its release 1.2.1 or by 1.2.2
        return b[2] in (a[2], a[2] + 1) and b > a
    return b[2] == a[2] + 1


def same_version(a: str, b: str) -> bool:
    """Equal versions, whether or not one is written with a leading ``v``."""
    return a.strip().removeprefix("v") == b.strip().removeprefix("v")
