"""The three seed processes acted out step by step, with a knob to skip or botch each step.

Each builder takes ``wrong``: ``None`` for the process followed exactly, or the name of one
step done wrong (see each builder's ``STEPS``). The pack tests expect zero findings for the
first and exactly the matching rule for each of the others.
"""

from __future__ import annotations

import datetime as dt

from scenario import BOT_IDENTITY, Scenario, add_changelog_section, changelog_section

NOW = "2025-03-01"
UTC = dt.timezone.utc

CI_WORKFLOW = """\
name: ci-cd
on:
  push:
    branches: [{branches}]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
      - run: pip install -e '.[test]'
      - run: {test}
"""


def _changelog(versions: list[tuple[str, str, str]]) -> str:
    text = "# Changelog\n\nThe format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n"
    for version, date, entry in versions:
        text += changelog_section(version, date, [entry])
    return text


# -- seed 000: gitflow -------------------------------------------------------------------------

GITFLOW_STEPS = {
    "branch-from-develop": "hotfix-base",
    "branch-name": "branch-name",
    "commit-without-ticket": "ticket-reference",
    "commit-subject": "ticket-reference",
    "no-ci-on-hotfix-push": "ci-trigger",
    "no-ci-on-main-push": "ci-trigger",
    "ci-without-tests": "ci-trigger",
    "squash-merge": "merge-commit",
    "fast-forward": "merge-commit",
    "no-changelog": "changelog-entry",
    "changelog-without-ticket": "changelog-entry",
    "no-version-bump": "version-bump",
    "version-files-disagree": "version-bump",
    "no-tag": "release-tag",
    "lightweight-tag": "release-tag",
    "tag-message": "release-tag",
    "tag-before-merge": "release-tag",
    "no-back-merge": "back-merge",
    "release-branch-left-out": "back-merge",
}


def build_gitflow_process(s: Scenario, wrong: str | None = None) -> Scenario:
    """Seed 000 (IBM-Jazz, GitHub Actions), acted out for hotfix 1.2.1."""
    assert wrong is None or wrong in GITFLOW_STEPS, wrong
    hotfix_branches = "main, 'hotfix-*'"
    if wrong == "no-ci-on-hotfix-push":
        hotfix_branches = "main, 'feature/**'"
    elif wrong == "no-ci-on-main-push":
        hotfix_branches = "'hotfix-*'"
    test = "echo 'lint only'" if wrong == "ci-without-tests" else "pytest"
    s.commit(
        "Initial commit",
        {
            "README.md": "# Service\n",
            "CHANGELOG.md": _changelog([]),
            ".gitattributes": "CHANGELOG.md merge=union\n",
            "setup.py": 'from setuptools import setup\n\nsetup(name="service", version="1.1.0")\n',
            "service/__init__.py": '__version__ = "1.1.0"\n',
            "service/data.py": "def process(rows):\n    return rows\n",
            ".github/workflows/ci-cd.yml": CI_WORKFLOW.format(branches=hotfix_branches, test=test),
        },
    )
    s.branch("develop", checkout=True)
    s.branch("feature/search", checkout=True)
    s.commit("Add search", {"service/search.py": "def search():\n    return []\n"})
    s.checkout("develop")
    s.merge("feature/search")
    # a regular release 1.2.0: release/1.2 from develop, into main, tagged, back into develop
    s.branch("release/1.2", checkout=True)
    s.commit(
        "Release 1.2.0",
        {
            "CHANGELOG.md": _changelog([("1.2.0", "2025-01-02", "Search (IBM-Jazz-1000)")]),
            "setup.py": 'from setuptools import setup\n\nsetup(name="service", version="1.2.0")\n',
            "service/__init__.py": '__version__ = "1.2.0"\n',
        },
    )
    s.checkout("main")
    s.merge("release/1.2")
    s.tag("v1.2.0", message="Release 1.2.0")
    s.checkout("develop")
    s.merge("release/1.2")
    # the next release is being prepared while the hotfix happens
    s.branch("feature/export", checkout=True)
    s.commit("Add export", {"service/export.py": "def export():\n    return None\n"})
    s.checkout("develop")
    s.merge("feature/export")
    s.branch("release/1.3", checkout=True)
    s.commit("Prepare 1.3.0", {"docs/1.3.md": "notes\n"})
    # 2. create the hotfix branch from main
    branch = "hotfix/1.2.1" if wrong == "branch-name" else "hotfix-v1.2.1"
    s.checkout("main")
    s.branch(branch, "develop" if wrong == "branch-from-develop" else "main", checkout=True)
    # 3. implement the fix and commit it with the ticket
    subject = "Fix: Description of the fix (IBM-Jazz-1234)"
    if wrong == "commit-without-ticket":
        subject = "Fix: Description of the fix"
    elif wrong == "commit-subject":
        subject = "fixed data processing in edge cases (IBM-Jazz-1234)"
    fix = s.commit(subject, {"service/data.py": "def process(rows):\n    return [r for r in rows if r]\n"})
    if wrong == "tag-before-merge":
        s.tag("v1.2.1", message="Hotfix 1.2.1")
    # 9. merge into main with --no-ff
    s.checkout("main")
    if wrong == "squash-merge":
        s.squash(branch, "Fix: Description of the fix (IBM-Jazz-1234) (#7)")
    elif wrong == "fast-forward":
        s.merge_ff(branch)
    else:
        s.marks["merge"] = s.merge(branch)
    # 11./12. CI updates the changelog and bumps the version on main
    files: dict[str, str | bytes | None] = {}
    if wrong != "no-changelog":
        entry = "Fixed issue with data processing in edge cases"
        if wrong != "changelog-without-ticket":
            entry += " (IBM-Jazz-1234)"
        files["CHANGELOG.md"] = add_changelog_section(
            s.read("CHANGELOG.md"), changelog_section("1.2.1", "2025-01-05", [entry])
        )
    if wrong != "no-version-bump":
        files["setup.py"] = 'from setuptools import setup\n\nsetup(name="service", version="1.2.1")\n'
        if wrong != "version-files-disagree":
            files["service/__init__.py"] = '__version__ = "1.2.1"\n'
    if files:
        s.commit("chore(release): 1.2.1", files, author=BOT_IDENTITY)
    # 13. CI creates the annotated tag
    if wrong == "lightweight-tag":
        s.tag("v1.2.1", annotated=False)
    elif wrong == "tag-message":
        s.tag("v1.2.1", message="v1.2.1")
    elif wrong not in ("no-tag", "tag-before-merge"):
        s.tag("v1.2.1", message="Hotfix 1.2.1")
    # 18. merge main into develop (and into the open release branch: git-flow)
    if wrong != "no-back-merge":
        s.checkout("develop")
        s.merge("main")
    if wrong != "release-branch-left-out":
        s.checkout("release/1.3")
        s.merge("main")
    s.checkout("main")
    s.marks["fix"] = fix
    return s


