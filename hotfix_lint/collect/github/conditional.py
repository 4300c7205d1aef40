"""Conditional GitHub requests: an HTTP cache of GitHub's answers, and a meter of requests.

GitHub answers an unchanged resource with 304 Not Modified, and a 304 does not count against
the rate limit; so an audit that runs every day reads unchanged settings for free. An
:class:`HttpCache` names where the answers are kept: CacheControl's ``FileCache`` (a file per
URL, written under a file lock, so the audit's worker processes and threads share it), one
folder per token (an answer is only ever asked again with the token it was given to). A client
made with one (``collect.github.http_session``) asks again with the stored ETag and turns a 304 back
into the 200 it stands for, so the code that reads GitHub (``collect.github.collector``) does not know the
difference. An :class:`ApiMeter` counts the requests and the 304s, and keeps the REST rate-limit
budget GitHub last reported.

The cache is bounded: only answers with an ETag are kept, each at most
``collect.github.http_session.MAX_ANSWER_BYTES``; :meth:`HttpCache.prune` drops the entries no run has
used for :data:`MAX_AGE_DAYS`, then the oldest until the folder is under :data:`MAX_BYTES`.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotfix_lint.collect.github.rate_limit import core_budget

if TYPE_CHECKING:
    from cachecontrol.caches import FileCache

#: an entry no audit has asked about (a 304 rewrites it) for this long is dropped
MAX_AGE_DAYS = 30
#: the most the cache folder may hold
MAX_BYTES = 512 * 1024 * 1024
#: the largest entry kept: an answer of ``collect.github.http_session.MAX_ANSWER_BYTES`` and its headers
MAX_ENTRY_BYTES = 32 * 1024 * 1024 + 64 * 1024


class HttpCache:
    """Where GitHub's answers are kept on disk; the audit's is ``http/`` in its cache."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._caches: dict[str, FileCache] = {}

    def __repr__(self) -> str:
        return f"HttpCache({str(self.directory)!r})"

    def __reduce__(self) -> tuple[type[HttpCache], tuple[Path]]:
        return HttpCache, (self.directory,)  # to a worker process: the folder, not its open stores

    def folder(self, token: str | None) -> Path:
        """The token's folder: named by a digest of it (the token itself is never written)."""
        return self.directory / hashlib.sha256((token or "").encode()).hexdigest()[:16]

    def file_cache(self, token: str | None) -> FileCache:
        """CacheControl's store for ``token``'s answers (files 0600, folders 0700)."""
        from cachecontrol.caches import FileCache

        class BoundedFileCache(FileCache):
            """Never keeps an entry larger than the largest answer read."""

            def set(self, key: str, value: bytes, expires: Any = None) -> None:
                if len(value) <= MAX_ENTRY_BYTES:
                    super().set(key, value, expires)

        folder = str(self.folder(token))
        with self._lock:
            if folder not in self._caches:
                self._caches[folder] = BoundedFileCache(folder, filemode=0o600, dirmode=0o700)
            return self._caches[folder]

    def prune(self, *, max_age_days: float = MAX_AGE_DAYS, max_bytes: int = MAX_BYTES) -> int:
        """Drop entries unused for ``max_age_days``, then the oldest beyond ``max_bytes``; how
        many files went. Best effort: another audit may be writing beside it."""
        files: list[tuple[float, int, str]] = []
        for folder, _, names in os.walk(self.directory):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                files.append((st.st_mtime, st.st_size, path))
        files.sort()
        cutoff = time.time() - max_age_days * 86400
        total = sum(size for _, size, _ in files)
        removed = 0
        for mtime, size, path in files:
            if mtime >= cutoff and total <= max_bytes:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
        return removed


class ApiMeter:
    """Requests sent, 304s received, and the REST rate-limit budget GitHub reported last."""

    def __init__(self, *, keep_answers: bool = False) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.remaining: int | None = None
        self.limit: int | None = None
        #: with ``keep_answers``, one per request: (URL, status, whether it came with an ETag, the
        #: SHA-256 of a 404's body: a 404 carries no ETag, but the same body is the same answer)
        self.answers: list[tuple[str, int, bool, str | None]] | None = [] if keep_answers else None

    def record(self, status: int, headers: Mapping[str, str], url: str | None = None, body: bytes = b"") -> None:
        with self._lock:
            self.requests += 1
            if self.answers is not None and url is not None:
                digest = hashlib.sha256(body).hexdigest() if status == 404 else None
                self.answers.append((url, status, "etag" in headers or "ETag" in headers, digest))
            if status == 304:
                self.not_modified += 1
            budget = core_budget(headers)  # REST's: a GraphQL answer reports its points
            if budget is not None:
                self.remaining = budget.remaining
                self.limit = budget.limit if budget.limit is not None else self.limit

    def unanswered(self) -> None:
        """A request not sent (a rate limit in force, no time left) or not answered in time: the
        facts made without it are not to be kept as if GitHub had answered (status 0)."""
        with self._lock:
            if self.answers is not None:
                self.answers.append(("", 0, False, None))

    def reading(self) -> tuple[int, int, int | None, int | None]:
        """(requests, 304s, budget left, limit) now: what a worker process sends back."""
        with self._lock:
            return self.requests, self.not_modified, self.remaining, self.limit

    def add(self, reading: tuple[int, int, int | None, int | None]) -> None:
        """Count what another meter counted (a worker process's, for one repository)."""
        with self._lock:
            self.requests += reading[0]
            self.not_modified += reading[1]
            if reading[0] and reading[2] is not None:
                self.remaining, self.limit = reading[2], reading[3]

    @property
    def counted(self) -> int:
        """Requests GitHub counts against the rate limit (a 304 is not counted)."""
        return self.requests - self.not_modified
