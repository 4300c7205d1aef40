"""Bare mirrors of remote repositories in a cache directory, cloned once and fetched after.

The audit reads each repository's history from a mirror it keeps in its own cache: the first
run clones it (bare, with every branch as a local branch and every tag), later runs fetch
what changed and prune what was deleted. This is the only code that talks git over the
network, and it writes only inside the cache directory: a clone goes to a temporary
directory first, so a failed clone leaves nothing behind.

One writer at a time: the caller holds the repository's lock (``audit.locks``) around
:func:`sync_mirror`, so whatever git lock file or scratch clone it finds was left by a process
that was killed mid-fetch or mid-clone, and is removed before it can refuse the update.

Token authentication over HTTPS is GitHub's ``x-access-token:TOKEN``, offered only when the
server asks (HTTP 401) and only to the host the token is meant for. A clone URL comes from
GitHub's answer, which the audit does not trust: only ``https`` on the API's own host (``http``
to a loopback address) is cloned (:func:`refused_clone_url`); ``file://``, ``ssh://``,
``ext::`` (which runs a command) or another host is refused. No URL is printed with the
credentials it may hold (:func:`without_credentials`).

A clone or fetch that breaks in transit (the connection closed or reset, a 5xx answer) is tried
once more after :data:`RETRY_PAUSE`: libgit2 does not reconnect when a server closes a kept-alive
connection under it ("unexpected EOF"), and an audit of a hundred repositories should not
report one as unreadable for a moment's hiccup. A refusal (401, 403, 404, a refused token, a
refused URL) is not retried.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pygit2

#: every branch as a local branch, every tag: the shape the history collector reads
MIRROR_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
#: a clone is made in ``.NAME.git.XXXXXXXX.clone`` beside the mirror, then renamed
_SCRATCH_SUFFIX = ".clone"
TOKEN_USER = "x-access-token"  # noqa: S105 (GitHub's user name for token auth, not a secret)
#: seconds before a clone or fetch that broke in transit is tried the second (and last) time
RETRY_PAUSE = 1.0
#: libgit2's words for a failure in transit, which a second connection may not meet again
_IN_TRANSIT = re.compile(
    r"unexpected EOF|early EOF|connection (?:was )?(?:reset|refused|closed|aborted)|timed out"
    r"|broken pipe|failed to (?:send|receive)|http status code: 5\d\d",
    re.IGNORECASE,
)


class MirrorError(Exception):
    """A clone or fetch failed; the message never holds the token. ``in_transit``: the
    connection broke or the server failed for a moment (see :data:`_IN_TRANSIT`)."""

    def __init__(self, message: str, *, in_transit: bool = False) -> None:
        super().__init__(message)
        self.in_transit = in_transit


@dataclass(frozen=True)
class MirrorSync:
    """What syncing a mirror did: ``cloned``, ``fetched`` (with the objects received)."""

    path: Path
    action: str
    received_objects: int = 0


class _Callbacks(pygit2.RemoteCallbacks):
    """Offers the token once when the server asks for credentials; a second ask is a refusal."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token
        self.asked = 0

    def credentials(self, url: str, username_from_url: str | None, allowed_types: Any) -> Any:
        self.asked += 1
        if not self._token:
            raise MirrorError("the server asks for credentials and no token is set")
        if self.asked > 1:
            raise MirrorError("the server refused the token")
        return pygit2.UserPass(TOKEN_USER, self._token)


def web_host(api_url: str | None) -> str:
    """The host that serves git for an API: github.com for api.github.com, TENANT.ghe.com for
    api.TENANT.ghe.com, the API's own host otherwise (GitHub Enterprise Server's /api/v3)."""
    api_host = (urlsplit(api_url).hostname or "").lower() if api_url else "api.github.com"
    if api_host == "api.github.com":
        return "github.com"
    if api_host.startswith("api.") and api_host.endswith(".ghe.com"):
        return api_host[len("api.") :]
    return api_host


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _on_api_host(clone_url: str, api_url: str | None) -> bool:
    """``https`` (or ``http`` to a loopback address) on the host that serves the API's git."""
    clone = urlsplit(clone_url)
    host = (clone.hostname or "").lower()
    if clone.scheme != "https" and not (clone.scheme == "http" and is_loopback(host)):
        return False
    allowed = web_host(api_url)
    return host == allowed or (allowed == "github.com" and host == "www.github.com")


def token_allowed(clone_url: str, api_url: str | None) -> bool:
    """Send the token only to the API's host (github.com for api.github.com), and over HTTPS,
    or plain HTTP to a loopback address."""
    return _on_api_host(clone_url, api_url)


