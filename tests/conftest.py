"""Shared fixtures: a factory of throwaway repositories and a compliant git-flow history."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# The package is imported from the checkout when it is not installed; the scenario helpers
# are imported as the top-level module ``scenario``.
for entry in (str(ROOT), str(TESTS)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

pytest.register_assert_rewrite("scenario", "github_check", "audit_org", "hostile", "audit_processes")

from audit_org import org  # noqa: E402, F401
from github_check import gh  # noqa: E402, F401
from github_server.fixtures import github_enterprise_server, github_server  # noqa: E402, F401
from scenario import Scenario, build_gitflow  # noqa: E402

#: what a CI runner sets that ``check`` reads as its CI context (tests that want one set their own)
CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REF",
    "GITHUB_HEAD_REF",
    "GITHUB_BASE_REF",
    "GITHUB_SHA",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
    "GITHUB_STEP_SUMMARY",
)


@pytest.fixture(autouse=True)
def _outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a local run, even when the suite itself runs in CI."""
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scenario(tmp_path: Path) -> Callable[..., Scenario]:
    """A factory: ``scenario()`` makes a new empty repository (default branch main) in tmp_path.

    Keyword arguments go to :meth:`Scenario.init` (``clock=``, ``identity=``, ...); the
    first positional argument names the directory.
    """
    made: list[Path] = []

    def make(name: str = "repo", **kwargs: Any) -> Scenario:
        path = tmp_path / name
        n = 1
        while path in made or path.exists():
            n += 1
            path = tmp_path / f"{name}{n}"
        made.append(path)
        kwargs.setdefault("home", tmp_path / ".home")
        return Scenario.init(path, **kwargs)

    return make


@pytest.fixture
def gitflow_repo(scenario: Callable[..., Scenario]) -> Scenario:
    """A compliant git-flow history (see :func:`scenario.build_gitflow`); HEAD on main."""
    return build_gitflow(scenario("gitflow"))
