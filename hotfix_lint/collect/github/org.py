"""What the audit reads from GitHub besides the rules' facts: repositories and policy files.

An organisation's repositories (``GET /orgs/{org}/repos``, every page), one repository
(``GET /repos/{owner}/{name}``) and the repository's own policy file at the root of its
default branch (the root listing, then the file). Every request is a conditional one when an
:class:`~hotfix_lint.collect.github.conditional.HttpCache` is given, and goes through the same
bounded retry loop as the rules' GitHub facts; a request that fails raises
:class:`GitHubReadError` with a reason that never holds the token.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hotfix_lint.collect.github.clients import ClientPool
from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
from hotfix_lint.collect.github.deadline import GitHubBudget
from hotfix_lint.collect.github.session import (
    TIMEOUT,
    RequestFailed,
    RetryPolicy,
    open_session,
)

#: owner and repository names as GitHub allows them (and nothing a path could escape with)
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class GitHubReadError(Exception):
    """A read the audit needs failed; the message says why (never with the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RepositoryInfo:
    """A repository as a listing describes it: enough to decide whether and how to audit it."""

    full_name: str
    clone_url: str
    default_branch: str
    archived: bool
    pushed_at: str | None
    private: bool = False


def valid_full_name(full_name: str) -> bool:
    """``owner/name`` with GitHub's characters only, neither part ``.`` or ``..``."""
    owner, sep, name = full_name.partition("/")
    return bool(sep) and all(NAME.match(p) and p not in (".", "..") for p in (owner, name))


def _info(data: Any) -> RepositoryInfo:
    if not isinstance(data, dict) or not isinstance(data.get("full_name"), str):
        raise GitHubReadError("GitHub answered a repository without a full_name")
    full_name = str(data["full_name"])
    if not valid_full_name(full_name):
        raise GitHubReadError(f"GitHub answered an unexpected repository name {full_name!r}")
    pushed = data.get("pushed_at")
    return RepositoryInfo(
        full_name=full_name,
        clone_url=str(data.get("clone_url") or ""),
        default_branch=str(data.get("default_branch") or "main"),
        archived=bool(data.get("archived")),
        pushed_at=str(pushed) if pushed else None,
        private=bool(data.get("private")),
    )


class GitHubReader:
    """One PyGithub client for the audit's own reads (``clients``: the thread's, kept open);
    ``close()`` when done."""

    def __init__(
        self,
        api_url: str | None,
        token: str | None,
        *,
        store: HttpCache | None = None,
        meter: ApiMeter | None = None,
        retry: RetryPolicy | None = None,
        timeout: int = TIMEOUT,
        page_size: int = 100,
        clients: ClientPool | None = None,
        budget: GitHubBudget | None = None,
    ) -> None:
        try:  # collect_github's user agent: the thread's pooled client is shared
            self.session = open_session(
                api_url,
                token,
                page_size=page_size,
                timeout=timeout,
                etags=store,
                meter=meter,
                clients=clients,
                budget=budget,
                retry=retry,
            )
        except ValueError as exc:
            raise GitHubReadError(str(exc)) from None
        self.page_size = max(1, min(100, page_size))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> GitHubReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, url: str, parameters: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        try:
            return self.session.get(url, parameters)
        except RequestFailed as failure:
            raise GitHubReadError(failure.reason, failure.status) from None

    def organisation_repositories(self, org: str) -> list[RepositoryInfo]:
        """Every repository of ``org`` (all pages), as GitHub lists them."""
        if not NAME.match(org):
            raise GitHubReadError(f"not an organisation name: {org!r}")
        found: list[RepositoryInfo] = []
        url: str | None = f"/orgs/{org}/repos"
        parameters: dict[str, Any] | None = {"type": "all", "per_page": self.page_size}
        while url is not None:
            try:
                headers, data = self._get(url, parameters)
            except GitHubReadError as exc:
                if exc.status == 404:
                    raise GitHubReadError(f"organisation {org!r} not found, or hidden from this token", 404) from None
                raise
            if not isinstance(data, list):
                raise GitHubReadError(f"GitHub answered the repositories of {org!r} with something else than a list")
            found.extend(_info(item) for item in data)
            url = _next_link(str(headers.get("link", "")))
            parameters = None  # the next link carries them
        return found

    def repository(self, full_name: str) -> RepositoryInfo:
        """One repository; a 404 says it is missing or hidden from this token."""
        if not valid_full_name(full_name):
            raise GitHubReadError(f"not a repository name: {full_name!r}")
        try:
            _, data = self._get(f"/repos/{full_name}")
        except GitHubReadError as exc:
            if exc.status == 404:
                raise GitHubReadError(f"repository {full_name} not found, or hidden from this token", 404) from None
            raise
        return _info(data)

    def root_file(self, full_name: str, names: Sequence[str], ref: str | None = None) -> tuple[str, str] | None:
        """The first of ``names`` found at the root of ``ref`` (default branch): (name, text).

        One request for the root listing, one more for the file when there is one.
        """
        query = {"ref": ref} if ref else None
        try:
            _, listing = self._get(f"/repos/{full_name}/contents", query)
        except GitHubReadError as exc:
            if exc.status == 404:  # an empty repository has no root
                return None
            raise
        present = {str(e.get("name")) for e in listing if isinstance(e, dict)} if isinstance(listing, list) else set()
        for name in names:
            if name not in present:
                continue
            _, data = self._get(f"/repos/{full_name}/contents/{quote(name)}", query)
            if not isinstance(data, dict) or data.get("encoding") != "base64":
                raise GitHubReadError(f"GitHub did not answer {name} as a file")
            raw = base64.b64decode(str(data.get("content") or ""))
            return name, raw.decode("utf-8", errors="replace")
        return None


def _next_link(link: str) -> str | None:
    for part in link.split(","):
        target, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return target.strip().strip("<>")
    return None
