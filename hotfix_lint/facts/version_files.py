"""Read the version a project declares in its version files, with each format's own parser.

Each ecosystem writes its version in its own place: ``setup.py``, ``setup.cfg``,
``pyproject.toml``, a Python module's ``__version__`` (``version_python``); ``pom.xml``,
``version.sbt``, ``gradle.properties`` (``version_jvm``); ``package.json``, ``Cargo.toml``
(``version_manifests``); a plain ``VERSION`` file (its first line). A file that takes its
version from elsewhere (``dynamic = ["version"]``, ``${revision}``, ``attr:``) declares no
literal: :attr:`DeclaredVersion.elsewhere` says so, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hotfix_lint.facts.declared_version import MAX_VERSION_FILE_BYTES, DeclaredVersion, literal
from hotfix_lint.facts.git import FileSnapshot
from hotfix_lint.facts.versions import version_key

__all__ = [
    "MAX_VERSION_FILE_BYTES",
    "ROOT_VERSION_FILES",
    "DeclaredVersion",
    "declared_in",
    "declared_version",
    "is_patch_increment",
    "same_version",
]

#: Files looked for at the repository root when the policy names no version files.
ROOT_VERSION_FILES = (
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "package.json",
    "pom.xml",
    "version.sbt",
    "gradle.properties",
    "Cargo.toml",
    "VERSION",
)


#: ``VERSION=1.2.3``, ``export APP_VERSION="1.2.3"``, ``VERSION ?= 1.2.3`` (shell, Makefile)
_ASSIGNED = (
    r"^[ \t]*(?:export[ \t]+)?\w*version\w*[ \t]*[?:]?=[ \t]*"
    r"""["']?(v?\d+(?:\.\d+)+[0-9A-Za-z.+-]*)["']?[ \t]*$"""
)
#: a plain file is searched for an assignment only this far (a version file is small)
_MAX_SCANNED = 256 * 1024


def _parser(name: str) -> Callable[[str, str], DeclaredVersion] | None:
    """The parser for a file name; imported on use, so a git hook loads only what it reads."""
    if name in ("setup.py", "setup.cfg", "pyproject.toml") or name.endswith(".py"):
        from hotfix_lint.facts import version_python as py

        by_name = {"setup.py": py.setup_py_version, "setup.cfg": py.setup_cfg_version}
        return by_name.get(name, py.pyproject_version if name == "pyproject.toml" else py.dunder_version)
    if name == "pom.xml" or name.endswith((".sbt", ".properties")):
        from hotfix_lint.facts import version_jvm as jvm

        if name.endswith(".sbt"):
            return jvm.sbt_version
        return jvm.properties_version if name.endswith(".properties") else jvm.pom_version
    if name in ("package.json", "Cargo.toml"):
        from hotfix_lint.facts import version_manifests as manifests

        return manifests.package_json_version if name == "package.json" else manifests.cargo_version
    return None


def _oversize(path: str, size: int) -> DeclaredVersion:
    bound = MAX_VERSION_FILE_BYTES // (1024 * 1024)
    return DeclaredVersion(path, None, f"not read: {size:,} bytes, over the {bound} MiB bound", elsewhere=True)


def declared_in(snapshot: FileSnapshot) -> DeclaredVersion | None:
    """What a version file at one commit declares; ``None`` when the file is not there."""
    if snapshot.oversize is not None:
        return _oversize(snapshot.path, snapshot.oversize)
    if snapshot.text is None:
        return None
    return declared_version(snapshot.path, snapshot.text)


def declared_version(path: str, text: str) -> DeclaredVersion:
    """The version ``text`` (the content of the file ``path``) declares, by the file's kind."""
    if len(text) > MAX_VERSION_FILE_BYTES:
        return _oversize(path, len(text))
    name = path.rsplit("/", 1)[-1]
    parse = _parser(name)
    if parse is None:
        return _plain(path, text)
    declared = parse(path, text)
    return replace(declared, revisions=True) if declared.declares and _has_revisions(name) else declared


def _has_revisions(name: str) -> bool:
    """Does the build tool read ``1.2.3-4`` as revision 4 of release 1.2.3 (not a pre-release)?

    Maven, sbt and Gradle order a numeric ``-N`` after the release; PEP 440 normalises
    ``1.0-1`` to the post-release ``1.0.post1``. SemVer manifests and plain files read it as a
    pre-release, which is not the release.
    """
    return name not in ("package.json", "Cargo.toml")


def _plain(path: str, text: str) -> DeclaredVersion:
    """A ``VERSION`` file's first line; in another file (a shell script such as git-flow's
    ``git-flow-version``, a Makefile) a ``GITFLOW_VERSION=0.4.1`` assignment, if its first
    line is no version."""
    import re

    first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    if first is None:
        return DeclaredVersion(path, None, "the file is empty")
    is_version_file = path.rsplit("/", 1)[-1].upper() in ("VERSION", "VERSION.TXT")
    if not is_version_file and re.fullmatch(r"v?\d+(?:\.\d+)+\S*", first) is None and len(text) <= _MAX_SCANNED:
        m = re.search(_ASSIGNED, text, re.M | re.I)
        if m is not None:
            return literal(path, m.group(1))
    return literal(path, first)


def _key(version: str) -> tuple[int, int, int, int] | None:
    """:func:`version_key`, with a two-part version read as its ``.0`` (git-flow's 0.2 is 0.2.0)."""
    import re

    return version_key(re.sub(r"^(v?\d+\.\d+)(?=$|[-+])", r"\1.0", version.strip()))


def is_patch_increment(previous: str, new: str) -> bool:
    """Is ``new`` the next patch release after ``previous`` (1.2.0 -> 1.2.1; 0.2 -> 0.2.1)?"""
    a = _key(previous)
    b = _key(new)
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
