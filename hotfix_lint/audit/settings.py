"""What is the same for every repository of one audit: its settings and the policy a repository
is judged by (``--policy`` or the default pack, else the repository's own file, kept in the
cache), and the redaction of every message it reports."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.audit.locks import DEFAULT_LOCK_TIMEOUT
from hotfix_lint.audit.state import AuditCache, write_atomically
from hotfix_lint.errors import PolicyError
from hotfix_lint.policy.cache import DEFAULT_PACK, POLICY_FILE_NAMES
from hotfix_lint.watchdog import DEFAULT_CLONE_TIMEOUT

if TYPE_CHECKING:
    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.graphql import RepoAnswer
    from hotfix_lint.collect.github.session import RetryPolicy
    from hotfix_lint.policy.model import Policy


@dataclass(frozen=True)
class OrgPolicy:
    """The policy for repositories without their own: ``--policy``, else the default pack."""

    policy: Policy
    label: str
    fingerprint: str


@dataclass(frozen=True)
class AuditSettings:
    """Everything the same for every repository of one audit."""

    cache: AuditCache
    org_policy: OrgPolicy
    now: int
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    token_env: str | None = None
    use_repo_policy: bool = True
    include_archived: bool = False
    rules: tuple[str, ...] | None = None
    retry: RetryPolicy | None = None
    #: seconds to wait for another audit on the same cache to finish with a repository
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    #: seconds one clone or fetch of a mirror may take in all (``--clone-timeout``)
    clone_timeout: float = DEFAULT_CLONE_TIMEOUT
    #: GitHub clients kept from one repository to the next (``run_audit`` makes and closes it)
    clients: ClientPool | None = field(default=None, repr=False, compare=False)
    #: the audit's time for GitHub (``--github-timeout``) and the rate limit that stopped it
    budget: GitHubBudget | None = field(default=None, repr=False, compare=False)
    #: GraphQL's answers read ahead for many repositories at once (``audit.graphql_read``)
    graphql: Mapping[str, RepoAnswer] | None = field(default=None, repr=False, compare=False)


def files_fingerprint(paths: Sequence[Path], *extra: str) -> str:
    """What a policy is made of: the contents of every file it is read from."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode("utf-8") + b"\0")
    for path in paths:
        digest.update(str(path.name).encode("utf-8") + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def load_org_policy(path: Path | None, cache: AuditCache | None = None) -> OrgPolicy:
    """``--policy FILE`` or the default pack, loaded once (a broken one stops the audit: exit 2)."""
    from hotfix_lint.policy.loader import load_pack, load_policy, policy_files
    from hotfix_lint.policy.packs import pack_path

    markers = cache.validated_dir if cache is not None else None
    if path is not None:
        policy = load_policy(path, cache_dir=markers)
        return OrgPolicy(policy, f"--policy {path}", files_fingerprint(policy_files(path)))
    policy = load_pack(DEFAULT_PACK, cache_dir=markers)
    files = policy_files(pack_path(DEFAULT_PACK), pack=DEFAULT_PACK)
    return OrgPolicy(policy, f"pack:{DEFAULT_PACK}", files_fingerprint(files))


def repo_policy(settings: AuditSettings, full_name: str, policy_file: tuple[str, str]) -> OrgPolicy:
    """The repository's own policy, written to the cache and loaded from there."""
    from hotfix_lint.policy.loader import load_policy, policy_files

    name, text = policy_file
    directory = settings.cache.policy_dir(full_name)
    path = directory / name
    for other in POLICY_FILE_NAMES:
        if other != name:
            (directory / other).unlink(missing_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomically(path, text)
    display = f"{full_name}:{name}"
    try:
        policy = load_policy(path, cache_dir=settings.cache.validated_dir, untrusted=True)
    except PolicyError as exc:
        raise PolicyError([p.replace(str(path), display) for p in exc.problems]) from None
    waivers = tuple(replace(w, where=w.where.replace(str(path), display)) for w in policy.exceptions)
    policy = replace(policy, source=display, exceptions=waivers)
    return OrgPolicy(policy, f"repository {name}", files_fingerprint(policy_files(path, untrusted=True)))


def redact(text: str, token: str | None) -> str:
    """``text`` without the token, nor credentials inside a URL (``--github-url``'s included)."""
    from hotfix_lint.collect.git.mirror import without_credentials

    text = without_credentials(text) or ""
    return text.replace(token, "***") if token else text
