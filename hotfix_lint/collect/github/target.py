"""Which repository to read, from which API, with which token: the remote URL parsed, the
token found in the environment (as gh does), the command line's request resolved. No
request is made here."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.graphql import RepoAnswer


#: github.com's REST API (a request names another for GitHub Enterprise Server)
DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
ENTERPRISE_TOKEN_VARIABLES = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


def discover_token(
    environ: Mapping[str, str] | None = None, *, variable: str | None = None, host: str | None = None
) -> str | None:
    """The token from ``variable`` if named, else GITHUB_TOKEN or GH_TOKEN (for an Enterprise
    ``host``, GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN first, as gh does); None if unset."""
    env = os.environ if environ is None else environ
    names = (variable,) if variable else token_variables(host)
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def token_variables(host: str | None) -> tuple[str, ...]:
    """The variables that may hold a token for ``host``: Enterprise ones first off github.com."""
    if host and not is_github_com(host):
        return ENTERPRISE_TOKEN_VARIABLES + TOKEN_VARIABLES
    return TOKEN_VARIABLES


@dataclass(frozen=True)
class RemoteRepository:
    """owner/name on a GitHub host, parsed from a remote URL (credentials dropped)."""

    host: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def api_url(self) -> str | None:
        """The REST base URL; None for github.com (PyGithub's default)."""
        if is_github_com(self.host):
            return None
        if self.host.endswith(".ghe.com"):  # GitHub Enterprise Cloud with data residency
            return f"https://api.{self.host}"
        return f"https://{self.host}/api/v3"


def is_github_cloud(host: str) -> bool:
    """github.com, or GitHub Enterprise Cloud with data residency (``*.ghe.com``)."""
    return is_github_com(host) or host.lower().endswith(".ghe.com")


def is_github_com(host: str) -> bool:
    return host.lower() in ("github.com", "www.github.com", "ssh.github.com", "api.github.com")


_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?!//)(?P<path>[^\\].*)$")


def parse_remote_url(url: str) -> RemoteRepository | None:
    """owner/name from ``https://host/owner/name(.git)``, ``ssh://git@host[:port]/owner/name.git``,
    ``git@host:owner/name.git`` or ``git://host/owner/name.git``; None when it is not one."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    segments = [s for s in path.strip("/").split("/") if s]
    if len(segments) != 2:
        return None
    owner, name = segments
    name = name.removesuffix(".git")
    if not owner or not name:
        return None
    host = host.lower()
    if is_github_com(host):
        host = "github.com"
    return RemoteRepository(host=host, owner=owner, name=name)


@dataclass(frozen=True)
class GitHubRequest:
    """GitHub access as the user configured it: ``--github``, ``--github-url``, ``--token-env``.

    Each may be None: the repository then comes from the ``origin`` remote, the API URL from
    the remote's host (github.com, or ``https://HOST/api/v3`` for GitHub Enterprise Server),
    and the token from GITHUB_TOKEN / GH_TOKEN (see :func:`discover_token`).
    """

    repository: str | None = None
    api_url: str | None = None
    token_env: str | None = None
    #: the audit's answers of earlier runs, for conditional requests, and its request counter
    etags: HttpCache | None = field(default=None, repr=False, compare=False)
    meter: ApiMeter | None = field(default=None, repr=False, compare=False)
    #: clients kept from one repository to the next (the audit's)
    clients: ClientPool | None = field(default=None, repr=False, compare=False)
    #: the run's time for GitHub and the rate limit that stopped it (``--github-timeout``)
    budget: GitHubBudget | None = field(default=None, repr=False, compare=False)
    #: GraphQL's answers read for many repositories at once (``collect.github.graphql``), by
    #: lower-case full name: a repository found there is not read through REST when they cover it
    graphql: Mapping[str, RepoAnswer] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class GitHubTarget:
    """A repository to read, the API to read it from, and the token (kept out of ``repr``)."""

    repository: str
    api_url: str | None
    token: str = field(repr=False)
    #: where the repository name came from, for the report: "--github" or "the origin remote"
    source: str = "--github"


def resolve_target(
    request: GitHubRequest, origin_url: str | None, environ: Mapping[str, str] | None = None
) -> GitHubTarget | str:
    """The repository, API URL and token to use, or why GitHub is not configured (a sentence
    for the report; it never contains the token)."""
    remote = parse_remote_url(origin_url) if origin_url else None
    api_url = request.api_url
    if remote is not None and api_url is None and not is_github_cloud(remote.host):
        # any host's owner/name parses; the token goes to a host only when the user names its API
        if request.repository is None:
            return (
                f"no GitHub repository (the origin remote is on {remote.host}, not github.com: for GitHub "
                f"Enterprise Server give --github-url https://{remote.host}/api/v3)"
            )
        remote = None
    repository = request.repository
    source = "--github"
    if repository is None:
        if remote is None:
            where = "the origin remote is not a GitHub URL" if origin_url else "there is no origin remote"
            return f"no GitHub repository ({where}; name one with --github OWNER/NAME)"
        repository, source = remote.full_name, "the origin remote"
    if api_url is None and remote is not None and remote.full_name.lower() == repository.lower():
        api_url = remote.api_url
    host = urlsplit(api_url).hostname if api_url else (remote.host if remote is not None else None)
    token = discover_token(environ, variable=request.token_env, host=host)
    if token is None:
        if request.token_env:
            return f"no GitHub token (the variable {request.token_env} named by --token-env is not set)"
        names = token_variables(host)
        return f"no GitHub token (set {' or '.join(names)}, or name the variable with --token-env)"
    return GitHubTarget(repository=repository, api_url=api_url, token=token, source=source)
