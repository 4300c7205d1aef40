"""The audit's cache directory: mirrors, and what the last run learnt about each repository.

Layout, under ``--cache DIR``, one tree per GitHub API host::

    HOST/mirrors/OWNER/NAME.git        bare mirror (collect.git.mirror)
    HOST/state/OWNER/NAME.json         pushed_at, clone URL, policy file, ETags of the last run
    HOST/state/OWNER/NAME.facts        the git facts gathered last (audit.factcodec)
    HOST/state/OWNER/NAME.github.facts those facts with GitHub's added, while its answers hold (audit.kept_github)
    HOST/policies/OWNER/NAME/.hotfix-lint.yaml   the repository's policy, as read from GitHub
    HOST/orgs/ORG.json                 ETags of the organisation's repository listing
    HOST/locks/OWNER/NAME.lock         held by the audit of the repository (audit.locks)
    validated/                         the policy loader's markers of files already validated

Names are lower-cased (GitHub's are case-insensitive). Files are replaced atomically, so an
audit stopped half-way leaves the previous state, never half a file; a state file that does
not parse is treated as absent.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hotfix_lint.collect.github.conditional import HttpCache

STATE_VERSION = 1


def host_directory(api_url: str | None) -> str:
    """A directory name for the API host: ``api.github.com``, ``ghe.example.com``, ``127.0.0.1_8080``."""
    if not api_url:
        return "api.github.com"
    parts = urlsplit(api_url)
    name = (parts.hostname or "unknown") + (f"_{parts.port}" if parts.port else "")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``path`` through a scratch file and a rename: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or does not parse."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class KeptGitHub:
    """What the cache keeps beside the facts file: what they were gathered for, the answers
    they were made of, and the file's SHA-256."""

    key: str
    #: URLs whose answers came with an ETag (kept in the audit's HTTP cache)
    urls: tuple[str, ...]
    #: URLs that were a 404: the SHA-256 of its body
    missing: Mapping[str, str] = field(default_factory=dict)
    digest: str = ""


@dataclass
class RepoState:
    """What the last successful audit of a repository learnt."""

    pushed_at: str | None = None
    clone_url: str | None = None
    #: the repository's policy file as read: (file name, text); None: it has none
    policy_file: tuple[str, str] | None = None
    #: whether ``policy_file`` was read (with --no-repo-policy it is not)
    policy_read: bool = False
    #: what the cached facts were gathered for (tool version, policy, fact kinds)
    facts_key: str | None = None
    #: when an audit last learnt something new (one that learnt nothing leaves the file alone)
    audited_at: str | None = None
    #: the GitHub facts kept while GitHub's answers hold (``audit.kept_github``)
    kept_github: KeptGitHub | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "pushed_at": self.pushed_at,
            "clone_url": self.clone_url,
            "policy_file": None if self.policy_file is None else list(self.policy_file),
            "policy_read": self.policy_read,
            "facts_key": self.facts_key,
            "audited_at": self.audited_at,
            "kept_github": None if self.kept_github is None else _kept_to_dict(self.kept_github),
        }

    @classmethod
    def from_dict(cls, data: Any) -> RepoState:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls()
        policy = data.get("policy_file")
        policy_file = (str(policy[0]), str(policy[1])) if isinstance(policy, list) and len(policy) == 2 else None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        return cls(
            pushed_at=text("pushed_at"),
            clone_url=text("clone_url"),
            policy_file=policy_file,
            policy_read=bool(data.get("policy_read")),
            facts_key=text("facts_key"),
            audited_at=text("audited_at"),
            kept_github=_kept_from_dict(data.get("kept_github")),
        )


def _kept_to_dict(kept: KeptGitHub) -> dict[str, Any]:
    return {"key": kept.key, "urls": list(kept.urls), "missing": dict(kept.missing), "sha256": kept.digest}


def _kept_from_dict(data: Any) -> KeptGitHub | None:
    """What a state file says of kept GitHub facts; anything malformed: none kept."""
    if not isinstance(data, dict):
        return None
    key, urls, missing, digest = data.get("key"), data.get("urls"), data.get("missing"), data.get("sha256")
    if not (isinstance(key, str) and isinstance(urls, list) and isinstance(missing, dict) and isinstance(digest, str)):
        return None
    return KeptGitHub(key, tuple(str(u) for u in urls), {str(k): str(v) for k, v in missing.items()}, digest)


class AuditCache:
    """Paths in the cache directory for one GitHub host."""

    def __init__(self, root: Path, api_url: str | None) -> None:
        self.root = Path(root)
        self.base = self.root / host_directory(api_url)
        self._http: HttpCache | None = None

    def prepare(self) -> None:
        """Make the cache private before anything goes in: the root, when made here, and the
        host's directory (mirrors of private repositories, GitHub's answers) always 0700, an
        existing one narrowed to it; a root that existed before keeps its mode (``--cache`` may
        name a shared directory)."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.base.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.base, 0o700)

    def _split(self, full_name: str) -> tuple[str, str]:
        owner, _, name = full_name.lower().partition("/")
        if not owner or not name or owner in (".", "..") or name in (".", "..") or "/" in name:
            raise ValueError(f"not a repository name: {full_name!r}")
        return owner, name

    def mirror_path(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "mirrors" / owner / f"{name}.git"

    def state_path(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "state" / owner / f"{name}.json"

    def facts_path(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "state" / owner / f"{name}.facts"

    def github_facts_path(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "state" / owner / f"{name}.github.facts"

    def policy_dir(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "policies" / owner / name

    @property
    def validated_dir(self) -> Path:
        """The policy loader's "this chain of files was valid" markers (no schema check again)."""
        return self.root / "validated"

    def lock_path(self, full_name: str) -> Path:
        owner, name = self._split(full_name)
        return self.base / "locks" / owner / f"{name}.lock"

    def http_cache(self) -> HttpCache:
        """GitHub's answers with an ETag, shared by every repository, worker process and thread
        of the audits on this cache (``collect.github.conditional``)."""
        if self._http is None:
            self._http = HttpCache(self.base / "http")
        return self._http

    def load(self, full_name: str) -> RepoState:
        return RepoState.from_dict(read_json(self.state_path(full_name)))

    def save(self, full_name: str, state: RepoState) -> None:
        write_atomically(self.state_path(full_name), json.dumps(state.to_dict(), indent=1, sort_keys=True))
