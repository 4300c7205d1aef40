"""Version files as build tools write them, read with each format's parser.

Each case is a file as a real project writes it; ``version`` is the literal it declares, and
``elsewhere`` whether a missing version is "not a literal here" (could not check) rather than
"no version".
"""

from __future__ import annotations

import pytest

from hotfix_lint.facts.version_files import MAX_VERSION_FILE_BYTES, declared_version

POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Licensed to the Apache Software Foundation -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.0</version>
  </parent>
  <artifactId>svc</artifactId>
  {version}
  <properties>
    <revision>1.4.2</revision>
    <java.version>17</java.version>
  </properties>
  <dependencies>
    <dependency><groupId>x</groupId><artifactId>y</artifactId><version>9.9.9</version></dependency>
  </dependencies>
</project>
"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<project><version>&lol2;</version></project>
"""

CASES = [
    # Maven: the project's own version, not the parent's, not a dependency's
    ("pom.xml", POM.format(version="<version>1.4.1</version>"), "1.4.1", False),
    ("pom.xml", POM.format(version="<version>${revision}</version>"), "1.4.2", False),
    ("pom.xml", POM.format(version="<version>${revision}</version>").replace("<revision>1.4.2</revision>", ""),
     None, True),
    ("pom.xml", POM.format(version=""), None, True),  # inherits the parent's
    ("pom.xml", "<project><modelVersion>4.0.0</modelVersion><version>2.0.0</version></project>", "2.0.0", False),
    ("pom.xml", "<project><version>1.0</version>", None, False),  # not well-formed
    ("pom.xml", BOMB, None, False),  # refused unread
    # sbt
    ("version.sbt", 'version := "1.2.3"\n', "1.2.3", False),
    ("version.sbt", 'ThisBuild / version := "1.2.4-SNAPSHOT"\n', "1.2.4-SNAPSHOT", False),
    ("version.sbt", 'version in ThisBuild := "0.9.1"\n', "0.9.1", False),
    ("version.sbt", '// version := "0.0.1"\n/* version :=\n "0.0.2" */\nThisBuild / version := "3.1.0"\n', "3.1.0",
     False),
    ("build.sbt", 'core / version := "7.0.0"\nThisBuild / version := "2.2.2"\n', "2.2.2", False),
    ("version.sbt", "ThisBuild / version := dynverGitDescribeOutput.value.version\n", None, True),
    # npm
    ("package.json", '{"name": "x", "version": "1.0.7", "dependencies": {"a": "1.0.0"}}', "1.0.7", False),
    ("package.json", "{not json", None, False),
    # Python
    ("pyproject.toml", '[project]\nname = "x"\nversion = "0.3.1"\n', "0.3.1", False),
    ("pyproject.toml", "[project]\nname = 'x'\n# version = \"9.9.9\"\nversion = '0.3.2'  # bumped\n", "0.3.2", False),
    ("pyproject.toml", '[tool.poetry]\nname = "x"\nversion = "5.0.2"\n', "5.0.2", False),
    ("pyproject.toml", '[project]\nname = "x"\ndynamic = ["version"]\n[tool.x]\nversion = "9"\n', None, True),
    ("pyproject.toml", '[tool.poetry]\nversion = "0.0.0"\n[tool.poetry-dynamic-versioning]\nenabled = true\n',
     None, True),
    ("pyproject.toml", '[project\nversion = "1"\n', None, False),
    ("setup.cfg", "[metadata]\nname = x\nversion = 1.4.0\n", "1.4.0", False),
    ("setup.cfg", "[metadata]\nversion = attr: x.__version__\n", None, True),
    ("setup.cfg", "[options]\npackages = find:\n", None, False),
    ("setup.py", 'setup(\n    name="x",\n    version="1.2.3",\n)\n', "1.2.3", False),
    ("setup.py", "setup(name='x', version='2.0.0')", "2.0.0", False),
    ("setup.py", 'VERSION = "2.1.0"\nsetuptools.setup(name="x", version=VERSION)\n', "2.1.0", False),
    ("setup.py", 'setup(name="x", version=read("x/__init__.py"))\n', None, True),
    ("setup.py", 'print "py2"\nsetup(name="x", version="0.1.1")\n', "0.1.1", False),
    ("pkg/__init__.py", '"""Doc."""\n__version__: str = "3.3.3"\n', "3.3.3", False),
    ("pkg/__init__.py", 'try:\n    __version__ = "4.0.1"\nexcept ImportError:\n    pass\n', "4.0.1", False),
    ("pkg/__init__.py", 'from importlib.metadata import version\n__version__ = version("pkg")\n', None, True),
    ("pkg/__init__.py", "from ._version import __version__\n", None, True),
    ("pkg/__init__.py", "X = 1\n", None, False),
    # Rust
    ("Cargo.toml", '[package]\nname = "x"\nversion = "0.8.3"\n\n[dependencies]\nserde = "1.0.1"\n', "0.8.3", False),
    ("Cargo.toml", '[package]\nname = "x"\nversion.workspace = true\n', None, True),
    ("Cargo.toml", '[workspace]\nmembers = ["a"]\n[workspace.package]\nversion = "1.1.0"\n', "1.1.0", False),
    # Gradle
    ("gradle.properties", "# the release\norg.gradle.jvmargs=-Xmx2g\nversion=2.5.1\n", "2.5.1", False),
    ("gradle.properties", "group : org.x\nversion : 2.5.2\n", "2.5.2", False),
    ("gradle.properties", "versionCode=12\n", None, False),
    # plain
    ("VERSION", "\n1.9.9\n", "1.9.9", False),
    ("VERSION", "", None, False),
    ("git-flow-version", "#!/bin/sh\n# git-flow\n\nGITFLOW_VERSION=0.4.1\n\nusage() {\n}\n", "0.4.1", False),
    ("Makefile", "# build\nexport APP_VERSION ?= \"2.0.1\"\nall:\n", "2.0.1", False),
    ("VERSION", "release-5\nVERSION=1.0.0\n", "release-5", False),
]


@pytest.mark.parametrize(("path", "text", "version", "is_elsewhere"), CASES)
def test_declared_version(path: str, text: str, version: str | None, is_elsewhere: bool) -> None:
    declared = declared_version(path, text)
    assert (declared.version, declared.elsewhere) == (version, is_elsewhere), declared.reason


def test_reasons_say_what_the_file_says() -> None:
    revision = declared_version("pom.xml", POM.format(version="<version>${sha1}</version>"))
    assert "${sha1}" in revision.reason and "outside the pom" in revision.reason
    assert "3.2.0" in declared_version("pom.xml", POM.format(version="")).reason
    assert "DOCTYPE" in declared_version("pom.xml", BOMB).reason
    assert "dynamic" in declared_version("pyproject.toml", '[project]\ndynamic = ["version"]\n').reason
    assert "attr: x.__version__" in declared_version("setup.cfg", "[metadata]\nversion = attr: x.__version__\n").reason
    assert 'version("pkg")' in declared_version("a/__init__.py", '__version__ = version("pkg")\n').reason


def test_a_file_over_the_bound_is_not_parsed() -> None:
    big = '{"version": "1.0.0", "pad": "' + "x" * MAX_VERSION_FILE_BYTES + '"}'
    declared = declared_version("package.json", big)
    assert declared.version is None and declared.elsewhere and "MiB" in declared.reason


@pytest.mark.parametrize(
    ("path", "version", "release"),
    [
        # a numeric -N after the release is its revision where the build tool orders it after the release
        ("version.sbt", "3.1.3-1", "3.1.3"),
        ("version.sbt", "3.1.0-RC1-1", "3.1.0-RC1"),
        ("version.sbt", "4.0.0-1-SNAPSHOT", "4.0.0-1-SNAPSHOT"),
        ("version.sbt", "3.2.1+1", "3.2.1"),
        ("gradle.properties", "2.5.1-2", "2.5.1"),
        ("setup.cfg", "1.4.0-1", "1.4.0"),
        ("version.sbt", "1.2.4-SNAPSHOT", "1.2.4-SNAPSHOT"),
        # SemVer and plain files: -N is a pre-release, not the release; +build is still no other release
        ("package.json", "1.0.1-0", "1.0.1-0"),
        ("Cargo.toml", "0.8.3-1", "0.8.3-1"),
        ("VERSION", "1.9.9-1", "1.9.9-1"),
        ("package.json", "1.0.1+sha.5114f85", "1.0.1"),
    ],
)
def test_release_without_a_packaging_revision(path: str, version: str, release: str) -> None:
    files = {
        "version.sbt": f'ThisBuild / version := "{version}"\n',
        "gradle.properties": f"version={version}\n",
        "setup.cfg": f"[metadata]\nversion = {version}\n",
        "package.json": f'{{"version": "{version}"}}',
        "Cargo.toml": f'[package]\nname = "x"\nversion = "{version}"\n',
        "VERSION": f"{version}\n",
    }
    declared = declared_version(path, files[path])
    assert (declared.version, declared.release) == (version, release)