def refused_clone_url(clone_url: str, api_url: str | None) -> str | None:
    """Why ``clone_url`` (from GitHub's answer) is not cloned, or None: only https on the API's
    host is (http to a loopback address); ``ext::`` and ``file://`` would run commands or read
    this machine's files, another host would receive what it should not."""
    if not clone_url:
        return "GitHub gave no clone URL"
    if _on_api_host(clone_url, api_url):
        return None
    shown = without_credentials(clone_url)
    return f"refused to clone {shown!r}: only https:// URLs on {web_host(api_url)} are cloned"


_USERINFO = re.compile(r"(?<=//)[^/@\s]*@")


def without_credentials(text: str | None) -> str | None:
    """``text`` with the user and password of every URL in it left out."""
    return None if text is None else _USERINFO.sub("", text)


def _redact(text: str, token: str | None) -> str:
    text = without_credentials(text) or ""
    return text.replace(token, "***") if token else text


def _create_remote(repo: pygit2.Repository, name: str, url: str) -> pygit2.Remote:
    repo.remotes.create(name, url, MIRROR_REFSPECS[0])
    for refspec in MIRROR_REFSPECS[1:]:
        repo.remotes.add_fetch(name, refspec)
    return repo.remotes[name]


def _set_head(repo: pygit2.Repository, default_branch: str | None) -> None:
    """HEAD names the default branch (so ``open`` shows where the repository points)."""
    for name in list(repo.references):
        if name.startswith("refs/remotes/"):
            repo.references.delete(name)
    if default_branch and f"refs/heads/{default_branch}" in repo.references:
        repo.set_head(f"refs/heads/{default_branch}")


def _open_mirror(path: Path) -> pygit2.Repository | None:
    """The mirror at ``path``; None when there is none, or it is too damaged to open or has no
    ``origin`` (it is then cloned again)."""
    if not (path / "HEAD").is_file():
        return None
    try:
        repo = pygit2.Repository(str(path))
        repo.remotes["origin"]  # a mirror without its remote is cloned again
    except (pygit2.GitError, KeyError, ValueError):
        return None
    return repo


def _clear_leftovers(path: Path) -> None:
    """Remove what a killed clone or fetch of ``path`` left: git's ``*.lock`` files in the mirror
    (a ref, ``HEAD``, ``config``, ``packed-refs``), which refuse every later update, and scratch
    clones beside it. Only with the repository's lock held: then nobody else is writing."""
    if path.is_dir():
        for lock in [*path.glob("*.lock"), *(path / "refs").rglob("*.lock")]:
            lock.unlink(missing_ok=True)
    scratch_name = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}" + re.escape(_SCRATCH_SUFFIX))
    for scratch in path.parent.iterdir() if path.parent.is_dir() else ():
        if scratch_name.fullmatch(scratch.name) and scratch.is_dir() and not scratch.is_symlink():
            shutil.rmtree(scratch, ignore_errors=True)


def sync_mirror(
    url: str,
    path: Path,
    *,
    token: str | None = None,
    default_branch: str | None = None,
    retry_pause: float = RETRY_PAUSE,
) -> MirrorSync:
    """Clone ``url`` into the bare mirror ``path``, or fetch into it (pruning) when it exists;
    the caller holds the repository's lock (see above). A failure in transit is tried once
    more after ``retry_pause`` seconds."""
    try:
        return _sync_once(url, Path(path), token, default_branch)
    except MirrorError as exc:
        if not exc.in_transit:
            raise
    time.sleep(retry_pause)
    return _sync_once(url, Path(path), token, default_branch)


def _sync_once(url: str, path: Path, token: str | None, default_branch: str | None) -> MirrorSync:
    """One try of :func:`sync_mirror`: what a killed or failed try left is cleared first."""
    callbacks = _Callbacks(token)
    try:
        _clear_leftovers(path)
        existing = _open_mirror(path)
        if existing is not None:
            repo = existing
            remote = repo.remotes["origin"]
            if remote.url != url:
                repo.remotes.set_url("origin", url)
                remote = repo.remotes["origin"]
            stats = remote.fetch(callbacks=callbacks, prune=pygit2.enums.FetchPrune.PRUNE)
            _set_head(repo, default_branch)
            return MirrorSync(path, "fetched", int(stats.received_objects))
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=_SCRATCH_SUFFIX, dir=path.parent))
        try:
            repo = pygit2.clone_repository(url, str(scratch), bare=True, remote=_create_remote, callbacks=callbacks)
            _set_head(repo, default_branch)
            repo.free()
            if path.exists():
                shutil.rmtree(path)
            scratch.rename(path)
        finally:
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)
        return MirrorSync(path, "cloned")
    except MirrorError:
        raise
    except (pygit2.GitError, KeyError, ValueError, OSError) as exc:
        in_transit = isinstance(exc, pygit2.GitError) and _IN_TRANSIT.search(str(exc)) is not None
        raise MirrorError(_redact(f"{type(exc).__name__}: {exc}", token), in_transit=in_transit) from None