# -- seed 001: main and development ------------------------------------------------------------

MAIN_DEVELOPMENT_STEPS = {
    "branch-from-development": "hotfix-base",
    "branch-name": "branch-name",
    "large-change": "minimal-change",
    "squash-into-main": "merge-commit",
    "rebase-into-main": "merge-commit",
    "no-merge-into-development": "back-merge",
    "squash-into-development": "back-merge",
    "rebase-into-development": "back-merge",
    "branch-not-deleted": "stale-branch",
    "remote-branch-not-deleted": "stale-branch",
}


def build_main_development_process(s: Scenario, wrong: str | None = None) -> Scenario:
    """Seed 001 (CompactConnect): hotfix/fix-authentication-timeout."""
    assert wrong is None or wrong in MAIN_DEVELOPMENT_STEPS, wrong
    s.commit("Initial commit", {"README.md": "# CompactConnect\n", "auth/session.py": "TIMEOUT = 5\n"})
    s.branch("development", checkout=True)
    s.branch("feature/licensing", checkout=True)
    s.commit("Add licensing", {"licensing/api.py": "def get():\n    return {}\n"})
    s.checkout("development")
    s.pr_merge(3, "csg", "feature/licensing", title="Add licensing")
    s.checkout("main")
    s.pr_merge(4, "csg", "development", title="Sprint 1 release")
    s.checkout("development")
    s.commit("Start sprint 2 work", {"licensing/more.py": "X = 1\n"})
    # 1. create the hotfix branch from main
    branch = "fix-authentication-timeout" if wrong == "branch-name" else "hotfix/fix-authentication-timeout"
    s.checkout("main")
    s.branch(branch, "development" if wrong == "branch-from-development" else "main", checkout=True)
    # 2. implement the fix: minimal changes
    files: dict[str, str | bytes | None] = {"auth/session.py": "TIMEOUT = 30\n"}
    if wrong == "large-change":
        files.update({f"auth/refactor_{n}.py": "".join(f"LINE_{i} = {i}\n" for i in range(30)) for n in range(12)})
    tip = s.commit("Fix authentication timeout", files)
    # 3. pull request into main, merged with a merge commit
    s.checkout("main")
    if wrong == "squash-into-main":
        s.squash(branch, "Fix authentication timeout (#12)", committer="GitHub <noreply@github.com>")
    elif wrong == "rebase-into-main":
        s.rebase_merge(branch, committer="GitHub <noreply@github.com>")
    else:
        s.pr_merge(12, "csg", branch, title="Fix authentication timeout")
    # 5. pull request of the same hotfix branch into development, merged with a merge commit
    s.checkout("development")
    if wrong == "squash-into-development":
        s.squash(branch, "Fix authentication timeout (#13)", committer="GitHub <noreply@github.com>")
    elif wrong == "rebase-into-development":
        s.rebase_merge(branch, committer="GitHub <noreply@github.com>")
    elif wrong != "no-merge-into-development":
        s.pr_merge(13, "csg", branch, title="Fix authentication timeout")
    # 6. delete the hotfix branch, local and remote
    s.checkout("main")
    if wrong == "remote-branch-not-deleted":
        s.update_ref(f"refs/remotes/origin/{branch}", tip)
    if wrong != "branch-not-deleted" and wrong != "no-merge-into-development":
        s.delete_branch(branch)
    s.marks["tip"] = tip
    return s


