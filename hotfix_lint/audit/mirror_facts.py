"""The git side of one repository's audit: its mirror fetched (within ``--clone-timeout``), its
git facts read back from the cache while they hold or gathered again (in a watched child), and
a policy's past eras judged on the same mirror."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint import __version__
from hotfix_lint.audit.settings import AuditSettings, OrgPolicy
from hotfix_lint.audit.state import write_atomically

if TYPE_CHECKING:
    from hotfix_lint.collect.github.org import RepositoryInfo
    from hotfix_lint.collect.github.target import GitHubRequest
    from hotfix_lint.facts import RepositoryFacts
    from hotfix_lint.policy.model import Policy
    from hotfix_lint.results import Violation

log = logging.getLogger(__name__)


def facts_key(policy: OrgPolicy, kinds: frozenset[str]) -> str:
    """What cached facts were gathered for: the tool, the policy's files, the fact kinds."""
    parts = (__version__, policy.fingerprint, ",".join(sorted(kinds)))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def fetch_mirror(info: RepositoryInfo, mirror: Path, settings: AuditSettings) -> str:
    from hotfix_lint.collect.git.mirror import MirrorError, refused_clone_url, sync_mirror, token_allowed

    refused = refused_clone_url(info.clone_url, settings.api_url)
    if refused is not None:
        raise MirrorError(refused)
    from hotfix_lint.watchdog import OvertimeError, call_within, stall_seconds

    token = settings.token if token_allowed(info.clone_url, settings.api_url) else None
    try:  # in a child with a total deadline: a server that drips its answer cannot hold the audit
        synced = call_within(
            settings.clone_timeout,
            stall_seconds(),
            sync_mirror,
            info.clone_url,
            mirror,
            token=token,
            default_branch=info.default_branch,
        )
    except OvertimeError as exc:
        raise MirrorError(f"{exc} (--clone-timeout)") from None
    return synced.action


def git_facts(
    info: RepositoryInfo,
    mirror: Path,
    policy: Policy,
    git_kinds: frozenset[str],
    settings: AuditSettings,
    key: str | None,
    kept_valid: bool,
    history: str | None,
    github: GitHubRequest | None,
) -> tuple[RepositoryFacts, str | None, str | None]:
    """The git facts kept last time when they are still valid, else gathered from the mirror
    (and kept): (facts, history, the key they are kept under)."""
    from hotfix_lint.audit.factcodec import CodecError, decode_facts, encode_facts
    from hotfix_lint.collect.gather import add_github_facts, gather
    from hotfix_lint.watchdog import call_watched, stall_seconds

    facts_path = settings.cache.facts_path(info.full_name)
    if kept_valid:
        try:
            return decode_facts(facts_path.read_bytes()), "cached", key
        except (CodecError, OSError):
            pass
    # a corrupt mirror can make libgit2 spin for ever: read it in a child that must keep
    # beating (a stall is this repository's error, not the audit's end)
    facts = call_watched(
        stall_seconds(), gather, mirror, policy, git_kinds, branch=None, since=None, now=settings.now, with_github=False
    )
    if github is not None:  # deployed_ref github-deployment: the history facts need GitHub's
        from hotfix_lint.collect.git.repository import open_repository

        facts = add_github_facts(open_repository(mirror), policy, git_kinds, github, facts, since=None)
    if key is not None:
        try:
            write_atomically(facts_path, encode_facts(facts))
        except CodecError as exc:
            log.info("facts of %s not cached: %s", info.full_name, exc)
            key = None
    return facts, history or "unchanged", key


def with_past_eras(
    whole: Policy, mirror: Path, settings: AuditSettings, violations: list[Violation], notes: list[str]
) -> list[Violation]:
    """The present era's findings with every past era's history findings (not cached: a policy
    with eras is rare, and each era's walk is its own)."""
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.era_runs import era_note, judge_past_eras, unique
    from hotfix_lint.watchdog import call_watched, stall_seconds

    def history(era: Policy, kinds: frozenset[str]) -> RepositoryFacts:
        return call_watched(
            stall_seconds(), gather, mirror, era, kinds, branch=None, since=None, now=settings.now, with_github=False
        )

    notes.append(era_note(whole, settings.now) or "")
    return unique([*violations, *judge_past_eras(whole, settings.now, settings.rules, history)])
