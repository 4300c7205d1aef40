"""``version-bump``: the version files carry the hotfix's version, one patch up, all agreeing."""

from __future__ import annotations

from collections.abc import Callable

from rule_helpers import check, only
from scenario import BOT_IDENTITY, Scenario, assert_clean, assert_only, describe, violations

from hotfix_lint.facts.version_files import is_patch_increment

RULE = "version-bump"
SETUP = 'from setuptools import setup\n\nsetup(name="svc", version="{v}")\n'
INIT = '__version__ = "{v}"\n'


def project(s: Scenario, version: str = "1.2.0", **extra: str) -> None:
    s.commit(
        "Initial commit", {"setup.py": SETUP.format(v=version), "svc/__init__.py": INIT.format(v=version), **extra}
    )
    s.tag(f"v{version}", message=f"Release {version}")
    s.branch("develop")


def hotfix(
    s: Scenario,
    branch: str = "hotfix-v1.2.1",
    *,
    files: dict[str, str | bytes | None] | None = None,
    after_merge: dict[str, str | bytes | None] | None = None,
    tag: str | None = "v1.2.1",
) -> None:
    s.checkout("main")
    s.branch(branch, checkout=True)
    name = branch.replace("/", "_").replace(".", "_").replace("-", "_")
    s.commit("Fix: crash (T-1)", {f"svc/{name}.py": "FIXED = True\n", **(files or {})})
    s.checkout("main")
    s.merge(branch)
    if after_merge:
        s.commit("chore(release): bump", after_merge, author=BOT_IDENTITY)
    if tag:
        s.tag(tag, message=f"Hotfix {tag[1:]}")


def bumped(v: str = "1.2.1") -> dict[str, str | bytes | None]:
    return {"setup.py": SETUP.format(v=v), "svc/__init__.py": INIT.format(v=v)}


POLICY = only(RULE, hotfix_branch="hotfix-v{version}")
#: the release bot is automation: its commits right after a landing belong to the release
POLICY["rules"]["merge-commit"] = {"severity": "off", "allow_authors": [r"\[bot\]"]}


# -- versions ---------------------------------------------------------------------


def test_patch_increment() -> None:
    assert is_patch_increment("1.2.0", "1.2.1")
    assert not is_patch_increment("1.2.0", "1.2.2")
    assert not is_patch_increment("1.2.0", "1.3.0")
    assert not is_patch_increment("1.2.0", "1.2.0")
    assert is_patch_increment("1.2.1-rc1", "1.2.1")
    assert is_patch_increment("v1.2.0", "1.2.1")
    assert not is_patch_increment("garbage", "1.2.1")
    assert is_patch_increment("0.2", "0.2.1") and is_patch_increment("v1.4", "1.4.1-rc1")
    assert not is_patch_increment("0.2", "0.3") and not is_patch_increment("0.2", "0.2.2")


# -- history -----------------------------------------------------------------------------------


def test_bump_on_the_branch_is_silent(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, files=bumped())
    assert_clean(*check(s, POLICY))


def test_bump_by_automation_after_the_merge_is_silent(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, after_merge=bumped())
    assert_clean(*check(s, POLICY))


def test_bump_by_automation_without_a_tag_counts_until_the_next_merge(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, after_merge=bumped(), tag=None)
    assert_clean(*check(s, POLICY))


def test_not_bumped_fires(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s)
    status, report = check(s, POLICY)
    (v,) = assert_only(report, RULE)
    assert "setup.py says 1.2.0" in v["message"] and "the hotfix is 1.2.1" in v["message"], describe(report)
    assert status == 1


def test_files_disagree_fires(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, files={"setup.py": SETUP.format(v="1.2.1")})
    (v,) = assert_only(check(s, POLICY)[1], RULE)
    assert "svc/__init__.py says 1.2.0" in v["message"] and "setup.py" not in v["message"].split("says")[0]


def test_not_a_patch_increment_fires(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, "hotfix-v1.3.0", files=bumped("1.3.0"), tag="v1.3.0")
    (v,) = assert_only(check(s, POLICY)[1], RULE)
    assert "1.2.0 -> 1.3.0 is not a patch increment" in v["message"]
    assert_clean(*check(s, only(RULE, {"require_patch_increment": False}, hotfix_branch="hotfix-v{version}")))


def test_unknown_version_must_still_move_one_patch(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, "hotfix/crash", files=bumped("1.2.1"), tag=None)
    assert_clean(*check(s, only(RULE)))
    hotfix(s, "hotfix/other", tag=None)  # version still 1.2.1
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert "still 1.2.1" in v["message"] and "hotfix/other" in v["message"]


def test_named_version_files(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s, **{"package.json": '{"name": "svc", "version": "1.2.0"}\n', "VERSION": "1.2.0\n"})
    hotfix(s, files={**bumped(), "package.json": '{"name": "svc", "version": "1.2.1"}\n'})
    policy = only(RULE, hotfix_branch="hotfix-v{version}", version_files=["package.json", "VERSION"])
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "VERSION says 1.2.0" in v["message"] and "package.json" not in v["message"].split(":", 2)[-1]


