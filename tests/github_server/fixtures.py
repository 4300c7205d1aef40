"""Pytest fixtures for the loopback GitHub; ``tests/conftest.py`` imports them.

``github_server`` is a started :class:`GitHubServer` with an empty state: fill
``github_server.state`` with the builders, give ``github_server.url`` to the code under test,
assert on ``github_server.requests``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import GitHubServer, serve_github


@pytest.fixture
def github_server() -> Iterator[GitHubServer]:
    with serve_github() as server:
        yield server


@pytest.fixture
def github_enterprise_server() -> Iterator[GitHubServer]:
    """The same server under ``/api/v3``, as GitHub Enterprise Server answers."""
    with serve_github(prefix="/api/v3") as server:
        yield server
