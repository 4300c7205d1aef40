"""JVM build files' versions: Maven's ``pom.xml``, sbt's ``version.sbt``, ``gradle.properties``.

A pom is read with ElementTree, namespaces and all: the project's own ``<version>``, never its
``<parent>``'s, with ``${property}`` resolved from the pom's own ``<properties>``. A pom with a
DOCTYPE is refused unread: a pom needs none, and entity declarations are how an XML file
expands to gigabytes.
"""

from __future__ import annotations

import re

from hotfix_lint.facts.declared_version import DeclaredVersion, elsewhere, literal, shown

_PROPERTY = r"\$\{([^}]*)\}"
#: ``version := "1.2.3"``, ``ThisBuild / version := ...``, ``version in ThisBuild := ...``
_SBT_VERSION = (
    r"^[ \t]*(?:\(?[ \t]*(?P<scope>\w+)[ \t]*/[ \t]*)?version[ \t]*(?:in[ \t]+(?P<old>\w+)[ \t]*)?\)?"
    r"[ \t]*:=[ \t]*(?P<value>[^\n]*?)[ \t]*;?[ \t]*$"
)
#: a string literal, a // comment or a /* */ comment in Scala: comments are blanked, strings kept
_SCALA_LEXEME = r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/'


def pom_version(path: str, text: str) -> DeclaredVersion:
    """The ``<project>``'s own ``<version>``."""
    import xml.etree.ElementTree as ET

    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return DeclaredVersion(path, None, "not read: it has a DOCTYPE or entity declaration, which a pom never needs")
    try:
        root = ET.fromstring(text)  # noqa: S314 (no DOCTYPE: no entity can be declared)
    except (ET.ParseError, RecursionError) as exc:
        return DeclaredVersion(path, None, f"not valid XML ({exc})")
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if root.tag != f"{ns}project":
        return DeclaredVersion(path, None, f"not a Maven pom (its root element is <{root.tag[len(ns):]}>)")
    own = root.find(f"{ns}version")
    if own is None or not (own.text or "").strip():
        parent = root.find(f"{ns}parent/{ns}version")
        inherited = f" ({(parent.text or '').strip()})" if parent is not None else ""
        return elsewhere(path, f"the pom has no <version> of its own: it inherits its parent's{inherited}")
    value = (own.text or "").strip()
    for _ in range(10):  # properties naming properties, a few levels deep
        m = re.search(_PROPERTY, value)
        if m is None:
            return literal(path, value)
        prop = root.find(f"{ns}properties/{ns}{m.group(1)}") if re.fullmatch(r"[\w.-]+", m.group(1)) else None
        if prop is None or "${" + m.group(1) + "}" in (prop.text or ""):
            break
        value = value[: m.start()] + (prop.text or "").strip() + value[m.end() :]
    return elsewhere(path, f"the version is a property set outside the pom (<version>{shown(value)}</version>)")


def sbt_version(path: str, text: str) -> DeclaredVersion:
    """``version := "1.2.3"`` (the build's, ``ThisBuild / version``, before a project's own)."""
    code = re.sub(_SCALA_LEXEME, lambda m: m.group(0) if m.group(0).startswith('"') else " ", text, flags=re.S)
    found: list[tuple[bool, str]] = []
    for m in re.finditer(_SBT_VERSION, code, re.M):
        scope = m.group("scope") or m.group("old")
        if scope is None or scope == "ThisBuild":
            found.append((scope is None, m.group("value")))
    if not found:
        return DeclaredVersion(path, None, "no version := ...")
    value = sorted(found)[0][1]  # ThisBuild / version first
    string = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', value)
    if string is None:
        return elsewhere(path, f"the version is computed (version := {shown(value)})")
    return literal(path, string.group(1))


def _property_lines(text: str) -> list[str]:
    """Logical lines of a Java properties file: comments dropped, continuations joined."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.lstrip()
        if not pending and (not line or line.startswith(("#", "!"))):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending += line[:-1]
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def properties_version(path: str, text: str) -> DeclaredVersion:
    """``version=1.2.3`` in ``gradle.properties`` (Java properties: ``=``, ``:`` or a space)."""
    for line in _property_lines(text):
        m = re.match(r"((?:[^\\=:\s]|\\.)+)\s*(?:[=:]\s*|\s+|$)(.*)$", line)
        if m is not None and m.group(1) == "version":
            return literal(path, re.sub(r"\\(.)", r"\1", m.group(2)))
    return DeclaredVersion(path, None, "no version= property")