def test_named_version_file_that_does_not_exist(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s, files=bumped())
    policy = only(RULE, hotfix_branch="hotfix-v{version}", version_files=["setup.py", "src/svc/version.py"])
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "src/svc/version.py does not exist" in v["message"]


def test_dynamic_version_is_skipped(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s, **{"pyproject.toml": '[project]\nname = "svc"\ndynamic = ["version"]\n'})
    hotfix(s, files=bumped())
    assert_clean(*check(s, POLICY))


def test_no_version_file_at_all_cannot_check_once(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "x\n"})
    s.branch("develop")
    hotfix(s, "hotfix-v1.0.1", tag="v1.0.1")
    hotfix(s, "hotfix-v1.0.2", tag="v1.0.2")
    _, report = check(s, POLICY)
    found = violations(report, RULE)
    assert len(found) == 1 and found[0]["kind"] == "could-not-check", describe(report)


def test_branch_under_check(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    s.branch("hotfix-v1.2.1", checkout=True)
    s.commit("Fix: crash (T-1)", {"svc/crash.py": "X = 1\n"})
    s.checkout("main")
    (v,) = assert_only(check(s, POLICY, "--branch", "hotfix-v1.2.1")[1], RULE)
    assert "at the tip of hotfix-v1.2.1" in v["message"] and "commit it on hotfix-v1.2.1" in v["hint"]
    automation = only(RULE, {"automation_after_merge": True}, hotfix_branch="hotfix-v{version}")
    assert_clean(*check(s, automation, "--branch", "hotfix-v1.2.1"))
    s.checkout("hotfix-v1.2.1")
    s.commit("Fix: bump (T-1)", bumped("1.2.5"))
    s.checkout("main")
    (v,) = assert_only(check(s, automation, "--branch", "hotfix-v1.2.1")[1], RULE)
    assert "says 1.2.5" in v["message"]


def test_waiver(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    project(s)
    hotfix(s)
    merge = s.rev("main")
    policy = dict(POLICY, exceptions=[{"rule": RULE, "branch": "hotfix-v1.2.1", "reason": "bumped in 1.2.2"}])
    status, report = check(s, policy)
    assert violations(report) == [] and status == 0, describe(report)
    assert merge


# -- version files as build tools write them ---------------------------------------------------

POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- the service -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.acme</groupId><artifactId>parent</artifactId><version>7.0.0</version></parent>
  <artifactId>svc</artifactId>
  <version>{v}</version>
  <properties><revision>{v}</revision></properties>
</project>
"""


def jvm_files(v: str = "1.2.0", pom: str | None = None) -> dict[str, str | bytes | None]:
    """A Maven pom, sbt and Gradle files and a Cargo manifest at ``v``; ``pom`` is its <version> text."""
    return {
        "pom.xml": POM.format(v=v).replace(f"<version>{v}</version>", f"<version>{pom or v}</version>"),
        "version.sbt": f'ThisBuild / version := "{v}"\n',
        "gradle.properties": f"org.gradle.jvmargs=-Xmx2g\nversion={v}\n",
        "Cargo.toml": f'[package]\nname = "svc"\nversion = "{v}"\n\n[dependencies]\nserde = "1.0.0"\n',
    }


def jvm_project(s: Scenario, **files: str | bytes | None) -> None:
    s.commit("Initial commit", {**jvm_files(), "README.md": "svc\n", **files})
    s.tag("v1.2.0", message="Release 1.2.0")
    s.branch("develop")


def test_build_tool_files_found_and_bumped_are_silent(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    jvm_project(s)
    hotfix(s, files=jvm_files("1.2.1"))
    assert_clean(*check(s, POLICY))


def test_build_tool_file_not_bumped_fires_with_its_own_version(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    jvm_project(s)
    hotfix(s, files={**jvm_files("1.2.1"), "pom.xml": jvm_files("1.2.0")["pom.xml"]})
    (v,) = assert_only(check(s, POLICY)[1], RULE)
    assert "pom.xml says 1.2.0, but the hotfix is 1.2.1" in v["message"], describe(check(s, POLICY)[1])
    assert "7.0.0" not in v["message"] and "<!--" not in v["message"]
    for path in ("version.sbt", "gradle.properties", "Cargo.toml"):
        assert path not in v["message"]


def test_listed_pom_reads_the_projects_version_not_the_parents(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    jvm_project(s)
    policy = only(RULE, hotfix_branch="hotfix-v{version}", version_files=["pom.xml"])
    hotfix(s, files={"pom.xml": jvm_files("1.2.1", pom="${revision}")["pom.xml"]})  # resolved from <properties>
    assert_clean(*check(s, policy))
    hotfix(s, "hotfix-v1.2.2", tag="v1.2.2")
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "pom.xml says 1.2.1, but the hotfix is 1.2.2" in v["message"]


def test_a_version_that_is_not_a_literal_cannot_be_checked(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    jvm_project(s, **{"pom.xml": jvm_files(pom="${sha1}")["pom.xml"], "pyproject.toml": '[project]\nname = "svc"\n'
                      'dynamic = ["version"]\n'})
    hotfix(s, files={"version.sbt": 'ThisBuild / version := "1.2.1"\n'})
    policy = only(RULE, hotfix_branch="hotfix-v{version}", version_files=["pom.xml", "pyproject.toml", "version.sbt"])
    status, report = check(s, policy)
    (v,) = violations(report, RULE)
    assert v["kind"] == "could-not-check" and status == 0, describe(report)
    assert "pom.xml: the version is a property set outside the pom (<version>${sha1}</version>)" in v["message"]
    assert 'pyproject.toml: the version is dynamic (dynamic = ["version"] in [project])' in v["message"]
    hotfix(s, "hotfix-v1.2.2", tag="v1.2.2")  # version.sbt, the one literal, still says 1.2.1
    found = violations(check(s, policy)[1], RULE)
    assert sorted(f["kind"] for f in found) == ["could-not-check", "could-not-check", "violation"], found
    assert any("version.sbt says 1.2.1" in f["message"] for f in found)


def test_a_version_file_over_the_bound_is_not_read(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    pad = "x" * (1024 * 1024)
    project(s, **{"package.json": '{"name": "svc", "version": "1.2.0", "pad": "' + pad + '"}'})
    hotfix(s, files=bumped())
    policy = only(RULE, hotfix_branch="hotfix-v{version}", version_files=["setup.py", "package.json"])
    (v,) = violations(check(s, policy)[1], RULE)
    assert v["kind"] == "could-not-check" and "package.json: not read" in v["message"]
    assert "over the 1 MiB bound" in v["message"]


def test_a_shell_script_version_as_git_flow_writes_it(scenario: Callable[..., Scenario]) -> None:
    """git-flow's own version file is a shell script (GITFLOW_VERSION=0.2); 0.2 -> 0.2.1 is one patch."""
    script = "#!/bin/sh\n# git-flow\n\nGITFLOW_VERSION={v}\n\nusage() {{\n\techo usage\n}}\n"
    s = scenario()
    s.commit("Initial commit", {"git-flow-version": script.format(v="0.2"), "README.md": "x\n"})
    s.tag("0.2", message="Release 0.2")
    s.branch("develop")
    policy = only(RULE, hotfix_branch="hotfix/{version}", tag_pattern="{version}", version_files=["git-flow-version"])
    hotfix(s, "hotfix/0.2.1", files={"git-flow-version": script.format(v="0.2.1")}, tag="0.2.1")
    assert_clean(*check(s, policy))
    hotfix(s, "hotfix/0.2.2", tag="0.2.2")
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "git-flow-version says 0.2.1, but the hotfix is 0.2.2" in v["message"]


SBT = 'ThisBuild / version := "{v}"\n'


def sbt_project(s: Scenario, **files: str) -> Scenario:
    """Release 1.2.0 whose version.sbt says 1.2.0-1, as Cortex writes package revisions."""
    s.commit("Initial commit", {"version.sbt": SBT.format(v="1.2.0-1"), **files})
    s.tag("1.2.0", message="Release 1.2.0")
    s.branch("develop")
    return s


def test_a_packaging_revision_over_the_release_is_that_release(scenario: Callable[..., Scenario]) -> None:
    """sbt's ``3.1.3-1`` (Cortex: revision 1 of release 3.1.3, tagged 3.1.3) is the hotfix's version;
    a revision alone is no bump, and in SemVer's package.json ``-1`` is a pre-release, not the release."""
    s = sbt_project(scenario(), **{"package.json": '{"version": "1.2.0"}'})
    policy = only(RULE, hotfix_branch="hotfix/{version}", tag_pattern="{version}", version_files=["version.sbt"])
    npm_files = {"package.json": '{"version": "1.2.1-1"}'}
    hotfix(s, "hotfix/1.2.1", files={"version.sbt": SBT.format(v="1.2.1-1"), **npm_files}, tag="1.2.1")
    assert_clean(*check(s, policy))
    hotfix(s, "hotfix/1.2.2", files={"version.sbt": SBT.format(v="1.2.1-2")}, tag="1.2.2")  # a new revision only
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "version.sbt says 1.2.1-2, but the hotfix is 1.2.2" in v["message"], v["message"]
    npm = only(RULE, hotfix_branch="hotfix/{version}", tag_pattern="{version}", version_files=["package.json"])
    (v,) = [f for f in violations(check(s, npm)[1], RULE) if "hotfix/1.2.1" in f["message"]]
    assert "package.json says 1.2.1-1, but the hotfix is 1.2.1" in v["message"], v["message"]


def test_a_revision_of_the_same_release_is_not_a_bump(scenario: Callable[..., Scenario]) -> None:
    s = sbt_project(scenario())
    policy = only(RULE, version_files=["version.sbt"])  # no {version} in the branch name: the bump is judged
    hotfix(s, "hotfix/crash", files={"version.sbt": SBT.format(v="1.2.0-2")}, tag=None)
    (v,) = assert_only(check(s, policy)[1], RULE)
    assert "the version is still 1.2.0" in v["message"], v["message"]
    hotfix(s, "hotfix/other", files={"version.sbt": SBT.format(v="1.2.1-1")}, tag=None)
    assert len(violations(check(s, policy)[1], RULE)) == 1