# -- seed 002: promotion branches --------------------------------------------------------------

PROD_HOTFIX_STEPS = {
    "work-branch-from-develop": "hotfix-base",
    "work-branch-name": "branch-name",
    "work-branch-named-like-promotion": "promotion-branch",
    "promotion-branch-without-date": "promotion-branch",
    "promotion-branch-impossible-date": "promotion-branch",
    "change-on-promotion-branch": "merge-commit",
    "squash-into-promotion": "merge-commit",
    "develop-merged-into-promotion": "promotion-branch",
    "no-merge-into-develop": "back-merge",
    "second-promotion-from-main": "promotion-chain",
    "second-work-branch-from-main": "hotfix-base",
}


def build_prod_hotfix_process(s: Scenario, wrong: str | None = None) -> Scenario:
    """Seed 002 (gaia-gateway): two hotfixes in one cycle, each on its own promotion branch."""
    assert wrong is None or wrong in PROD_HOTFIX_STEPS, wrong
    s.commit("Initial commit", {"README.md": "# gateway\n", "gateway/login.py": "TIMEOUT = 5\n"})
    s.branch("develop", checkout=True)
    s.branch("feature/routing", checkout=True)
    s.commit("Add routing", {"gateway/routing.py": "ROUTES = []\n"})
    s.checkout("develop")
    s.pr_merge(1, "openai", "feature/routing", title="Add routing")
    s.branch("release/2025.1", checkout=True)
    s.commit("Release 2025.1", {"RELEASE": "2025.1\n"})
    s.checkout("main")
    s.merge("release/2025.1")
    s.checkout("develop")
    s.merge("release/2025.1")
    s.commit("Work in progress", {"gateway/wip.py": "WIP = True\n"})  # not suitable for production
    s.clock.set(dt.datetime(2025, 1, 10, 9, tzinfo=UTC))
    # first hotfix: 1. work branch from the last deployed main; 2. promotion branch from it
    work = {
        "work-branch-named-like-promotion": "prod/hotfix/2025-01-10_login-work",
        "work-branch-name": "Fix_Login",
    }.get(wrong or "", "hotfix/fix-login")
    promo = "prod/hotfix/2025-01-10_fix-login"
    if wrong == "promotion-branch-without-date":
        promo = "prod/hotfix/fix-login"
    elif wrong == "promotion-branch-impossible-date":
        promo = "prod/hotfix/2025-02-30_fix-login"
    s.branch(work, "develop" if wrong == "work-branch-from-develop" else "main")
    s.branch(promo, "main")
    # 3. changes on the work branch
    s.checkout(work)
    fix = s.commit("Fix login timeout", {"gateway/login.py": "TIMEOUT = 30\n"})
    # 5./6. pull request into the promotion branch, completed with a merge commit
    s.checkout(promo)
    if wrong == "squash-into-promotion":
        s.squash(work, "Fix login timeout (#21)", committer="GitHub <noreply@github.com>")
    else:
        s.pr_merge(21, "openai", work, title="Fix login timeout")
    if wrong == "develop-merged-into-promotion":
        s.merge("develop")
    if wrong == "change-on-promotion-branch":
        s.commit("Also raise the retry count", {"gateway/retry.py": "RETRIES = 3\n"})
    if wrong == "work-branch-named-like-promotion":
        s.delete_branch(work)  # GitHub deletes the head branch of a merged pull request
    # 9. the same hotfix into the default branch, so the next release keeps it
    s.checkout("develop")
    if wrong != "no-merge-into-develop":
        s.pr_merge(22, "openai", work if wrong != "work-branch-named-like-promotion" else promo, title="Fix login")
    # second hotfix in the same cycle: cut from the last deployed branch, the first promotion branch
    s.clock.set(dt.datetime(2025, 1, 12, 9, tzinfo=UTC))
    promo2 = "prod/hotfix/2025-01-12_fix-export"
    s.branch(promo2, "main" if wrong == "second-promotion-from-main" else promo)
    work2_base = "main" if wrong in ("second-work-branch-from-main", "second-promotion-from-main") else promo
    s.branch("hotfix/fix-export", work2_base, checkout=True)
    s.commit("Fix export encoding", {"gateway/export.py": "ENCODING = 'utf-8'\n"})
    s.checkout(promo2)
    s.pr_merge(23, "openai", "hotfix/fix-export", title="Fix export encoding")
    if wrong != "no-merge-into-develop":  # (it carries the first fix: skip both back-merges)
        s.checkout("develop")
        s.pr_merge(24, "openai", "hotfix/fix-export", title="Fix export encoding")
    s.checkout("main")
    s.marks["fix"] = fix
    return s
